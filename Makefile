# The two commands: `make demo` (a scenario ending in an HTML report) and `make test` (the suite).
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
TIME_SCALE ?= 0.25
PYTEST_ARGS ?=

.PHONY: demo test lint clean engine

$(BIN)/python:
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "Python 3.11+ is needed"'
	@$(PYTHON) -m venv --help >/dev/null 2>&1 || $(MAKE) --no-print-directory python-venv
	@$(PYTHON) -m ensurepip --version >/dev/null 2>&1 || $(MAKE) --no-print-directory python-venv
	$(PYTHON) -m venv $(VENV)

.PHONY: python-venv
python-venv:
	@if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		apt-get update -qq && apt-get install -y -qq python3-venv; \
	else echo "python3 -m venv is missing: install your distribution's python3-venv package"; exit 2; fi

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

# Installs and starts Debian's Docker engine when none answers and we are root; otherwise says
# what to do (the process backend works without it).
engine:
	@bash scripts/ensure-docker.sh

demo: $(STAMP) engine
	$(BIN)/harness run scenarios/regional-outage.yaml --time-scale $(TIME_SCALE)

test: $(STAMP) engine
	@if docker info >/dev/null 2>&1; then $(BIN)/harness images build; fi
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check harness targets tests bench

clean:
	rm -rf $(VENV) reports .pytest_cache
