"""Measurements inside Django for one seeded database (DATABASE_URL): pages, the full and the
incremental recompute, the SQL floor. Prints one JSON object. Run by bench/run.py.

    python bench/measure.py --size council [--pages] [--recompute] [--baseline-teams N]
    python bench/measure.py --sessions FILE        # signed-in cookies for the load test
    python bench/measure.py --enqueue-recompute-all  # hand recompute_all to a Celery worker
"""

import argparse
import json
import os
import statistics
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "caseload.config.settings")

import django  # noqa: E402

django.setup()

from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import NoReverseMatch  # noqa: E402
from django.utils import timezone  # noqa: E402

from bench.pages import PAGES  # noqa: E402
from caseload.allocation import services  # noqa: E402
from caseload.core.choices import CaseStatus, WorkerRole  # noqa: E402
from caseload.core.dates import end_of_day  # noqa: E402
from caseload.core.models import Case, Organisation, Team, User, Worker  # noqa: E402
from caseload.flags import services as jobs  # noqa: E402
from security.two_factor import VERIFIED  # noqa: E402
from weighting import loads  # noqa: E402
from weighting import selectors as weighting  # noqa: E402

# The floor: per-worker open cases and weighted points, written by hand against the tables,
# with the points taken straight from the scheme's factor options.
FLOOR_SQL = """
WITH held AS (
    SELECT al.worker_id, al.case_id
    FROM caseload_allocation al
    JOIN caseload_case c ON c.id = al.case_id
    WHERE al.started_on <= %(today)s AND (al.ended_on IS NULL OR al.ended_on > %(today)s)
      AND (c.closed_on IS NULL OR c.closed_on > %(today)s)
      AND NOT (c.status = 'closed' AND c.closed_on IS NULL)
),
counts AS (SELECT worker_id, COUNT(*) AS open_cases FROM held GROUP BY worker_id),
points AS (
    SELECT h.worker_id, SUM(o.points) AS points
    FROM held h
    JOIN weighting_caseassessment a ON a.case_id = h.case_id AND a.is_current
    JOIN weighting_assessmentfactor af ON af.assessment_id = a.id
      AND af.stage = CASE WHEN a.agreed_at < %(end)s THEN 'agreed' ELSE 'proposed' END
    JOIN weighting_factor f ON f.scheme_id = %(scheme)s AND f.code = af.factor
    JOIN weighting_factoroption o ON o.factor_id = f.id AND o.code = af.option
    GROUP BY h.worker_id
)
SELECT c.worker_id, c.open_cases, COALESCE(p.points, 0)
FROM counts c LEFT JOIN points p ON p.worker_id = c.worker_id
"""


@dataclass
class Context:
    """Where the pages point: the demo manager's team and a case waiting in it."""

    team_pk: int
    waiting_case_pk: int
    service_pk: int


def median_of(function, runs: int) -> tuple[float, list[float]]:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return statistics.median(times), times


def signed_in(username: str) -> Client:
    """A test client signed in as the demo user, past the two-factor step (as the tests do)."""
    client = Client()
    client.force_login(User.objects.get(username=username))
    session = client.session
    session[VERIFIED] = True
    session.save()
    return client


def context() -> Context:
    manager = User.objects.get(username="manager")
    team = Team.objects.filter(managers=manager).order_by("pk").first()
    waiting = (
        Case.objects.filter(team=team, status=CaseStatus.AWAITING_ALLOCATION).order_by("pk").first()
    )
    return Context(team_pk=team.pk, waiting_case_pk=waiting.pk, service_pk=team.service_id)


def measure_pages(repetitions: int) -> dict:
    """Median time and query count of each page, round robin so drift hits every page alike."""
    ctx = context()
    from reports.services import snapshot_take

    snapshot_take()  # what beat does every RECOMPUTE_EVERY_MINUTES; the dashboards read it
    clients: dict[str, Client] = {}
    pages, results = [], {}
    for name, build, role in PAGES:
        try:
            url = build(ctx)
        except NoReverseMatch:
            results[name] = {"available": False, "note": "not yet available (no such URL name)"}
            continue
        client = clients.setdefault(role, signed_in(role))
        response = client.get(url)
        # Asking for live figures answers 302 at once: they are worked out in the background.
        if response.status_code != 200 and not (response.status_code == 302 and "live=1" in url):
            results[name] = {"available": False, "note": f"HTTP {response.status_code} at {url}"}
            continue
        with CaptureQueriesContext(connection) as queries:
            client.get(url)
        pages.append((name, url, client))
        results[name] = {"available": True, "url": url, "role": role, "queries": len(queries)}
    times: dict[str, list[float]] = {name: [] for name, _, _ in pages}
    for _ in range(3):  # warm up
        for _, url, client in pages:
            client.get(url)
    for _ in range(repetitions):
        for name, url, client in pages:
            start = time.perf_counter()
            client.get(url)
            times[name].append((time.perf_counter() - start) * 1000)
    from celery import current_app

    current_app.control.purge()  # the live figures asked for above: not the worker's to do
    minimal = statistics.median(times["minimal"])
    for name, samples in times.items():
        median = statistics.median(samples)
        results[name] |= {
            "median_ms": round(median, 1),
            "p90_ms": round(statistics.quantiles(samples, n=10)[-1], 1),
            "ratio_to_minimal": round(median / minimal, 2),
            "repetitions": repetitions,
        }
    return results


def floor_totals() -> dict:
    organisation = Organisation.objects.get()
    scheme = weighting.scheme_in_force(organisation.pk)
    params = {
        "today": timezone.localdate(),
        "end": end_of_day(timezone.localdate()),
        "scheme": scheme.pk,
    }
    with connection.cursor() as cursor:
        cursor.execute(FLOOR_SQL, params)
        return {w: (n, int(p)) for w, n, p in cursor.fetchall()}


