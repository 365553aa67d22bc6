# Two entry points for a fresh Debian machine with Python 3.11:
#   make run   - create .venv, install coursepack, build the bundled course into build/
#   make test  - install everything the tests need (Python, Debian and npm packages), run them all
#   make bench - benchmarks vs mkdocs and raw WeasyPrint (BENCH_ARGS="--quick" for a smoke run)
PYTHON ?= python3.11
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
TEST_STAMP := $(VENV)/.test-installed
SYSTEM_STAMP := $(VENV)/.system-installed
NPM_STAMP := tests/node_modules/.installed

.PHONY: run test lint bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(TEST_STAMP): pyproject.toml $(STAMP)
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

# Debian packages: installed only when one is missing (apt-get update once first).
$(SYSTEM_STAMP): scripts/install-system-deps.sh | $(BIN)/python
	scripts/install-system-deps.sh
	touch $@

$(NPM_STAMP): tests/package.json tests/package-lock.json | $(SYSTEM_STAMP)
	cd tests && npm ci --no-audit --no-fund --loglevel=error
	touch $@

run: $(STAMP)
	$(BIN)/coursepack build .

test: $(TEST_STAMP) $(SYSTEM_STAMP) $(NPM_STAMP)
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/mypy
	$(BIN)/lint-imports
	$(BIN)/pytest -n 2 --dist loadgroup

lint: $(TEST_STAMP)
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/mypy
	$(BIN)/lint-imports

bench: $(STAMP)
	$(BIN)/python benchmarks/run.py $(BENCH_ARGS)

clean:
	rm -rf build $(VENV) tests/node_modules
