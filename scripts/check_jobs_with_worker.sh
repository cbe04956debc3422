#!/usr/bin/env bash
# Issue #7 by hand: demo data on PostgreSQL, a real Celery worker and beat against Redis (db 3);
# a manager allocates past a worker's promise and the script waits for the flag and notifications.
# Needs the machine's PostgreSQL and Redis; drops and recreates the database caseload_jobs_check.
set -e
cd "$(dirname "$0")/.."
export DATABASE_URL=postgres://postgres@127.0.0.1:5432/caseload_jobs_check REDIS_URL=redis://127.0.0.1:6379/3 RECOMPUTE_COALESCE_SECONDS=5
psql -h 127.0.0.1 -U postgres -q -c "drop database if exists caseload_jobs_check" -c "create database caseload_jobs_check"
redis-cli -n 3 flushdb >/dev/null
.venv/bin/python manage.py migrate -v0
.venv/bin/python manage.py seed_demo --size small --trend-months 0 | grep Seeded
.venv/bin/celery -A caseload worker --loglevel=INFO --concurrency=1 > /tmp/caseload-jobs-check-worker.log 2>&1 &
echo $! > /tmp/caseload-jobs-check-worker.pid
.venv/bin/celery -A caseload beat --loglevel=INFO -s /tmp/caseload-jobs-check-beat-schedule > /tmp/caseload-jobs-check-beat.log 2>&1 &
echo $! > /tmp/caseload-jobs-check-beat.pid
sleep 8
.venv/bin/python manage.py shell -c "
import time
from django.utils import timezone
from caseload.core.models import Case, Flag, Notification, User, Worker
from caseload.allocation import services
from weighting.loads import worker_loads
manager = User.objects.get(username='manager')
team = manager.managed_teams.first()
worker = min(team.workers.exclude(role='team_manager'), key=lambda w: w.pk)
row = worker_loads([worker], team.service.organisation_id)[worker.pk]
print('worker', worker.pk, 'holds', row.load.open_cases, 'promise', row.load.promise)
queue = list(Case.objects.filter(team=team, status='awaiting_allocation', needs_reallocation=False))
need = row.load.promise - row.load.open_cases + 1
print('queue', len(queue), 'allocations needed to pass promise', need)
extra = list(Case.objects.filter(team__service__organisation=team.service.organisation, status='awaiting_allocation').exclude(team=team)[:max(0, need-len(queue))])
for case in (queue + extra)[:need]:
    if case.team_id != team.pk:
        Case.objects.filter(pk=case.pk).update(team=team)
        case.refresh_from_db()
    t = time.monotonic()
    services.allocation_create(case=case, worker=worker, by=manager, override_reason='Demo check: past promise on purpose', check=False)
    print('allocated case', case.pk, 'in %.0f ms' % ((time.monotonic()-t)*1000))
started = time.monotonic()
while time.monotonic() - started < 60:
    flag = Flag.objects.filter(worker=worker, kind='above_promise', resolved_at__isnull=True).first()
    if flag:
        break
    time.sleep(1)
print('flag', flag, 'after %.1f s' % (time.monotonic()-started))
print('notifications', list(Notification.objects.filter(flag=flag).values_list('recipient__username', flat=True)) if flag else None)
"
kill "$(cat /tmp/caseload-jobs-check-worker.pid)" "$(cat /tmp/caseload-jobs-check-beat.pid)"