def measure_recompute(runs: int, baseline_teams: int) -> dict:
    organisation_id = Organisation.objects.get().pk
    first_start = time.perf_counter()
    first = jobs.recompute_all()
    first_s = time.perf_counter() - first_start
    full_s, full_runs = median_of(jobs.recompute_all, runs)
    floor_s, floor_runs = median_of(floor_totals, runs)
    same = floor_totals() == loads.worker_totals(organisation_id=organisation_id)
    result = {
        "workers": Worker.objects.count(),
        "open_cases": Case.objects.open().count(),
        "assessment_factors": _count("weighting_assessmentfactor"),
        "contacts": _count("participants_contact"),
        "first_run_s": round(first_s, 3),
        "first_run_counts": first,
        "full_recompute_s": round(full_s, 3),
        "full_recompute_runs_s": [round(t, 3) for t in full_runs],
        "sql_floor_s": round(floor_s, 3),
        "sql_floor_runs_s": [round(t, 3) for t in floor_runs],
        "full_recompute_ratio": round(full_s / floor_s, 2),
        "floor_matches_app_totals": same,
    }
    result |= measure_incremental()
    if baseline_teams:
        result |= measure_team_by_team(baseline_teams)
    return result


def _count(table: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM {table}")  # noqa: S608 - fixed table names
        return cursor.fetchone()[0]


def measure_incremental(runs: int = 15) -> dict:
    """One allocation in the demo manager's team, then that team's recompute; rolled back."""
    ctx = context()
    manager = User.objects.get(username="manager")
    worker = (
        Worker.objects.in_post()
        .filter(team_id=ctx.team_pk, role=WorkerRole.SOCIAL_WORKER)
        .order_by("pk")
        .first()
    )
    times = []
    for _ in range(runs + 2):
        with transaction.atomic():
            services.allocation_create(
                case=Case.objects.get(pk=ctx.waiting_case_pk),
                worker=worker,
                by=manager,
                override_reason="Benchmark allocation (rolled back).",
            )
            start = time.perf_counter()
            jobs.flags_refresh_team(team_id=ctx.team_pk)
            times.append((time.perf_counter() - start) * 1000)
            transaction.set_rollback(True)
    times = times[2:]
    return {
        "incremental_recompute_ms": round(statistics.median(times), 1),
        "incremental_recompute_runs_ms": [round(t, 1) for t in times],
    }


def measure_team_by_team(count: int) -> dict:
    """The straightforward path, team by team, on a sample of teams; scaled to all teams."""
    team_ids = list(Team.objects.order_by("pk").values_list("pk", flat=True))
    sample = team_ids[:: max(1, len(team_ids) // count)][:count]
    start = time.perf_counter()
    for team_id in sample:
        jobs.flags_refresh_team(team_id=team_id)
    per_team = (time.perf_counter() - start) / len(sample)
    return {
        "team_by_team_ms_per_team": round(per_team * 1000, 1),
        "team_by_team_estimate_s": round(per_team * len(team_ids), 1),
        "team_by_team_sample": len(sample),
    }


def write_sessions(path: Path) -> None:
    """Signed-in session cookies (past two-factor) for the load test's users, and the pages
    they use."""
    ctx = context()
    manager_cases = list(
        Case.objects.open()
        .filter(team_id=ctx.team_pk, status=CaseStatus.ALLOCATED)
        .order_by("pk")
        .values_list("pk", flat=True)[:20]
    )
    data = {
        role: signed_in(role).cookies["sessionid"].value
        for role in ("caseworker", "manager", "director")
    }
    data["team_pk"] = ctx.team_pk
    data["waiting_case_pk"] = ctx.waiting_case_pk
    data["contact_case_pks"] = manager_cases
    data["urls"] = {}
    for name, build, role in PAGES:
        try:
            data["urls"][name] = [build(ctx), role]
        except NoReverseMatch:
            continue
    path.write_text(json.dumps(data))


def enqueue_recompute_all(timeout: float = 600) -> dict:
    """Send recompute_all to the Celery worker and wait for its recorded run."""
    from caseload.core.models import TaskRun
    from caseload.flags.tasks import recompute_all

    before = TaskRun.objects.filter(task="recompute_all").order_by("-pk").first()
    recompute_all.apply_async()
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        run = TaskRun.objects.filter(task="recompute_all").order_by("-pk").first()
        if run and run != before and run.finished_at:
            return {
                "outcome": run.outcome,
                "seconds": round((run.finished_at - run.started_at).total_seconds(), 2),
                "counts": run.counts,
            }
        time.sleep(0.5)
    return {"outcome": "timeout"}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--size")
    parser.add_argument("--pages", action="store_true")
    parser.add_argument("--repetitions", type=int, default=40)
    parser.add_argument("--recompute", action="store_true")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--baseline-teams", type=int, default=0)
    parser.add_argument("--sessions")
    parser.add_argument("--enqueue-recompute-all", action="store_true")
    args = parser.parse_args()
    out: dict = {"size": args.size}
    if args.sessions:
        write_sessions(Path(args.sessions))
        print(json.dumps({"sessions": args.sessions}))
        return
    if args.enqueue_recompute_all:
        print(json.dumps(enqueue_recompute_all()))
        return
    if args.recompute:
        out["recompute"] = measure_recompute(args.runs, args.baseline_teams)
    if args.pages:
        out["pages"] = measure_pages(args.repetitions)
    print(json.dumps(out, default=str))


if __name__ == "__main__":
    main()
