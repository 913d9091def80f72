"""SQLAlchemy 2 tables, the engine, and repositories; Alembic migrations in storage/migrations."""
