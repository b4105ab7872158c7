# Carbon Ledger: `make demo` and `make test` do everything on a fresh machine with Python 3.11.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml constraints.txt | sha1sum | cut -c1-12)
# Runs started from the CLI and the UI share this instance, so `make dev` shows `make demo`'s run.
export DAGSTER_HOME ?= $(CURDIR)/.dagster
# One planned event per asset for a multi-month run instead of one per asset and month (docs/operations.md).
export DAGSTER_EMIT_PARTITION_SUBSET_IN_PLANNED_EVENTS ?= true
export PATH := $(CURDIR)/$(BIN):$(PATH)
MANIFEST := dbt_project/target/manifest.json
# Two workers (CI has 2 cores); loadscope keeps each module's shared pipeline run in one worker.
PYTEST_ARGS ?= -n 2 --dist loadscope

.PHONY: install manifest demo test dev bench clean java fonts

$(STAMP): pyproject.toml constraints.txt
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -c constraints.txt -e ".[dev]"
	@rm -f $(VENV)/.installed-* && touch $(STAMP)

install: $(STAMP)

# The Spark extra (pyspark, dbt-spark): `make test` installs it for the Spark parity test; `make demo` does not.
SPARK_STAMP := $(VENV)/.spark-installed-$(shell cat pyproject.toml constraints.txt | sha1sum | cut -c1-12)
$(SPARK_STAMP): $(STAMP)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -c constraints.txt -e ".[dev,spark]"
	@rm -f $(VENV)/.spark-installed-* && touch $(SPARK_STAMP)

# Spark needs a Java 17+ runtime. Without one, install it where this machine allows (root with apt-get);
# otherwise go on: the Spark parity test is then reported as skipped, with the reason.
java:
	@if [ -n "$$JAVA_HOME" ] || command -v java >/dev/null 2>&1; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	  echo "Installing a Java runtime for the Spark parity test (openjdk-17-jre-headless) ..."; \
	  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
	      openjdk-17-jre-headless >/dev/null 2>&1 || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
	      --no-install-recommends default-jre-headless >/dev/null 2>&1; } \
	  || echo "warning: could not install a Java runtime: the Spark parity test will be skipped"; \
	else echo "warning: no Java runtime (java, JAVA_HOME) and no apt-get as root: the Spark parity test will be skipped"; fi

# The TCFD report's PDF needs a CJK font for Chinese names (WeasyPrint uses fontconfig). Install Debian's
# fonts-noto-cjk where this machine allows (root with apt-get) when no CJK font is present; otherwise go on
# with a warning (Chinese text would print as boxes).
fonts:
	@if fc-list :lang=zh family 2>/dev/null | grep -q .; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	  echo "Installing CJK fonts for the PDF report (fonts-noto-cjk) ..."; \
	  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
	      fonts-noto-cjk >/dev/null 2>&1; } \
	  || echo "warning: could not install fonts-noto-cjk: Chinese names in the PDF report will not render"; \
	else echo "warning: no CJK font and no apt-get as root: install fonts-noto-cjk for Chinese names in the PDF report"; fi

# The dbt manifest must exist before the Dagster Definitions load.
$(MANIFEST): $(STAMP) $(shell find dbt_project -name '*.sql' -o -name '*.yml' -o -name '*.csv' | grep -v target/)
	@mkdir -p $(DAGSTER_HOME)
	$(BIN)/dagster-dbt project prepare-and-package --file pipelines/project.py > /dev/null

manifest: $(MANIFEST)

demo: $(MANIFEST) fonts
	$(BIN)/carbonledger demo

test: $(MANIFEST) $(SPARK_STAMP) java fonts
	$(BIN)/python -m pytest -q $(PYTEST_ARGS)

# The benchmark (docs/benchmarks.md): generates the group at 10%, 30% and 106% (>= 100 M events) once (cached under
# data/bench/), runs the whole pipeline for 2023 at each, the floor and pandas beside it, one more month
# incrementally, and rewrites the results in docs/benchmarks.md. Not part of `make test` (nothing timed there).
# BENCH_SCALES=0.1 make bench for a quick try; BENCH_DATA=/elsewhere to keep the data out of the clone.
bench: $(MANIFEST)
	$(BIN)/python -m bench.run

dev: $(MANIFEST)
	@mkdir -p $(DAGSTER_HOME)
	$(BIN)/dagster dev -h 127.0.0.1 -p 3000 -w workspace.yaml

clean:
	rm -rf data .dagster dbt_project/target dbt_project/logs
