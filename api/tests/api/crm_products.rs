//! Issue 5: products through HTTP, on SQLite and Postgres.
