# Two commands for a new user: `make run` and `make test`. Everything else is for developers.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
PORT ?= 8000
HOST ?= 127.0.0.1
STAND_IN_PORT ?= 8799
STAND_IN := http://127.0.0.1:$(STAND_IN_PORT)
REFRESH_DEMO := make refresh-demo$(if $(filter-out 8799,$(STAND_IN_PORT)), STAND_IN_PORT=$(STAND_IN_PORT))
# The demo's providers point at the stand-in: a refresh works with no network and
# never touches a real person.
DEMO_ENV := DJANGO_DEBUG=$${DJANGO_DEBUG:-1} RENOWN_ALLOW_PRIVATE_HOSTS=1 RENOWN_YOUTUBE_API_KEY=stand-in \
	RENOWN_PUBLIC_URL=$${RENOWN_PUBLIC_URL:-http://$(HOST):$(PORT)} \
	$(foreach n,BLUESKY MASTODON GITHUB STACKEXCHANGE HACKERNEWS YOUTUBE OPENALEX OPENLIBRARY ORCID,RENOWN_PROVIDER_URL_$(n)=$(STAND_IN))

.PHONY: run test test-django6 lint host-project host-project-django6 check-deploy refresh-demo stand-in worker bench clean browser-deps

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(VENV)/.installed-dev: $(PY) requirements.txt requirements-dev.txt constraints.txt
	$(PY) -m pip install --quiet -r requirements-dev.txt -c constraints.txt
	touch $@

## run: set up, migrate, load the demo and serve on http://$(HOST):$(PORT) (SQLite, no broker),
## with the stand-in provider on $(STAND_IN) for refreshes. Both ports are checked first: a
## taken one stops it before anything is built (make run PORT=8080 STAND_IN_PORT=8800).
run: $(VENV)/.installed-dev
	$(PY) -m benchmarks.ports check --host $(HOST) PORT=$(PORT) STAND_IN_PORT=$(STAND_IN_PORT)
	$(DEMO_ENV) $(PY) manage.py migrate --noinput
	$(DEMO_ENV) $(PY) manage.py demo
	$(PY) -m benchmarks.fake_provider --port $(STAND_IN_PORT) --latency-ms 20 >/dev/null & \
	stand_in=$$!; trap 'kill $$stand_in 2>/dev/null' EXIT INT TERM; \
	$(PY) -m benchmarks.ports wait-stand-in --port $(STAND_IN_PORT) --pid $$stand_in || exit 1; \
	echo "Renown is at http://$(HOST):$(PORT)/ (admin: http://$(HOST):$(PORT)/admin/)"; \
	echo "Stand-in provider at $(STAND_IN); refresh the demo with: $(REFRESH_DEMO)"; \
	$(DEMO_ENV) $(PY) manage.py runserver $(HOST):$(PORT)

## refresh-demo: refresh the demo organisation against the stand-in started by `make run`
## (give it the STAND_IN_PORT you gave `make run`; it stops when no stand-in answers there)
refresh-demo: $(VENV)/.installed-dev
	$(PY) -m benchmarks.ports probe-stand-in --port $(STAND_IN_PORT)
	$(DEMO_ENV) $(PY) manage.py refresh_scores --org demo

## stand-in: the stand-in provider alone (see benchmarks/fake_provider.py for faults)
stand-in: $(VENV)/.installed-dev
	$(PY) -m benchmarks.fake_provider --port $(STAND_IN_PORT)

## browser-deps: axe-core for the browser tests (npm ci from package-lock.json). Without npm
## this only says so and the browser tests are deselected (tests/conftest.py); with
## RENOWN_BROWSER_TESTS=required (CI) it fails instead.
browser-deps: node_modules/.installed

node_modules/.installed: package.json package-lock.json
	@if ! command -v npm >/dev/null 2>&1; then \
		echo "browser-deps: npm not found; axe-core not installed: the browser tests are deselected (in CI they fail)"; \
		[ "$${RENOWN_BROWSER_TESTS:-}" != required ]; \
	elif npm ci --no-audit --no-fund --loglevel=error; then \
		touch $@; \
	else \
		echo "browser-deps: npm ci failed; axe-core not installed: the browser tests are deselected (in CI they fail)"; \
		[ "$${RENOWN_BROWSER_TESTS:-}" != required ]; \
	fi

# The suite runs on every core (pytest-xdist); each worker has its own test database. The
# tests that share the broker and Redis run on one worker (tests/conftest.py, xdist_group).
# TEST_WORKERS=0 runs it in one process.
TEST_WORKERS ?= auto
PYTEST_PARALLEL := -n $(TEST_WORKERS) --dist loadgroup

## test: set up and run the whole suite on DATABASE_URL / CELERY_BROKER_URL (SQLite, eager when unset)
test: $(VENV)/.installed-dev browser-deps
	$(PY) -m pytest $(PYTEST_PARALLEL)

## test-django6: the suite on SQLite with Django 6.0 (the next release line) in its own venv,
## $(VENV_DJ6), on Python 3.12 ($(PYTHON_DJ6)); the pins in constraints-django6.txt replace
## those in requirements*.txt and constraints.txt. CI runs it after the SQLite leg.
VENV_DJ6 ?= .venv-dj6
PYTHON_DJ6 ?= python3.12
PY_DJ6 := $(VENV_DJ6)/bin/python

$(VENV_DJ6)/.installed-dev: requirements.txt requirements-dev.txt constraints.txt constraints-django6.txt
	$(PYTHON_DJ6) -m venv $(VENV_DJ6)
	$(PY_DJ6) -m pip install --quiet --upgrade pip
	names=$$(sed -n 's/^\([A-Za-z0-9_.-]*\)==.*/\1/p' constraints-django6.txt | paste -sd'|'); \
	grep -viE "^($$names)(\[[^]]*\])?==" requirements.txt > $(VENV_DJ6)/requirements.txt; \
	grep -viE "^($$names)(\[[^]]*\])?==" requirements-dev.txt > $(VENV_DJ6)/requirements-dev.txt; \
	{ grep -viE "^($$names)(\[[^]]*\])?==" constraints.txt; cat constraints-django6.txt; } > $(VENV_DJ6)/constraints.txt; \
	$(PY_DJ6) -m pip install --quiet -r $(VENV_DJ6)/requirements-dev.txt -c $(VENV_DJ6)/constraints.txt \
		$$(echo "$$names" | tr '|' ' ')
	touch $@

test-django6: $(VENV_DJ6)/.installed-dev browser-deps
	$(PY_DJ6) -m pip check
	$(PY_DJ6) -c 'import django; assert django.VERSION[:2] == (6, 0), django.get_version()'
	DATABASE_URL= CELERY_BROKER_URL= $(PY_DJ6) -m pytest $(PYTEST_PARALLEL)

## lint: ruff, formatting, mypy, import layers (no app imports the site), migrations in step
lint: $(VENV)/.installed-dev
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(PY) -m mypy .
	$(VENV)/bin/lint-imports
	$(PY) .ci/any_budget.py --max 5 >/dev/null
	DJANGO_DEBUG=1 $(PY) manage.py makemigrations --check --dry-run

## host-project: Renown as a hiring platform installs it: build the wheel, install it alone in a
## fresh venv and run tests/host_project (its own api app, base.html and admin) on it:
## migrate, check, the organisation and token commands, the host's tests (.ci/host-project)
host-project: $(VENV)/.installed-dev
	VENV=$(VENV) PYTHON=$(PYTHON) DJANGO_SERIES=5.2 .ci/host-project

## host-project-django6: the same host project on Django 6.0 and Python 3.12 ($(PYTHON_DJ6)),
## installed with test-django6's pins
host-project-django6: $(VENV)/.installed-dev $(VENV_DJ6)/.installed-dev
	VENV=$(VENV) PYTHON=$(PYTHON_DJ6) CONSTRAINTS=$(VENV_DJ6)/constraints.txt DJANGO_SERIES=6.0 \
		.ci/host-project

## check-deploy: Django's deployment checklist with production-like settings (a broker too:
## without one Renown warns that its tasks run inside requests, renown.W010; none is contacted)
check-deploy: $(VENV)/.installed-dev
	DJANGO_DEBUG=0 DJANGO_SECRET_KEY=check-deploy-$$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n') \
	DJANGO_ALLOWED_HOSTS=renown.example CELERY_BROKER_URL=redis://127.0.0.1:6379/0 \
	$(PY) manage.py check --deploy --fail-level WARNING

worker: $(VENV)/.installed-dev
	$(VENV)/bin/celery -A renown_site worker --loglevel=INFO

## bench: every benchmark at 20,000 candidates, under ten minutes on the 2-core machine, on
## PostgreSQL ($(BENCH_DATABASE_URL), created when missing; its data is built once and
## reused) with Redis as the broker; figures only (benchmarks/all.py). README gives them.
BENCH_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/renown_bench
BENCH_BROKER_URL ?= redis://127.0.0.1:6379/0
bench: $(VENV)/.installed-dev
	DATABASE_URL=$(BENCH_DATABASE_URL) CELERY_BROKER_URL=$(BENCH_BROKER_URL) $(PY) -m benchmarks.all

clean:
	rm -rf $(VENV) $(VENV_DJ6) db.sqlite3 db.sqlite3-wal db.sqlite3-shm staticfiles node_modules test-artifacts
