"""Tingshuo's shared data model: settings, ORM tables, sessions. Imports neither torch nor Celery."""
