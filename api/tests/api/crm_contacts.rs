//! Issue 5: contacts through HTTP, on SQLite and Postgres.
