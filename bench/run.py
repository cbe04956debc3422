"""`make bench`: seed (or reuse) the council and national demo organisations in PostgreSQL,
measure, print a table and write bench/results.json.

Everything runs on this machine: PostgreSQL at BENCH_PG (default 127.0.0.1:5432, user
postgres), Redis database 2, the app under gunicorn on 127.0.0.1 for the load test. Each
seeded database carries a marker (a comment on the database), so a second run reuses it.

    python bench/run.py [--sizes council,national] [--skip-load] [--skip-worker] [--skip-import]

The import phase runs last (bench/import_bench.py --scale BENCH_IMPORT_SCALE, default 1, at
most BENCH_IMPORT_TIMEOUT seconds); results.json is written after every phase.
"""

import argparse
import csv
import json
import os
import platform
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from datetime import UTC, datetime
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parents[1]
BENCH = ROOT / "bench"
DATA = BENCH / "data"
PYTHON = sys.executable
BIN = Path(PYTHON).parent
PG = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")
REDIS = os.environ.get("BENCH_REDIS", "redis://127.0.0.1:6379/2")
SEED_VERSION = "2"  # bump to reseed when the demo's shape changes
BASELINE_TEAMS = {"council": 96, "national": 50}
REPETITIONS = int(os.environ.get("BENCH_REPETITIONS", "40"))
IMPORT_TIMEOUT = int(os.environ.get("BENCH_IMPORT_TIMEOUT", "1200"))
TARGETS = {
    "full_recompute_s": 5.0,
    "full_recompute_ratio": 2.0,
    "incremental_recompute_ms": 50.0,
    "page_ms": 300.0,
    "page_ratio": 4.0,
    "worker_rss_mb": 500.0,
    "import_national_s": 600.0,  # the national import returns, flags worked out, in 10 minutes
    "first_recompute_s": 60.0,
    "load_p95_ms": 300.0,
    "caseload_report_national_s": 5.0,  # caseload_report --format json, whole organisation
}


def database(size: str) -> str:
    return f"caseload_bench_{size}"


def app_env(size: str, **extra) -> dict:
    """The app's settings for the bench: production-like (DEBUG off), plain HTTP on loopback,
    Redis database 2, its own Celery queue, no email."""
    env = dict(os.environ)
    env.update(
        DATABASE_URL=f"{PG}/{database(size)}",
        REDIS_URL=REDIS,
        DEBUG="False",
        SECRET_KEY="bench-only-not-a-secret-" + "x" * 40,
        ALLOWED_HOSTS="testserver,127.0.0.1,localhost",
        SECURE_SSL_REDIRECT="False",
        LOG_LEVEL="WARNING",
        CELERY_QUEUE=f"caseload-bench-{size}",
        EMAIL_URL="dummymail://",
        CONN_MAX_AGE="60",
        PYTHONPATH=str(ROOT),
    )
    env.update(extra)
    return env


def manage(size: str, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [PYTHON, "manage.py", *args], cwd=ROOT, env=app_env(size), check=True, capture_output=True
    )


def admin_sql(sql: str, *params):
    with psycopg.connect(f"{PG}/postgres", autocommit=True) as conn:
        cursor = conn.execute(sql, params)
        return cursor.fetchall() if cursor.description else []


def ensure_seeded(size: str) -> dict:
    """Seed the size into its own database unless the marker says it is already there."""
    name = database(size)
    marker = f"caseload-bench seeded size={size} seed=1 version={SEED_VERSION}"
    rows = admin_sql(
        "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = %s", name
    )
    if rows and rows[0][0] == marker:
        manage(size, "migrate", "--noinput")
        return {"seeded": False, "note": "reused (marker present)"}
    if rows:
        admin_sql(f'DROP DATABASE "{name}"')
    admin_sql(f'CREATE DATABASE "{name}"')
    manage(size, "migrate", "--noinput")
    start = time.perf_counter()
    manage(size, "seed_demo", "--size", size)
    seconds = time.perf_counter() - start
    with psycopg.connect(f"{PG}/{name}", autocommit=True) as conn:
        conn.execute("ANALYZE")
    admin_sql(f"COMMENT ON DATABASE \"{name}\" IS '{marker}'")
    return {"seeded": True, "seed_s": round(seconds, 1)}


