"""Import benchmark: write a national-sized set of CSV files, check them, import them.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/caseload_bench \\
        .venv/bin/python bench/import_bench.py [--scale 0.1] [--json]

At scale 1 the files hold 25,000 workers and 400,000 cases (as many people, and households of
siblings); they are written row by row, never held in memory. The run uses a fresh database
made next to DATABASE_URL's (`test_<name>`, dropped afterwards, like the test suite's), so it
never touches real data. It prints rows per second for the dry run and for the import and the
peak resident memory of the process; `--json` prints one line for `make bench`:
{"import_rows_per_s": ..., "check_rows_per_s": ..., "peak_rss_mb": ..., ...}.

The import runs as the embedded default runs it: the one organisation-wide recompute it asks
for runs at once after the commit, so `import_national_s` is the time until the import returns
with every team's flags worked out, and `first_recompute_s` that recompute's share (the first
run on fresh data, opening every flag); `import_rows_per_s` is the rows over the rest.
"""

import argparse
import csv
import json
import os
import random
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

WORKERS, CASES, PER_TEAM = 25_000, 400_000, 10
# (role, qualified) of the posts in a team: a manager, an advanced practitioner, social
# workers and support workers; every 10th team is an adults' team of caseworkers.
CHILDREN_POSTS = (
    [("team_manager", True), ("advanced_practitioner", True)]
    + [("social_worker", True)] * 6
    + [("support_worker", False)] * 2
)
ADULT_POSTS = [("team_manager", True)] + [("caseworker", False)] * 9
TYPES = ["child_in_need"] * 5 + ["child_protection"] * 2 + ["looked_after"] * 2 + ["care_leaver"]


def _writer(folder: Path, name: str, header: list[str]):
    handle = (folder / f"{name}.csv").open("w", newline="", encoding="utf-8")
    writer = csv.writer(handle)
    writer.writerow(header)
    return handle, writer


def generate(folder: Path, scale: float, seed: int = 1) -> int:
    """Write the CSV files; returns the number of data rows."""
    rng = random.Random(seed)  # noqa: S311 - synthetic data
    folder.mkdir(parents=True, exist_ok=True)
    workers = max(PER_TEAM * 2, round(WORKERS * scale))
    teams = workers // PER_TEAM
    cases = max(20, round(CASES * scale))
    rows = 0
    handle, out = _writer(
        folder, "teams", ["team_ref", "team_name", "service", "establishment_fte"]
    )
    for t in range(teams):
        out.writerow([f"T{t:05d}", f"Team {t}", f"Service {t // 100}", "11"])
        rows += 1
    handle.close()
    handle, out = _writer(
        folder,
        "workers",
        [
            "worker_ref",
            "name",
            "email",
            "team_ref",
            "role",
            "qualified",
            "experience",
            "fte",
            "agency",
            "start_date",
            "leave_date",
            "caseload_promise",
        ],
    )
    for w in range(teams * PER_TEAM):
        team = w // PER_TEAM
        role, qualified = (ADULT_POSTS if team % 10 == 9 else CHILDREN_POSTS)[w % PER_TEAM]
        newly = role == "social_worker" and rng.random() < 0.25
        out.writerow(
            [
                f"W{w:06d}",
                f"Worker {w}",
                f"worker{w}@example.org",
                f"T{team:05d}",
                role,
                "yes" if qualified else "no",
                "newly_qualified" if newly else "experienced",
                rng.choice(["1", "1", "1", "0.8", "0.6"]),
                "no",
                "2020-01-01",
                "",
                "",
            ]
        )
        rows += 1
    handle.close()
    people, people_out = _writer(
        folder,
        "participants",
        ["participant_ref", "given_name", "family_name", "date_of_birth", "household_ref"],
    )
    case_file, case_out = _writer(
        folder,
        "cases",
        [
            "case_ref",
            "participant_ref",
            "team_ref",
            "case_type",
            "need_level",
            "worker_ref",
            "allocated_on",
            "opened_on",
            "closed_on",
            "court",
            "travel",
            "extras",
        ],
    )
    for c in range(cases):
        household = f"H{c // 2:07d}" if c % 3 else ""
        people_out.writerow([f"P{c:07d}", "Given", f"Family{c // 2}", "2012-05-01", household])
        team = c % teams
        adults = team % 10 == 9
        roll = rng.random()
        post = rng.randrange(1, PER_TEAM)
        role = (ADULT_POSTS if adults else CHILDREN_POSTS)[post][0]
        case_type = "adult" if adults else rng.choice(TYPES)
        need = rng.choice(["low", "medium", "high"])
        court = "none"
        if role == "support_worker":
            case_type, need = "child_in_need", rng.choice(["low", "medium"])
        elif case_type in ("child_protection", "looked_after") and rng.random() < 0.2:
            court = rng.choice(["pre_proceedings", "care_proceedings"])
        worker = f"W{team * PER_TEAM + post:06d}" if roll < 0.8 else ""
        closed = "2025-06-01" if roll > 0.95 else ""
        extras = ";".join(
            e for e in ("interpreter", "disability", "high_risk") if rng.random() < 0.08
        )
        case_out.writerow(
            [
                f"C{c:07d}",
                f"P{c:07d}",
                f"T{team:05d}",
                case_type,
                need,
                worker,
                "",
                "2025-01-15",
                closed,
                court,
                rng.choice(["under_30"] * 8 + ["30_60", "over_60"]),
                extras,
            ]
        )
        rows += 2
    people.close()
    case_file.close()
    return rows


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kB on Linux


