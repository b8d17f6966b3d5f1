"""Tingshuo's shared data model: settings, ORM tables, sessions. Imports no torch, no Celery."""
