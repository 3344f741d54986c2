//! Issue 5: filter through HTTP, on SQLite and Postgres.
