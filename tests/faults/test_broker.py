"""Found item 1: Redis vanishing silently (its connections open, no answers, as after a network
partition or with a dead host). The Celery worker and beat hung with no error and never
recovered, and `celery inspect ping` stopped answering. Now every Redis connection has a read
timeout, keepalives and health checks: a publish fails within seconds, and the worker and beat
reconnect by themselves once Redis answers again, even if their old connections never do.

The worker and beat tests take a minute or two each, so they are marked `faults` and run with
`make faults`; the publish test runs with everything else.
"""

import os
import subprocess
import sys
import threading
import time
import uuid

import pytest
import redis

from .conftest import ROOT, database_url, record, wait_until

SILENCE = 20  # seconds Redis stays silent in the worker and beat tests


def _publish_in_background(app, queue: str) -> dict:
    """Send one task from a daemon thread (a hang must not hold the test run up)."""
    outcome: dict = {}

    def send():
        started = time.monotonic()
        try:
            app.send_task("caseload.recompute_team", args=[0], queue=queue)
            outcome["sent"] = True
        except Exception as error:  # noqa: BLE001 - the error is what we measure
            outcome["error"] = error
        outcome["seconds"] = time.monotonic() - started

    thread = threading.Thread(target=send, daemon=True)
    thread.start()
    outcome["thread"] = thread
    return outcome


def test_publishing_to_a_redis_that_stopped_answering_fails_within_seconds(redis_proxy):
    from celery import Celery

    redis_proxy.freeze()
    app = Celery("faults", set_as_current=False)  # our settings, this proxy as the broker
    app.config_from_object("django.conf:settings", namespace="CELERY")
    app.conf.broker_url = f"redis://127.0.0.1:{redis_proxy.port}/0"
    app.conf.task_always_eager = False
    outcome = _publish_in_background(app, f"faults-{uuid.uuid4().hex[:6]}")
    outcome["thread"].join(timeout=40)
    assert "seconds" in outcome, "the publish was still waiting after 40 s"
    assert "error" in outcome
    redis_proxy.thaw(old="hang")
    record("Redis silent: one publish (web request, beat)", to_fail=outcome["seconds"])


def _direct(redis_server) -> redis.Redis:
    host, port = redis_server
    return redis.Redis(host=host, port=port, socket_timeout=5)


def _send_direct(redis_server, queue: str, team_id: int) -> None:
    """Put a task straight into Redis (not through the proxy), as a web server would."""
    from celery import Celery

    host, port = redis_server
    sender = Celery("faults", broker=f"redis://{host}:{port}/0", set_as_current=False)
    sender.send_task("caseload.recompute_team", args=[team_id], queue=queue)
    sender.close()


@pytest.mark.faults
@pytest.mark.services
@pytest.mark.usefixtures("committed")
def test_a_worker_on_a_redis_that_goes_silent_reconnects_when_it_answers_again(
    require_postgres, redis_server, redis_proxy, start
):
    from caseload.core.models import TaskRun

    queue, node = f"faults-{uuid.uuid4().hex[:6]}", f"faults-{uuid.uuid4().hex[:6]}@localhost"
    worker = start(
        "celery",
        *("-A", "caseload", "worker", "-Q", queue, "-n", node, "--pool", "solo"),
        *("--without-gossip", "--without-mingle", "--without-heartbeat", "--loglevel", "INFO"),
        DATABASE_URL=database_url(),
        REDIS_URL=f"redis://127.0.0.1:{redis_proxy.port}/0",
    )

    def done(team_id: int):
        return lambda: TaskRun.objects.filter(task="recompute_team", counts__team=team_id).exists()

    assert wait_until(lambda: worker.said("ready."), timeout=60) is not None, worker.output
    _send_direct(redis_server, queue, 1)
    assert wait_until(done(1), timeout=30) is not None, worker.output

    redis_proxy.freeze()
    frozen_at = time.monotonic()
    time.sleep(SILENCE)
    redis_proxy.thaw(old="hang")  # Redis answers again; the old connections never will
    thawed_at = time.monotonic()
    sent = []

    def one_more_is_done() -> bool:
        # A task every two seconds, as the web would send them; the first one done ends it.
        if not sent or time.monotonic() - thawed_at > 2 * len(sent):
            sent.append(100 + len(sent))
            _send_direct(redis_server, queue, sent[-1])
        return any(done(team_id)() for team_id in sent)

    recovered = wait_until(one_more_is_done, timeout=120, every=0.5)
    assert recovered is not None, f"no task done 120 s after Redis came back\n{worker.output}"
    noticed = min(
        (
            at
            for words in ("Connection to broker lost", "dropping stale connection")
            if (at := worker.first(words, after=frozen_at)) is not None
        ),
        default=None,
    )
    assert noticed is not None, worker.output
    ping = subprocess.run(  # the compose health check, addressed to this worker
        [sys.executable, "-m", "celery", "-A", "caseload", "inspect", "ping"]
        + ["--destination", node, "--timeout", "5"],
        cwd=ROOT,
        env={**_env(redis_proxy), "DATABASE_URL": database_url()},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert ping.returncode == 0, ping.stdout + ping.stderr
    record("Redis silent: the worker", to_fail=noticed - frozen_at, to_recover=recovered)


def _env(proxy) -> dict:
    return {**os.environ, "REDIS_URL": f"redis://127.0.0.1:{proxy.port}/0"}


@pytest.mark.faults
def test_beat_on_a_redis_that_goes_silent_errors_within_seconds_and_goes_on_after(
    redis_server, redis_proxy, start, tmp_path, monkeypatch
):
    queue = f"faults-{uuid.uuid4().hex[:6]}"
    direct = _direct(redis_server)
    beat = start(
        "celery",
        *("-A", "tests.faults.fast_beat", "beat", "--loglevel", "INFO"),
        *("--schedule", str(tmp_path / "beat-schedule")),
        REDIS_URL=f"redis://127.0.0.1:{redis_proxy.port}/0",
        CELERY_QUEUE=queue,
        LIVENESS_DIR=str(tmp_path),
    )
    assert wait_until(lambda: direct.llen(queue) >= 2, timeout=60) is not None, beat.output

    redis_proxy.freeze()
    frozen_at = time.monotonic()
    failed = wait_until(
        lambda: beat.said("Couldn't apply scheduled task", after=frozen_at), timeout=60
    )
    assert failed is not None, f"beat said nothing 60 s into the silence\n{beat.output}"
    time.sleep(max(0.0, SILENCE - (time.monotonic() - frozen_at)))
    redis_proxy.thaw(old="hang")
    before = direct.llen(queue)
    recovered = wait_until(lambda: direct.llen(queue) > before, timeout=120, every=0.5)
    assert recovered is not None, f"beat sent nothing 120 s after Redis came back\n{beat.output}"
    from caseload.config.health import is_alive

    monkeypatch.setenv("LIVENESS_DIR", str(tmp_path))
    assert is_alive("beat", stale_after=5)  # the compose health check
    record("Redis silent: beat", to_fail=failed, to_recover=recovered)
