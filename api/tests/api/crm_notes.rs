//! Issue 5: notes through HTTP, on SQLite and Postgres.
