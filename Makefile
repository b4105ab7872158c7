# Carbon Ledger: `make demo` and `make test` do everything on a fresh machine with Python 3.11.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml constraints.txt | sha1sum | cut -c1-12)
# Runs started from the CLI and the UI share this instance, so `make dev` shows `make demo`'s run.
export DAGSTER_HOME ?= $(CURDIR)/.dagster
export PATH := $(CURDIR)/$(BIN):$(PATH)
MANIFEST := dbt_project/target/manifest.json

.PHONY: install manifest demo test dev bench clean

$(STAMP): pyproject.toml constraints.txt
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -c constraints.txt -e ".[dev]"
	@rm -f $(VENV)/.installed-* && touch $(STAMP)

install: $(STAMP)

# The dbt manifest must exist before the Dagster Definitions load.
$(MANIFEST): $(STAMP) $(shell find dbt_project -name '*.sql' -o -name '*.yml' -o -name '*.csv' | grep -v target/)
	@mkdir -p $(DAGSTER_HOME)
	$(BIN)/dagster-dbt project prepare-and-package --file pipelines/project.py > /dev/null

manifest: $(MANIFEST)

demo: $(MANIFEST)
	$(BIN)/carbonledger demo

test: $(MANIFEST)
	$(BIN)/python -m pytest -q

dev: $(MANIFEST)
	@mkdir -p $(DAGSTER_HOME)
	$(BIN)/dagster dev -h 127.0.0.1 -p 3000 -w workspace.yaml

clean:
	rm -rf data .dagster dbt_project/target dbt_project/logs
