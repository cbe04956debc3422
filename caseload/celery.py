"""Celery application: tasks are discovered in each app's tasks.py; beat runs the schedule."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "caseload.settings")

app = Celery("caseload")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
# The beat schedule lives in settings (CELERY_BEAT_SCHEDULE) so it is read from the environment.
