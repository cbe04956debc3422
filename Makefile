# Caseload: `make demo` starts a working demo, `make test` runs the whole suite.
PYTHON ?= python3
VENV ?= .venv
PORT ?= 8000
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# What the app itself needs, without the test and lint tools: all `make demo` installs.
RUNTIME_STAMP := $(VENV)/.installed-runtime

.PHONY: demo install test e2e faults screenshots lint audit serve migrate worker beat clean bench

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit("Caseload needs Python 3.11 or newer (found %s)" % sys.version.split()[0]) if sys.version_info < (3, 11) else None'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(RUNTIME_STAMP): $(BIN)/python pyproject.toml requirements.lock
	$(BIN)/python -m pip install --quiet -c requirements.lock -e .
	@touch $(RUNTIME_STAMP)

$(STAMP): $(BIN)/python pyproject.toml requirements.lock
	$(BIN)/python -m pip install --quiet -c requirements.lock -e '.[dev]'
	@touch $(STAMP) $(RUNTIME_STAMP)

install: $(RUNTIME_STAMP)

migrate: $(RUNTIME_STAMP)
	$(BIN)/python manage.py migrate --noinput

demo: migrate
	$(BIN)/python manage.py seed_demo --size small --if-empty
	@echo "Caseload demo: http://127.0.0.1:$(PORT)/  (the sign-in page lists every demo login)"
	$(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

# Two test processes by default (pytest-xdist), each with its own database and cache prefix;
# `--dist load` keeps the order that runs database-flushing tests last in each process.
# `make test TEST_WORKERS=1` runs them in one process, `TEST_WORKERS=auto` one per core.
TEST_WORKERS ?= 2

test: $(STAMP)
	$(BIN)/python -m pytest $(if $(filter-out 1,$(TEST_WORKERS)),-n $(TEST_WORKERS) --dist load)

e2e: $(STAMP)
	$(BIN)/python -m pytest -m e2e

# The whole fault suite, with its slow part (a worker and beat on a Redis that goes silent, a
# minute or more each). Needs PostgreSQL (DATABASE_URL) and redis-server on the PATH; see
# docs/operations.md. The fast part also runs in `make test`.
faults: $(STAMP)
	$(BIN)/python -m pytest tests/faults -m "faults or not faults"

screenshots: $(STAMP)
	SCREENSHOTS_DIR=docs/screenshots $(BIN)/python -m pytest tests/e2e/test_screenshots.py

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/mypy

audit: $(STAMP)
	$(BIN)/bandit -q -r caseload participants weighting reports security -x '*/migrations/*' --severity-level high
	$(BIN)/pip-audit -r requirements.lock --no-deps --disable-pip --strict

BENCH_STAMP := $(VENV)/.installed-bench

$(BENCH_STAMP): $(STAMP)
	$(BIN)/python -m pip install --quiet -c requirements.lock -e '.[dev,bench]'
	@touch $(BENCH_STAMP)

# Seeds council and national sizes into PostgreSQL (reused when already there), measures,
# prints a table and writes bench/results.json. See docs/performance.md.
bench: $(BENCH_STAMP)
	$(BIN)/python bench/run.py $(BENCH_ARGS)

worker: $(RUNTIME_STAMP)
	$(BIN)/celery -A caseload worker --loglevel=INFO --without-gossip --without-mingle --without-heartbeat

beat: $(RUNTIME_STAMP)
	$(BIN)/celery -A caseload beat --loglevel=INFO

clean:
	rm -rf $(VENV) staticfiles .pytest_cache
