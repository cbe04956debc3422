"""Caseload's Celery app with a beat schedule fast enough for a test: one harmless task every
second (a recompute of team 0, which does not exist). Run as `celery -A tests.faults.fast_beat
beat`; everything else (broker, transport options, the scheduler) is the product's."""

from caseload.config.celery import app

app.conf.beat_schedule = {
    "fault-suite-tick": {"task": "caseload.recompute_team", "schedule": 1.0, "args": (0,)},
}
app.conf.beat_max_loop_interval = 1

__all__ = ["app"]
