"""SQLAlchemy storage: tables, engine set-up, repositories, the unit of work and migrations."""
