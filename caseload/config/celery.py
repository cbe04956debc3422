"""The Celery application. Task modules are listed in settings (CELERY_IMPORTS); the beat
schedule too (CELERY_BEAT_SCHEDULE), so both are read from the environment."""

import contextlib
import os

from celery import Celery
from celery.beat import PersistentScheduler

from .health import liveness_file

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "caseload.config.settings")

app = Celery("caseload")
app.config_from_object("django.conf:settings", namespace="CELERY")
# The app of every thread, not only the one that imported this module: services enqueue by task
# name through `current_app` (caseload/core/enqueue.py), also from runserver's request threads.
app.set_default()


class LivenessScheduler(PersistentScheduler):
    """Beat's scheduler, touching a file on every tick (at least every
    `beat_max_loop_interval` seconds), so a health check can tell that beat's loop is alive
    and not stuck on a broker that stopped answering (`python -m caseload.config.health beat`,
    docker-compose.yml)."""

    def tick(self, *args, **kwargs):
        with contextlib.suppress(OSError):
            liveness_file("beat").touch()
        return super().tick(*args, **kwargs)
