//! Issue 5: companies through HTTP, on SQLite and Postgres.
