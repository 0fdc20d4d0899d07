# Developer entry points: `make run`, `make test`, `make lint` (see README.md).
# The virtualenv is built once and rebuilt only when a requirements file changes (stamp files).

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 5000
# One pytest worker per core (pytest-xdist); each worker has its own database. PYTEST_ARGS=-q runs serially.
PYTEST_ARGS ?= -q -n auto --dist loadgroup
TRANSLATIONS := incubator/translations

export FLASK_APP := wsgi

.DEFAULT_GOAL := help
.PHONY: help run prod test journeys lint security translations venv venv-dev clean

help:
	@echo "make run    - install, migrate, load the demo, serve on http://$(HOST):$(PORT) with the job scheduler"
	@echo "make test   - run the tests on SQLite, then on PostgreSQL when TEST_DATABASE_URL is set"
	@echo "make lint   - ruff (configuration in pyproject.toml)"
	@echo "make prod   - production mode: gunicorn workers + the scheduler on PostgreSQL and Redis (docs/deploy.md)"
	@echo "make journeys - the browser journeys only (Playwright + Chromium); screenshots in journey-screenshots/"
	@echo "make security - bandit (static security checks) and pip-audit (known-vulnerable dependencies)"
	@echo "make clean  - remove the virtualenv and caches (keeps instance/, your local database)"

$(BIN)/python:
	@test -n "$(PYTHON)" || { echo "Python 3.11 (or python3) is required" >&2; exit 1; }
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed-runtime: requirements.txt | $(BIN)/python
	$(BIN)/python -m pip install --quiet -r requirements.txt
	@touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	@touch $@ $(VENV)/.installed-runtime

venv: $(VENV)/.installed-runtime
venv-dev: $(VENV)/.installed-dev

# Compiled catalogs (*.mo) are build output and stay out of git.
translations: venv
	@if ls $(TRANSLATIONS)/*/LC_MESSAGES/*.po >/dev/null 2>&1; then \
		$(BIN)/pybabel --quiet compile -d $(TRANSLATIONS); \
	else \
		echo "No translation catalogs to compile."; \
	fi

# The scheduler (flask jobs run) runs beside the web server and stops with it; its log is instance/scheduler.log.
run: venv translations
	$(BIN)/flask db upgrade
	$(BIN)/flask demo
	@echo "Serving on http://$(HOST):$(PORT) (Ctrl-C to stop); scheduled jobs log to instance/scheduler.log"
	@$(BIN)/flask jobs run >>instance/scheduler.log 2>&1 & scheduler=$$!; \
	trap 'kill $$scheduler 2>/dev/null; wait $$scheduler 2>/dev/null' EXIT INT TERM; \
	$(BIN)/flask run --host $(HOST) --port $(PORT)

# Production mode in the foreground (deploy/run-production.sh): refuses SQLite, a missing DATABASE_URL or
# SECRET_KEY, and per-worker rate limits; migrates, then runs gunicorn (gunicorn.conf.py) and `flask jobs run`.
prod: venv translations
	@deploy/run-production.sh

# Both runs happen even if the first fails; the target fails if either did.
# The browser journeys (tests/journeys) run their own app server, so they run once, in the SQLite pass.
test: venv-dev translations
	@sqlite=passed; postgres=skipped; \
	if [ -x "$${JOURNEY_CHROMIUM:-/usr/bin/chromium}" ]; then \
		echo "==> Browser journeys: in the SQLite pass (screenshots in journey-screenshots/)"; \
	else \
		echo "==> Browser journeys: SKIPPED, Chromium not found at $${JOURNEY_CHROMIUM:-/usr/bin/chromium} (apt-get install chromium fonts-khmeros)"; \
	fi; \
	echo "==> [1/2] SQLite: pytest on a temporary SQLite file"; \
	TEST_DATABASE_URL= $(BIN)/pytest $(PYTEST_ARGS) || sqlite=FAILED; \
	if [ -n "$$TEST_DATABASE_URL" ]; then \
		echo "==> [2/2] PostgreSQL: pytest on $$(echo "$$TEST_DATABASE_URL" | sed -E 's#//[^@/]*@#//#') (journeys ran above)"; \
		postgres=passed; $(BIN)/pytest $(PYTEST_ARGS) -m "not journey" || postgres=FAILED; \
	else \
		echo "==> [2/2] PostgreSQL: skipped (set TEST_DATABASE_URL=postgresql://... to run it)"; \
	fi; \
	echo "==> Tests on SQLite: $$sqlite; on PostgreSQL: $$postgres"; \
	[ $$sqlite != FAILED ] && [ $$postgres != FAILED ]

lint: venv-dev
	$(BIN)/ruff check incubator tests scripts gunicorn.conf.py $(wildcard bench)

# Browser journeys only (they also run inside `make test`); skipped with a reason when Chromium is missing.
journeys: venv-dev translations
	TEST_DATABASE_URL= $(BIN)/pytest $(PYTEST_ARGS) -m journey tests/journeys

# bandit: no high-severity finding (settings in pyproject.toml); pip-audit: no installed dependency with a known
# vulnerability (scripts/audit_dependencies.py says clearly when PyPI's advisory data cannot be reached).
security: venv-dev
	$(BIN)/bandit --configfile pyproject.toml --severity-level high --confidence-level medium --quiet --recursive incubator
	$(BIN)/python scripts/audit_dependencies.py

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