def analyze(size: str) -> None:
    with psycopg.connect(f"{PG}/{database(size)}", autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")


def measure(size: str, *args: str) -> dict:
    result = subprocess.run(
        [PYTHON, str(BENCH / "measure.py"), "--size", size, *args],
        cwd=ROOT,
        env=app_env(size),
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def machine() -> dict:
    memory_kb = int(
        next(line for line in open("/proc/meminfo") if line.startswith("MemTotal")).split()[1]
    )
    pg = admin_sql("SHOW server_version")[0][0]
    settings = {
        name: admin_sql(f"SHOW {name}")[0][0]
        for name in ("shared_buffers", "work_mem", "max_parallel_workers_per_gather")
    }
    try:
        import redis

        redis_version = redis.Redis.from_url(REDIS).info("server")["redis_version"]
    except Exception as error:  # noqa: BLE001 - reported, not fatal
        redis_version = f"unavailable ({error})"
    return {
        "nproc": os.cpu_count(),
        "memory_gb": round(memory_kb / 1024 / 1024, 1),
        "cpu": _cpu_model(),
        "python": platform.python_version(),
        "postgresql": pg,
        "postgresql_settings": settings,
        "redis": redis_version,
        "load_average_at_start": os.getloadavg(),
    }


def _cpu_model() -> str:
    for line in open("/proc/cpuinfo"):
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return platform.processor()


# --- Import (another branch's bench/import_bench.py) -------------------------------------------


def import_bench(engine: str = "postgresql") -> dict:
    """The national import (`bench/import_bench.py`) on PostgreSQL, or with `engine="sqlite"`
    on the embedded default: a SQLite file, no Redis, tasks run at once."""
    script = BENCH / "import_bench.py"
    if not script.exists():
        return {
            "import_rows_per_s": None,
            "peak_rss_mb": None,
            "note": "bench/import_bench.py is not on this branch yet (it comes with the import "
            "work); nothing measured",
        }
    scale = os.environ.get("BENCH_IMPORT_SCALE", "1")  # 1 = 25,000 workers, 400,000 cases
    # The import bench makes and drops test_<name>; a run cut short leaves it behind.
    admin_sql(f'DROP DATABASE IF EXISTS "test_{database("import")}" WITH (FORCE)')
    env = app_env("import")
    if engine == "sqlite":
        env["DATABASE_URL"] = f"sqlite:///{DATA / 'import-embedded.sqlite3'}"
        env.pop("REDIS_URL", None)
    try:
        result = subprocess.run(
            [PYTHON, str(script), "--scale", scale, "--json"],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=IMPORT_TIMEOUT,
        )
    except subprocess.TimeoutExpired:
        return {
            "import_rows_per_s": None,
            "peak_rss_mb": None,
            "note": f"bench/import_bench.py --scale {scale} did not finish in {IMPORT_TIMEOUT} s",
        }
    if result.returncode != 0:
        return {
            "import_rows_per_s": None,
            "peak_rss_mb": None,
            "note": f"bench/import_bench.py failed: {result.stderr.strip()[-500:]}",
        }
    data = json.loads(result.stdout.strip().splitlines()[-1])
    return {
        "import_rows_per_s": data.get("import_rows_per_s", data.get("rows_per_s")),
        "peak_rss_mb": data.get("peak_rss_mb"),
        "detail": data,
    }


# --- caseload_report for the whole national organisation ----------------------------------------


def caseload_report(size: str = "national", timeout: int = 600) -> dict:
    """`manage.py caseload_report --format json` for every scope of the organisation, in its
    own process as an administrator would run it: wall time (Django's start included) and the
    process's peak RSS (from the kernel's accounting of the child)."""
    with open(DATA / "caseload_report.err", "w+") as errors:
        started = time.perf_counter()
        process = subprocess.Popen(
            [PYTHON, "manage.py", "caseload_report", "--format", "json"],
            cwd=ROOT,
            env=app_env(size),
            stdout=subprocess.DEVNULL,
            stderr=errors,
        )
        killer = threading.Timer(timeout, process.kill)
        killer.start()
        try:
            _, status, usage = os.wait4(process.pid, 0)
        finally:
            killer.cancel()
        seconds = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)
        errors.seek(0)
        if process.returncode != 0:
            return {"error": f"exit {process.returncode}: {errors.read()[-800:]}"}
    return {
        "size": size,
        "command": "manage.py caseload_report --format json",
        "seconds": round(seconds, 2),
        "peak_rss_mb": round(usage.ru_maxrss / 1024, 1),  # Linux: kilobytes
    }


# --- A Celery worker running recompute_all at national size ---------------------------------------


def worker_memory(size: str) -> dict:
    import psutil

    subprocess.run(
        [str(BIN / "celery"), "-A", "caseload", "purge", "-f", "-Q", f"caseload-bench-{size}"],
        cwd=ROOT,
        env=app_env(size),
        capture_output=True,
    )
    log = open(DATA / "worker.log", "w")
    worker = subprocess.Popen(
        [str(BIN / "celery"), "-A", "caseload", "worker", "--pool=solo", "--loglevel=INFO"],
        cwd=ROOT,
        env=app_env(size),
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and "ready." not in (DATA / "worker.log").read_text():
            time.sleep(0.5)
        process = psutil.Process(worker.pid)
        idle_mb = process.memory_info().rss / 2**20
        peak = [idle_mb]
        done = threading.Event()

        def sample():
            while not done.is_set():
                try:
                    peak.append(process.memory_info().rss / 2**20)
                except psutil.Error:
                    return
                time.sleep(0.1)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        run = measure(size, "--enqueue-recompute-all")
        done.set()
        sampler.join()
        hwm = _vm_hwm_mb(worker.pid)
    finally:
        worker.terminate()
        try:
            worker.wait(timeout=30)
        except subprocess.TimeoutExpired:
            worker.kill()
        log.close()
    return {
        "size": size,
        "pool": "solo",
        "task": "caseload.recompute_all",
        "run": run,
        "idle_rss_mb": round(idle_mb, 1),
        "peak_rss_mb": round(max(max(peak), hwm or 0), 1),
    }


def _vm_hwm_mb(pid: int) -> float | None:
    try:
        for line in open(f"/proc/{pid}/status"):
            if line.startswith("VmHWM"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


# --- Load test ----------------------------------------------------------------------------------


def free_port() -> int:
    """A loopback port nobody is listening on (other people's servers share this machine)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def load_test(size: str, users: int = 20, seconds: int = 60) -> dict:
    port = int(os.environ.get("BENCH_PORT") or free_port())
    sessions = DATA / f"sessions-{size}.json"
    measure(size, "--sessions", str(sessions))
    log = open(DATA / "gunicorn.log", "w")
    env = app_env(size, CELERY_QUEUE=f"caseload-bench-load-{size}")
    server = subprocess.Popen(
        [
            str(BIN / "gunicorn"),
            "caseload.config.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "3",
            "--threads",
            "2",
            "--worker-class",
            "gthread",
            # Longer than a locust user's pause (up to 2 s): with gunicorn's default of 2 s
            # the server closes a kept-alive connection just as the client reuses it.
            "--keep-alive",
            "30",
            "--access-logfile",
            "-",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        _wait_for(f"http://127.0.0.1:{port}/healthz/", server)
        prefix = DATA / f"load-{size}"
        result = subprocess.run(
            [
                str(BIN / "locust"),
                "-f",
                str(BENCH / "locustfile.py"),
                "--headless",
                "--users",
                str(users),
                "--spawn-rate",
                "10",
                "--run-time",
                f"{seconds}s",
                "--stop-timeout",
                "10",
                "--host",
                f"http://127.0.0.1:{port}",
                "--csv",
                str(prefix),
                "--only-summary",
            ],
            cwd=ROOT,
            env={**os.environ, "BENCH_SESSIONS": str(sessions)},
            capture_output=True,
            text=True,
            timeout=seconds + 120,
        )
        (DATA / "locust.log").write_text(result.stdout + result.stderr)
        return _load_summary(prefix, users, seconds)
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()
        subprocess.run(
            [str(BIN / "celery"), "-A", "caseload", "purge", "-f", "-Q", env["CELERY_QUEUE"]],
            cwd=ROOT,
            env=env,
            capture_output=True,
        )


def _wait_for(url: str, server: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(
                f"gunicorn exited ({server.returncode}); see bench/data/gunicorn.log"
            )
        try:
            with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 - loopback
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    raise RuntimeError(f"the app did not answer at {url}")


def _load_summary(prefix: Path, users: int, seconds: int) -> dict:
    rows = list(csv.DictReader(open(f"{prefix}_stats.csv")))
    by_name = {}
    total = {}
    for row in rows:
        entry = {
            "requests": int(row["Request Count"]),
            "errors": int(row["Failure Count"]),
            "median_ms": float(row["Median Response Time"]),
            "p95_ms": float(row["95%"]),
            "rps": round(float(row["Requests/s"]), 1),
        }
        if row["Name"] == "Aggregated":
            total = entry
        else:
            by_name[row["Name"]] = entry
    return {"users": users, "seconds": seconds, **total, "by_request": by_name}


# --- Report -------------------------------------------------------------------------------------


def targets(results: dict) -> dict:
    national = results["sizes"].get("national", {}).get("recompute", {})
    council_pages = results["pages"].get("council", {})
    national_pages = results["pages"].get("national", {})
    checks = {
        "full_recompute_s < 5": _check(results["full_recompute_s"], TARGETS["full_recompute_s"]),
        "full_recompute_ratio <= 2": _check(
            results["full_recompute_ratio"], TARGETS["full_recompute_ratio"], inclusive=True
        ),
        "incremental_recompute_ms <= 50": _check(
            results["incremental_recompute_ms"], TARGETS["incremental_recompute_ms"], True
        ),
    }
    for name, page in council_pages.items():
        if name == "minimal" or not page.get("available"):
            continue
        other = national_pages.get(name, {})
        checks[f"{name}: < 300 ms at council"] = _check(page["median_ms"], TARGETS["page_ms"])
        checks[f"{name}: <= 4x minimal at council"] = _check(
            page["ratio_to_minimal"], TARGETS["page_ratio"], True
        )
        if other.get("available"):
            checks[f"{name}: <= 4x minimal at national"] = _check(
                other["ratio_to_minimal"], TARGETS["page_ratio"], True
            )
        checks[f"{name}: same queries at both sizes"] = {
            "value": [page["queries"], other.get("queries")],
            "met": page["queries"] == other.get("queries"),
        }
    if results.get("caseload_report_national_s") is not None:
        checks["caseload_report_national_s < 5"] = _check(
            results["caseload_report_national_s"], TARGETS["caseload_report_national_s"]
        )
    load = results.get("load") or {}
    if "errors" in load:
        checks["no errors under load"] = {"value": load["errors"], "met": load["errors"] == 0}
    if "p95_ms" in load:
        checks["p95 < 300 ms under load"] = _check(load["p95_ms"], TARGETS["load_p95_ms"])
    for key in ("import_national_s", "first_recompute_s"):
        if results.get(key) is not None:
            checks[f"{key} < {TARGETS[key]:.0f}"] = _check(results[key], TARGETS[key])
        embedded = key.replace("_s", "_sqlite_s")
        if results.get(embedded) is not None:
            checks[f"{embedded} < {TARGETS[key]:.0f}"] = _check(results[embedded], TARGETS[key])
    memory = results.get("worker_memory") or {}
    if "peak_rss_mb" in memory:
        checks["worker RSS < 500 MB"] = _check(memory["peak_rss_mb"], TARGETS["worker_rss_mb"])
    if national:
        checks["floor matches the app's totals"] = {
            "value": national.get("floor_matches_app_totals"),
            "met": bool(national.get("floor_matches_app_totals")),
        }
    return checks


def _check(value, limit, inclusive=False) -> dict:
    if value is None:
        return {"value": None, "met": False}
    return {"value": value, "limit": limit, "met": value <= limit if inclusive else value < limit}


def print_table(results: dict) -> None:
    print("\nCaseload bench", results["finished_at"])
    print(
        f"machine: {results['machine']['nproc']} cores, {results['machine']['memory_gb']} GB, "
        f"PostgreSQL {results['machine']['postgresql']}, Redis {results['machine']['redis']}, "
        f"load average {results['machine']['load_average_at_start'][0]:.1f} at start, "
        f"{results['machine']['load_average_at_end'][0]:.1f} at end (shared machine)"
    )
    for size, data in results["sizes"].items():
        r = data.get("recompute", {})
        print(
            f"\n[{size}] {r.get('workers')} workers, {r.get('open_cases')} open cases, "
            f"{r.get('assessment_factors')} factor rows, {r.get('contacts')} contacts"
        )
        print(
            f"  full recompute {r.get('full_recompute_s')} s (first run {r.get('first_run_s')} s)"
            f" | SQL floor {r.get('sql_floor_s')} s | ratio {r.get('full_recompute_ratio')}"
            f" | incremental {r.get('incremental_recompute_ms')} ms"
            f" | team by team ~{r.get('team_by_team_estimate_s')} s"
        )
    print(f"\n{'page':<22}" + "".join(f"{s:>34}" for s in results["pages"]))
    print(f"{'':<22}" + "".join(f"{'median ms  queries  x minimal':>34}" for _ in results["pages"]))
    names = list(next(iter(results["pages"].values()), {}))
    for name in names:
        line = f"{name:<22}"
        for pages in results["pages"].values():
            page = pages.get(name, {})
            if page.get("available"):
                line += f"{page['median_ms']:>15}{page['queries']:>9}{page['ratio_to_minimal']:>10}"
            else:
                line += f"{'not yet available':>34}"
        print(line)
    load = results.get("load") or {}
    if load:
        print(
            f"\nload: {load.get('users')} users x {load.get('seconds')} s: "
            f"{load.get('requests')} requests, {load.get('errors')} errors, "
            f"p95 {load.get('p95_ms')} ms, {load.get('rps')} req/s"
        )
    memory = results.get("worker_memory") or {}
    if memory:
        print(
            f"worker: recompute_all at {memory.get('size')} size, peak RSS "
            f"{memory.get('peak_rss_mb')} MB ({memory.get('run', {}).get('seconds')} s)"
        )
    if "caseload_report_national_s" in results:
        print(
            f"caseload_report (national, json): {results['caseload_report_national_s']} s, "
            f"peak RSS {results.get('caseload_report_peak_rss_mb')} MB"
        )
    print(
        f"import: {results.get('import_rows_per_s')} rows/s, peak RSS {results.get('peak_rss_mb')}"
        f" MB {results.get('import', {}).get('note', '')}"
    )
    embedded = results.get("import_sqlite", {})
    print(
        f"import on the embedded default: {results.get('import_national_sqlite_s')} s "
        f"(first recompute {results.get('first_recompute_sqlite_s')} s) {embedded.get('note', '')}"
    )
    print("\ntargets:")
    for name, check in results["targets"].items():
        print(f"  [{'met' if check['met'] else 'NOT met':>7}] {name}: {check['value']}")


def save(results: dict) -> None:
    """Write what has been measured so far (again at the end, with the targets)."""
    (BENCH / "results.json").write_text(json.dumps(results, indent=2, default=str) + "\n")


def guarded(function, *args) -> dict:
    """Run one phase; a failure is recorded in the results rather than losing the run."""
    try:
        return function(*args)
    except Exception as error:  # noqa: BLE001 - reported in results.json and the table
        detail = getattr(error, "stderr", "") or ""
        return {"error": f"{type(error).__name__}: {error} {str(detail)[-800:]}"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", default="council,national")
    parser.add_argument("--skip-load", action="store_true")
    parser.add_argument("--skip-worker", action="store_true")
    parser.add_argument("--skip-import", action="store_true")
    parser.add_argument("--skip-sqlite-import", action="store_true")
    args = parser.parse_args()
    sizes = args.sizes.split(",")
    DATA.mkdir(exist_ok=True)
    started = datetime.now(UTC)
    results: dict = {
        "command": "make bench",
        "started_at": started.isoformat(timespec="seconds"),
        "machine": machine(),
        "sizes": {},
        "pages": {},
    }
    subprocess.run(
        [PYTHON, "manage.py", "collectstatic", "--noinput", "-v0"],
        cwd=ROOT,
        env=app_env(sizes[0]),
        check=True,
    )
    for size in sizes:
        print(f"[{size}] database", flush=True)
        results["sizes"][size] = {"database": ensure_seeded(size)}
        analyze(size)
        print(f"[{size}] recompute and pages", flush=True)
        data = measure(
            size,
            "--recompute",
            "--baseline-teams",
            str(BASELINE_TEAMS.get(size, 20)),
            "--pages",
            "--repetitions",
            str(REPETITIONS),
        )
        results["sizes"][size]["recompute"] = data["recompute"]
        results["pages"][size] = data["pages"]
        save(results)
    if "national" in sizes:
        print("caseload_report (national)", flush=True)
        report = results["caseload_report"] = guarded(caseload_report, "national")
        results["caseload_report_national_s"] = report.get("seconds")
        results["caseload_report_peak_rss_mb"] = report.get("peak_rss_mb")
        save(results)
    headline = results["sizes"].get("national", results["sizes"][sizes[-1]])["recompute"]
    results["full_recompute_s"] = headline["full_recompute_s"]
    results["sql_floor_s"] = headline["sql_floor_s"]
    results["full_recompute_ratio"] = headline["full_recompute_ratio"]
    results["incremental_recompute_ms"] = headline["incremental_recompute_ms"]
    if not args.skip_worker:
        print("worker memory", flush=True)
        results["worker_memory"] = guarded(worker_memory, sizes[-1])
        save(results)
    if not args.skip_load:
        print("load test", flush=True)
        results["load"] = guarded(load_test, "council" if "council" in sizes else sizes[0])
        save(results)
    print("import", flush=True)
    if args.skip_import:
        results["import"] = {"note": "skipped (--skip-import)"}
    else:
        results["import"] = guarded(import_bench)
    results["import_rows_per_s"] = results["import"].get("import_rows_per_s")
    detail = results["import"].get("detail") or {}
    results["import_national_s"] = detail.get("import_national_s")
    results["first_recompute_s"] = detail.get("first_recompute_s")
    results["peak_rss_mb"] = results["import"].get("peak_rss_mb")
    print("import on the embedded default (SQLite)", flush=True)
    if args.skip_import or args.skip_sqlite_import:
        results["import_sqlite"] = {"note": "skipped"}
    else:
        results["import_sqlite"] = guarded(import_bench, "sqlite")
    detail = results["import_sqlite"].get("detail") or {}
    results["import_national_sqlite_s"] = detail.get("import_national_s")
    results["first_recompute_sqlite_s"] = detail.get("first_recompute_s")
    results["finished_at"] = datetime.now(UTC).isoformat(timespec="seconds")
    results["machine"]["load_average_at_end"] = os.getloadavg()
    results["targets"] = targets(results)
    save(results)
    print_table(results)


if __name__ == "__main__":
    main()
