# Hygie — the two everyday commands are `make run` and `make test`.
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python

.PHONY: run test check bench lint format messages clean

# Installs leave modules uncompiled (`--no-compile`): Python compiles each on its first
# import and keeps it, so only what runs is compiled, not every file of every package.
# The development set holds the runtime one: one install, not two.
INSTALL = (test -x $(PY) || $$(scripts/python.sh) -m venv $(VENV)) && \
	$(PY) -m pip install -q --upgrade pip && \
	$(PY) -m pip install -q --no-compile -c constraints.txt -e

$(VENV)/.runtime: pyproject.toml constraints.txt
	$(INSTALL) .
	touch $@

$(VENV)/.dev: pyproject.toml constraints.txt
	$(INSTALL) '.[dev]'
	touch $(VENV)/.runtime $@

## Start the whole platform (web, worker, scheduler, mail catcher) on the local SQLite database.
run: export DEBUG ?= 1
run: $(VENV)/.runtime
	$(PY) manage.py migrate --noinput
	$(PY) manage.py compile_translations
	$(PY) manage.py load_library
	$(PY) manage.py load_scenarios
	$(PY) manage.py demo_setup
	exec $(BIN)/honcho -f Procfile start

## Lint, type-check and run every test on SQLite and (when reachable) PostgreSQL.
test: $(VENV)/.dev
	scripts/test.sh

## The inner loop: lint, types and the fast tests (no server, browser or process) on SQLite.
check: $(VENV)/.dev
	scripts/check.sh

## Benchmarks: `make bench`, or `make bench ONLY=<name>`.
bench: $(VENV)/.dev
	$(PY) -m bench $(if $(ONLY),--only $(ONLY))

format: $(VENV)/.dev
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

## Refresh the .po catalogues from the source (English message ids).
messages: $(VENV)/.dev
	$(PY) manage.py makemessages -l fr -l en --no-obsolete

clean:
	rm -rf $(VENV) staticfiles
