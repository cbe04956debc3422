"""Celery application: tasks are discovered in each app's tasks.py; beat runs the schedule."""

import os

from celery import Celery
from celery.schedules import crontab

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "caseload.settings")

app = Celery("caseload")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# Filled by later features (recompute, snapshots, digests); kept here so beat has one source.
app.conf.beat_schedule = {
    "security-retention-review-scan": {
        "task": "security.retention_review_scan",
        "schedule": crontab(hour=2, minute=30),
    },
}
