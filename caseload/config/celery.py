"""The Celery application. Task modules are listed in settings (CELERY_IMPORTS); the beat
schedule too (CELERY_BEAT_SCHEDULE), so both are read from the environment."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "caseload.config.settings")

app = Celery("caseload")
app.config_from_object("django.conf:settings", namespace="CELERY")
# The app of every thread, not only the one that imported this module: services enqueue by task
# name through `current_app` (caseload/core/enqueue.py), also from runserver's request threads.
app.set_default()
