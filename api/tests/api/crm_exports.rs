//! Issue 5: exports through HTTP, on SQLite and Postgres.
