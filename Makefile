# Developer entry points: `make run`, `make test`, `make lint` (see README.md).
# The virtualenv is built once and rebuilt only when a requirements file changes (stamp files).

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 5000
PYTEST_ARGS ?= -q
TRANSLATIONS := incubator/translations

export FLASK_APP := wsgi

.DEFAULT_GOAL := help
.PHONY: help run test lint translations venv venv-dev clean

help:
	@echo "make run    - install, migrate, load the demo, serve on http://$(HOST):$(PORT) with the job scheduler"
	@echo "make test   - run the tests on SQLite, then on PostgreSQL when TEST_DATABASE_URL is set"
	@echo "make lint   - ruff (configuration in pyproject.toml)"
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

# Both runs happen even if the first fails; the target fails if either did.
test: venv-dev translations
	@sqlite=passed; postgres=skipped; \
	echo "==> [1/2] SQLite: pytest on a temporary SQLite file"; \
	TEST_DATABASE_URL= $(BIN)/pytest $(PYTEST_ARGS) || sqlite=FAILED; \
	if [ -n "$$TEST_DATABASE_URL" ]; then \
		echo "==> [2/2] PostgreSQL: pytest on $$(echo "$$TEST_DATABASE_URL" | sed -E 's#//[^@/]*@#//#')"; \
		postgres=passed; $(BIN)/pytest $(PYTEST_ARGS) || postgres=FAILED; \
	else \
		echo "==> [2/2] PostgreSQL: skipped (set TEST_DATABASE_URL=postgresql://... to run it)"; \
	fi; \
	echo "==> Tests on SQLite: $$sqlite; on PostgreSQL: $$postgres"; \
	[ $$sqlite != FAILED ] && [ $$postgres != FAILED ]

lint: venv-dev
	$(BIN)/ruff check incubator tests $(wildcard bench)

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
