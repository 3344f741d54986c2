//! Issue 5: tags through HTTP, on SQLite and Postgres.
