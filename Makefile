# The two commands: `make demo` (a scenario ending in an HTML report) and `make test` (the suite).
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
TIME_SCALE ?= 0.25
PYTEST_ARGS ?=
# Exit 5 (no test selected) is fine: PYTEST_ARGS="-k name" selects from one group only.
PYTEST := $(BIN)/python -m pytest

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

# -qq: pip and the build backend stay quiet unless something fails (no warning walls).
$(STAMP): pyproject.toml | $(BIN)/python
	@echo "installing the package and its dependencies into $(VENV) (about a minute the first time)"
	@$(BIN)/python -m pip install -qq --upgrade pip
	@$(BIN)/python -m pip install -qq -e '.[dev]'
	@touch $(STAMP)

# Installs and starts Debian's Docker engine when none answers and we are root; otherwise says
# what to do (the process backend works without it).
engine:
	@bash scripts/ensure-docker.sh

demo: $(STAMP) engine
	$(BIN)/harness run scenarios/regional-outage.yaml --time-scale $(TIME_SCALE)

# Lint and types first (they fail in seconds), then the suite on both cores: unit and
# integration tests (CPU-bound), then the whole-scenario runs two at a time (they mostly wait on
# their compressed schedule; each run only checks its own leftovers, so two never collide), and
# last the runs that judge latency against their own baseline, alone (a neighbour's CPU bursts
# would show in a p99 of 80 requests).
test: lint $(STAMP) engine
	@if docker info >/dev/null 2>&1; then $(BIN)/harness images build; fi
	$(PYTEST) -n 2 tests/unit tests/integration $(PYTEST_ARGS) || [ $$? = 5 ]
	$(PYTEST) -n 2 -m "not solo" tests/e2e $(PYTEST_ARGS) || [ $$? = 5 ]
	$(PYTEST) -m solo tests/e2e $(PYTEST_ARGS) || [ $$? = 5 ]

lint: $(STAMP)
	$(BIN)/ruff check harness targets tests bench
	$(BIN)/ruff format --check harness targets tests bench
	$(BIN)/mypy harness targets

clean:
	rm -rf $(VENV) reports .pytest_cache
