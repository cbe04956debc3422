"""Caseload: the project package. `config` holds settings, URLs and the Celery app; the rooms
below it (`core`, `allocation`, `flags`, `casework`, `imports`, `demo`) are described in
docs/architecture.md."""

from .config.celery import app as celery_app

__all__ = ("celery_app",)
