//! Issue 5: imports through HTTP, on SQLite and Postgres.
