# Two commands set everything up on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
PYTEST_ARGS ?=

.PHONY: install test test-quick lint demo bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	# Optional, and slows every Jupyter/papermill start by ~2.5 s (see shared/RECIPES.md).
	-$(BIN)/python -m pip uninstall --quiet --yes rfc3987-syntax
	touch $(STAMP)

install: $(STAMP)

lint: install
	$(BIN)/ruff check apitoolkit tests benchmarks
	$(BIN)/mypy

test: install lint
	$(BIN)/pytest -n 2 $(PYTEST_ARGS)

test-quick: install
	$(BIN)/pytest -n 2 -m "not slow" $(PYTEST_ARGS)

demo: install
	$(BIN)/python -m apitoolkit demo

bench: install
	$(BIN)/python -m benchmarks

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache reports
