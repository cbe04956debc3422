"""WSGI entry point for gunicorn and runserver. With the embedded default (no Redis) it also
starts the beat schedule in this process (`schedule.py`)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "caseload.config.settings")
application = get_wsgi_application()

from caseload.config import schedule  # noqa: E402 - needs the app set up first

schedule.start()
