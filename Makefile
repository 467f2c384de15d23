# Two commands for a new user: `make run` and `make test`. Everything else is for developers.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
PORT ?= 8000
HOST ?= 127.0.0.1
STAND_IN_PORT ?= 8799
STAND_IN := http://127.0.0.1:$(STAND_IN_PORT)
# The demo's providers point at the stand-in: a refresh works with no network and
# never touches a real person.
DEMO_ENV := DJANGO_DEBUG=$${DJANGO_DEBUG:-1} RENOWN_ALLOW_PRIVATE_HOSTS=1 RENOWN_YOUTUBE_API_KEY=stand-in \
	$(foreach n,BLUESKY MASTODON GITHUB STACKEXCHANGE HACKERNEWS YOUTUBE OPENALEX OPENLIBRARY ORCID,RENOWN_PROVIDER_URL_$(n)=$(STAND_IN))

.PHONY: run test lint check-deploy refresh-demo stand-in worker clean browser-deps

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(VENV)/.installed-dev: $(PY) requirements.txt requirements-dev.txt constraints.txt
	$(PY) -m pip install --quiet -r requirements-dev.txt -c constraints.txt
	touch $@

## run: set up, migrate, load the demo and serve on http://$(HOST):$(PORT) (SQLite, no broker),
## with the stand-in provider on $(STAND_IN) for refreshes
run: $(VENV)/.installed-dev
	$(DEMO_ENV) $(PY) manage.py migrate --noinput
	$(DEMO_ENV) $(PY) manage.py demo
	@echo "Renown is at http://$(HOST):$(PORT)/ (admin: http://$(HOST):$(PORT)/admin/)"
	@echo "Stand-in provider at $(STAND_IN); refresh the demo with: make refresh-demo"
	$(PY) -m benchmarks.fake_provider --port $(STAND_IN_PORT) --latency-ms 20 >/dev/null & \
	stand_in=$$!; trap 'kill $$stand_in 2>/dev/null' EXIT INT TERM; \
	$(DEMO_ENV) $(PY) manage.py runserver $(HOST):$(PORT)

## refresh-demo: refresh the demo organisation against the stand-in started by `make run`
refresh-demo: $(VENV)/.installed-dev
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

## test: set up and run the whole suite on DATABASE_URL / CELERY_BROKER_URL (SQLite, eager when unset)
test: $(VENV)/.installed-dev browser-deps
	$(PY) -m pytest

## lint: ruff, formatting, mypy, migrations in step with the models
lint: $(VENV)/.installed-dev
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(PY) -m mypy .
	DJANGO_DEBUG=1 $(PY) manage.py makemigrations --check --dry-run

## check-deploy: Django's deployment checklist with production-like settings
check-deploy: $(VENV)/.installed-dev
	DJANGO_DEBUG=0 DJANGO_SECRET_KEY=check-deploy-$$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n') \
	DJANGO_ALLOWED_HOSTS=renown.example $(PY) manage.py check --deploy --fail-level WARNING

worker: $(VENV)/.installed-dev
	$(VENV)/bin/celery -A hiring worker --loglevel=INFO

clean:
	rm -rf $(VENV) db.sqlite3 db.sqlite3-wal db.sqlite3-shm staticfiles node_modules test-artifacts
