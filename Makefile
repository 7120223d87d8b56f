# Two commands set everything up on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
PYTEST_ARGS ?=
SOAK_ROUNDS ?= 25

.PHONY: install system-packages system-packages-demo test soak test-quick lint demo bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet --quiet -e '.[dev]'  # -qq: errors show, build-backend warnings do not
	# Optional, and slows every Jupyter/papermill start by ~2.5 s (its URI checks are never used here).
	-$(BIN)/python -m pip uninstall --quiet --yes rfc3987-syntax
	touch $(STAMP)

install: $(STAMP)

# Debian packages: a CJK font for the figures, and for the tests Chromium and redis-server. Installed when root
# and missing; otherwise one line says the command to run.
system-packages:
	@.ci/system-packages test

system-packages-demo:
	@.ci/system-packages demo

# The checks .pre-commit-config.yaml runs too: lint rules and complexity, one format, types, the layers.
lint: install
	$(BIN)/ruff check apitoolkit tests benchmarks
	$(BIN)/ruff format --check apitoolkit tests benchmarks
	$(BIN)/mypy
	$(BIN)/lint-imports

test: install system-packages lint
	$(BIN)/pytest -n 2 $(PYTEST_ARGS)

# The fault soak with many seeded rounds, and the crash points; figures in reports/soak.jsonl.
soak: install
	mkdir -p reports && rm -f reports/soak.jsonl
	APITOOLKIT_SOAK_ROUNDS=$(SOAK_ROUNDS) APITOOLKIT_SOAK_SUMMARY=reports/soak.jsonl \
		$(BIN)/pytest -n 2 -rP tests/integration/test_soak.py tests/integration/test_crash.py $(PYTEST_ARGS)

test-quick: install
	$(BIN)/pytest -n 2 -m "not slow" $(PYTEST_ARGS)

demo: install system-packages-demo
	$(BIN)/python -m apitoolkit demo

bench: install
	$(BIN)/python -m benchmarks

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache reports
