# The two commands of the README: `make run` and `make test`. Both create .venv when it is missing.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
CONFIG ?= config/monitor.toml

.PHONY: run test once check clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: $(BIN)/python pyproject.toml
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

run: $(VENV)/.installed
	$(BIN)/monitor run --config $(CONFIG)

once: $(VENV)/.installed
	$(BIN)/monitor once --config $(CONFIG)

check: $(VENV)/.installed
	$(BIN)/monitor check --config $(CONFIG)

# The suite twice: on SQLite, then on a PostgreSQL server that the tests start (initdb + pg_ctl, tests/conftest.py).
test: $(VENV)/.installed-test
	$(BIN)/ruff check monitor tests bench
	$(BIN)/mypy
	$(BIN)/python -m pytest
	MONITOR_TEST_STORE=postgresql $(BIN)/python -m pytest

clean:
	rm -rf $(VENV) var *.egg-info
