//! Issue 5: segments through HTTP, on SQLite and Postgres.
