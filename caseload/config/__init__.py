"""Settings, URLs, the Celery app and the WSGI entry point: the top layer, which may import
every app and which nothing imports."""
