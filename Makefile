# Damai — two commands set up everything: `make demo` and `make test`.
SHELL := /bin/bash
.DEFAULT_GOAL := help
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PG_DIR ?= /tmp/damai-pg
PG_PORT ?= 54329
export PYTHONDONTWRITEBYTECODE := 1

SHARED_DATA ?= ../shared/data

.PHONY: help venv demo test fast lint unit pg-start pg-stop bench models docs clean

help:
	@echo "make demo  — install, ingest the bundled demo set, serve the dashboard"
	@echo "make test  — install and run lint, types, unit, integration and browser tests"
	@echo "make fast  — the default pytest: unit and fast integration tests (no PostgreSQL,"
	@echo "             browser, Ray or model retrain), under a minute"
	@echo "make lint  — ruff, mypy and the import layers (import-linter) only"
	@echo "make bench — run the benchmarks in bench/"
	@echo "make models — retrain the bundled model from $(SHARED_DATA) and rewrite its card"

$(STAMP): pyproject.toml
	@PY="$$(scripts/find-python.sh)" && echo "Python: $$PY" && \
	  ([ -x $(BIN)/python ] && $(BIN)/python -c 'import sys; assert sys.version_info[:2]==(3,12)' \
	    || "$$PY" -m venv --clear $(VENV))
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

venv: $(STAMP)

demo: $(STAMP)
	$(BIN)/damai demo --host 127.0.0.1 --port $${DAMAI_PORT:-8080}

lint: $(STAMP)
	$(BIN)/ruff check src tests bench scripts
	$(BIN)/mypy
	$(BIN)/lint-imports

pg-start:
	@bash scripts/postgres-test-server.sh start $(PG_DIR) $(PG_PORT) | tail -n 1 > $(VENV)/pg-url

pg-stop:
	-@bash scripts/postgres-test-server.sh stop $(PG_DIR) $(PG_PORT)

test: $(STAMP) lint pg-start
	bash scripts/ensure-chromium.sh
	DAMAI_TEST_PG_URL="$$(cat $(VENV)/pg-url)" $(BIN)/pytest -n 0 -m ""

unit: $(STAMP)
	$(BIN)/pytest tests/unit

fast: $(STAMP)
	$(BIN)/pytest

bench: $(STAMP)
	$(BIN)/python bench/ingest.py
	$(BIN)/python bench/classify.py
	$(BIN)/python bench/classify_ray.py
	$(BIN)/python bench/web.py
	$(BIN)/python bench/crediting.py

models: $(STAMP)
	$(BIN)/python scripts/build_models.py --shared $(SHARED_DATA)

docs: $(STAMP)
	$(BIN)/damai settings --markdown > docs/settings.md
	$(BIN)/python -m typer damai.cli.main utils docs --name damai --output docs/cli.md

clean:
	rm -rf $(VENV) build dist src/*.egg-info .mypy_cache .ruff_cache .pytest_cache
