# druginfo: `make run` to serve, `make test` to check everything.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: run test test-fast lint typecheck unit seed validate openapi schema bench bench-scale bench-labels soak audit test-postgres clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

run: $(STAMP)  ## create .venv, install, seed the embedded SQLite, serve on http://127.0.0.1:8000
	$(BIN)/druginfo seed
	$(BIN)/druginfo serve

seed: $(STAMP)
	$(BIN)/druginfo seed

validate: $(STAMP)
	$(BIN)/druginfo validate

openapi: $(STAMP)
	$(BIN)/druginfo export-openapi

schema: $(STAMP)
	$(BIN)/druginfo export-schema

lint: $(STAMP)
	$(BIN)/ruff check app tests bench scripts
	$(BIN)/ruff format --check app tests bench scripts
	$(BIN)/hadolint Dockerfile
	$(BIN)/check-jsonschema --builtin-schema vendor.compose-spec docker-compose.yml

typecheck: $(STAMP)
	$(BIN)/mypy

unit: $(STAMP)
	$(BIN)/druginfo validate
	$(BIN)/pytest -q

test: lint typecheck unit  ## ruff, mypy (strict on app/), data validation, the whole pytest suite

test-fast: $(STAMP)  ## the quick loop: ruff, mypy, validation, pytest without fuzzing, browser, PostgreSQL, corpus, slow
	$(BIN)/ruff check app tests bench scripts
	$(BIN)/mypy
	$(BIN)/druginfo validate
	$(BIN)/pytest -q -m "not fuzz and not browser and not postgres and not corpus and not slow"

audit: $(STAMP)  ## bandit over app/ (must be clean), then pip-audit over the installed packages
	$(BIN)/bandit -q -r app
	$(BIN)/pip-audit --skip-editable --progress-spinner off

bench: $(STAMP)  ## throughput vs a bare FastAPI reference, start-up times; writes bench/results.md
	$(BIN)/python -m bench.run

bench-scale: $(STAMP)  ## 5,000 synthetic drugs: seed time, peak memory, read throughput ratio
	$(BIN)/python -m bench.scale

bench-labels: $(STAMP)  ## 100,000 synthetic labels: import labels/s, RSS, db size; /labels search and read
	$(BIN)/python -m bench.labels

soak: $(STAMP)
	$(BIN)/python -m bench.soak

test-postgres: $(STAMP)  ## the whole pytest suite against a throwaway PostgreSQL server
	bash scripts/with-postgres.sh $(BIN)/pytest -q

clean:
	rm -rf $(VENV) druginfo.db* .pytest_cache .mypy_cache .ruff_cache tests/artifacts
