# Entry points for a fresh clone (each installs what it needs into .venv first):
#   make run         - run the whole workflow on the default (simulated) data
#   make test        - lint checks, the test suite with the browser test of the HTML report (one
#                      pytest session, so they share one tiny run), then the SLURM cluster test
#                      (both need root + apt)
#   make test-local  - lint checks and the test suite without the cluster and browser tests
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
CORES ?= 2

.PHONY: run test test-local test-cluster test-browser lint install

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet torch==2.13.0
	$(BIN)/pip install --quiet -e '.[dev,cluster]'
	touch $@

install: $(VENV)/.installed

run: install
	$(BIN)/python -m lithoflow --cores $(CORES)

lint: install
	$(BIN)/ruff check src tests bench workflow/scripts
	$(BIN)/ruff format --check src tests bench workflow/scripts
	$(BIN)/snakefmt --check Snakefile workflow/rules
	$(BIN)/snakemake --lint --cores 1

test-local: lint
	$(BIN)/pytest -m "not cluster and not browser" --durations=15

test-cluster: install
	.ci/cluster.sh

test-browser: install
	.ci/browser.sh

test: lint
	.ci/browser.sh --install-only
	LITHOFLOW_REQUIRE_BROWSER=1 $(BIN)/pytest -m "not cluster" --durations=15
	.ci/cluster.sh
