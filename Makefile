# A fresh machine needs only Python 3.11+: uv is bootstrapped into .tools/ when absent.
UV := $(shell command -v uv 2>/dev/null || echo .tools/bin/uv)
MANAGE := $(UV) run --frozen python manage.py
HOST ?= 127.0.0.1:8000

.PHONY: run test test-fast test-worker lint format messages schema bench setup

.tools/bin/uv:
	python3 -m venv .tools
	.tools/bin/pip install --quiet uv

setup: $(if $(findstring .tools,$(UV)),.tools/bin/uv)
	$(UV) sync --frozen --quiet

## Set up, migrate, load the reference and demo data, serve on http://127.0.0.1:8000
run: setup
	$(MANAGE) migrate --no-input
	$(MANAGE) load_reference_data
	$(MANAGE) load_monitor_reference
	$(MANAGE) load_demo_data
	$(MANAGE) load_demo_context
	DEBUG=true $(MANAGE) runserver $(HOST)

## Run the whole test suite, browser tests included, in one pytest session (SQLite by
## default; set DATABASE_URL for PostgreSQL); it finds or installs a Chromium first
test: setup
	$(UV) run --frozen pytest -q -m "not worker"

## Jobs through Redis and a real Celery worker process, on PostgreSQL (CI runs it):
## DATABASE_URL=postgres://... TEST_REDIS_URL=redis://127.0.0.1:6379/15 make test-worker
TEST_REDIS_URL ?= redis://127.0.0.1:6379/15
test-worker: setup
	@case "$$DATABASE_URL" in postgres*) ;; *) echo "DATABASE_URL must be a PostgreSQL URL"; exit 2;; esac
	TEST_REDIS_URL=$(TEST_REDIS_URL) $(UV) run --frozen pytest -q -m worker tests/operations

lint: setup
	$(UV) run --frozen ruff check .
	$(UV) run --frozen ruff format --check .
	$(MANAGE) makemigrations --check --dry-run
	$(MANAGE) spectacular --validate --fail-on-warn --file .schema-check.yaml
	@cmp -s .schema-check.yaml openapi.yaml || (rm -f .schema-check.yaml; echo "openapi.yaml is out of date: run 'make schema'"; exit 1)
	@rm -f .schema-check.yaml

## Write the OpenAPI schema to openapi.yaml (committed; CI fails when it is stale)
schema: setup
	$(MANAGE) spectacular --validate --fail-on-warn --file openapi.yaml

## Measure the performance targets at national scale and write bench/results.md (not part of
## `make test`; drops and recreates the scratch database BENCH_DATABASE_URL names)
BENCH_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/bench
SCALE ?= 1.0
BENCH_OUTPUT ?= bench/results.md
bench: setup
	DATABASE_URL=$(BENCH_DATABASE_URL) $(UV) run --frozen python bench/run.py --scale $(SCALE) \
		--output $(BENCH_OUTPUT) $(if $(BENCH_QUICK),--quick)

format: setup
	$(UV) run --frozen ruff check --fix .
	$(UV) run --frozen ruff format .

## Extract and compile the Dutch translations (needs GNU gettext)
messages: setup
	$(MANAGE) makemessages --locale nl --no-obsolete --ignore '.venv/*' --ignore '.tools/*'
	$(MANAGE) compilemessages --locale nl --ignore '.venv/*' --ignore '.tools/*'

## Back up the PostgreSQL database of DATABASE_URL: make backup FILE=register.dump
.PHONY: backup restore
backup:
	@test -n "$(FILE)" || { echo "usage: make backup FILE=register.dump"; exit 2; }
	@case "$$DATABASE_URL" in postgres*) ;; *) echo "DATABASE_URL must be a PostgreSQL URL"; exit 2;; esac
	pg_dump --format=custom --no-owner --no-privileges --file="$(FILE)" "$$DATABASE_URL"

## Restore FILE into the empty PostgreSQL database of DATABASE_URL, all or nothing
restore:
	@test -f "$(FILE)" || { echo "usage: make restore FILE=register.dump (an existing file)"; exit 2; }
	@case "$$DATABASE_URL" in postgres*) ;; *) echo "DATABASE_URL must be a PostgreSQL URL"; exit 2;; esac
	pg_restore --no-owner --no-privileges --exit-on-error --single-transaction \
		--dbname="$$DATABASE_URL" "$(FILE)"
