//! Issue 5: fields through HTTP, on SQLite and Postgres.