def run(scale: float, folder: Path, report) -> dict:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "caseload.config.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection

    # With DEBUG on (the embedded default) Django keeps the SQL of the last 9,000 queries, each
    # up to a batch's 2,000 references long: 15 MB of the peak at scale 0.25, growing with the
    # file, that a production import (DEBUG off) never holds. Measure the import, not that log.
    settings.DEBUG = False

    from caseload.core.models import Organisation
    from caseload.imports.engine import CaseloadImport
    from caseload.imports.readers import open_source

    started = time.perf_counter()
    rows = generate(folder, scale)
    generated = time.perf_counter() - started
    report(f"wrote {rows:,} rows in {generated:.1f}s to {folder}")
    old_name = connection.settings_dict["NAME"]
    if connection.vendor == "sqlite":
        # A file, as the embedded default keeps its data (a test database would be in memory).
        test_file = Path(f"{old_name}.import-bench")
        test_file.unlink(missing_ok=True)
        connection.settings_dict["TEST"]["NAME"] = str(test_file)
    connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    try:
        from weighting.defaults import ensure_defaults

        ensure_defaults()
        org = Organisation.objects.create(name="Bench Council")
        started = time.perf_counter()
        checked = CaseloadImport(open_source(folder), org).check()
        check_s = time.perf_counter() - started
        assert checked.ok, [str(p) for p in checked.problems[:5]]
        report(f"dry run: {rows:,} rows in {check_s:.1f}s ({rows / check_s:,.0f} rows/s)")
        # The import as the embedded default runs it: the recompute it asks for (one for the
        # whole organisation) runs at once after the commit, so the import returns with every
        # team's flags worked out. That recompute is the first on fresh data.
        from celery import current_app

        from caseload.core.models import TaskRun, Team

        current_app.conf.task_always_eager = True
        started = time.perf_counter()
        done = CaseloadImport(open_source(folder), org).commit()
        import_s = time.perf_counter() - started
        assert done.written
        first = TaskRun.objects.get(task="recompute_organisation")
        assert first.outcome == "ok", first.detail
        first_recompute_s = (first.finished_at - first.started_at).total_seconds()
        unworked = Team.objects.filter(flags_computed_at__isnull=True).count()
        assert unworked == 0, f"{unworked} teams without flags worked out"
        write_s = import_s - first_recompute_s
        report(
            f"import: {rows:,} rows in {import_s:.1f}s, of which the first recompute "
            f"{first_recompute_s:.1f}s ({first.counts.get('opened', 0):,} flags opened); "
            f"writing {rows / write_s:,.0f} rows/s"
        )
        started = time.perf_counter()
        again = CaseloadImport(open_source(folder), org).check()
        again_s = time.perf_counter() - started
        assert again.totals()["create"] == 0 and again.totals()["update"] == 0
        report(f"re-check (all unchanged): {again_s:.1f}s")
        vendor = connection.vendor
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
    return {
        "import_national_s": round(import_s, 1),
        "first_recompute_s": round(first_recompute_s, 1),
        "flags_opened": first.counts.get("opened", 0),
        "import_rows_per_s": round(rows / write_s),
        "check_rows_per_s": round(rows / check_s),
        "peak_rss_mb": round(peak_rss_mb(), 1),
        "rows": rows,
        "scale": scale,
        "import_seconds": round(import_s, 1),
        "check_seconds": round(check_s, 1),
        "recheck_seconds": round(again_s, 1),
        "database": vendor,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--scale", type=float, default=1.0, help="1 = 25,000 workers, 400,000 cases"
    )
    parser.add_argument("--json", action="store_true", help="print one JSON line of figures")
    parser.add_argument("--data", type=Path, default=ROOT / "bench" / "data" / "import")
    args = parser.parse_args()
    quiet = args.json

    def report(line: str) -> None:
        print(line, file=sys.stderr if quiet else sys.stdout, flush=True)

    figures = run(args.scale, args.data, report)
    if args.json:
        print(json.dumps(figures))
    else:
        report(f"peak RSS {figures['peak_rss_mb']} MB on {figures['database']}")


if __name__ == "__main__":
    main()
