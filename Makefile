# Baton: the two commands a newcomer needs are `make demo` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: demo test lint fmt bench clean

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Baton needs Python 3.11 or newer")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]'
	@touch $(STAMP)

## demo: install, migrate the embedded SQLite database, load the demo shop, serve on http://127.0.0.1:8000
demo: $(STAMP)
	$(BIN)/baton demo

## test: the whole suite on SQLite and (when reachable) PostgreSQL; says what it skipped and why
test: $(STAMP)
	$(BIN)/python -m pytest -n 2 --dist loadgroup

## bench: Baton under load on PostgreSQL and SQLite, checks, floor, scale (<= 10 min); writes bench/RESULTS.md
bench: $(STAMP)
	$(BIN)/python -m bench.run

## lint: ruff and mypy
lint: $(STAMP)
	$(BIN)/ruff check src tests bench
	$(BIN)/mypy

fmt: $(STAMP)
	$(BIN)/ruff check --fix src tests

clean:
	rm -rf $(VENV) baton.db baton.db-wal baton.db-shm .pytest_cache .mypy_cache .ruff_cache .hypothesis
