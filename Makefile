PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEVSTAMP := $(VENV)/.installed-dev
BENCHSTAMP := $(VENV)/.installed-bench

TRAINVENV := .venv-train
TRAINSTAMP := $(TRAINVENV)/.installed

.PHONY: demo test test-train lint typecheck unit bench fuzz clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV) || python3 -m venv $(VENV)
	$(BIN)/pip install -q -U pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e .
	touch $@

$(DEVSTAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e '.[dev]'
	touch $(STAMP) $@

$(BENCHSTAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e '.[dev,bench]'
	touch $(STAMP) $@

demo: $(STAMP)
	$(BIN)/newsdistill process examples/sample_page.txt --format md

lint: $(DEVSTAMP)
	$(BIN)/ruff format --check src tests benchmarks
	$(BIN)/ruff check src tests benchmarks

typecheck: $(DEVSTAMP)
	$(BIN)/mypy

# The whole suite: Ray and the browser included.
test: $(DEVSTAMP) lint typecheck
	$(BIN)/python -m pytest -q $(PYTEST_ARGS)

# The fast loop while working: no Ray, no browser, nothing marked slow.
unit: $(DEVSTAMP)
	$(BIN)/python -m pytest -q -m "not ray and not browser and not slow" $(PYTEST_ARGS)

# Training the accurate attribution model needs torch: its own venv, so `make test` stays torch-free.
# torch 2.13.0 first: where its CPU build lies on disk pip takes it, instead of a CUDA build of several GB.
$(TRAINSTAMP): pyproject.toml
	$(PYTHON) -m venv $(TRAINVENV) || python3 -m venv $(TRAINVENV)
	$(TRAINVENV)/bin/pip install -q -U pip
	$(TRAINVENV)/bin/pip install -q 'torch==2.13.0' || true
	$(TRAINVENV)/bin/pip install -q -e '.[dev,train]'
	touch $@

test-train: $(TRAINSTAMP)
	$(TRAINVENV)/bin/python -m pytest -q -m train $(PYTEST_ARGS)

bench: $(BENCHSTAMP)
	$(BIN)/python benchmarks/extraction.py
	$(BIN)/python benchmarks/attribution.py
	$(BIN)/python benchmarks/corpus.py
	$(BIN)/python benchmarks/scale.py

fuzz: $(DEVSTAMP)
	HYPOTHESIS_PROFILE=fuzz $(BIN)/python -m pytest -q tests/test_fuzz.py

clean:
	rm -rf $(VENV) $(TRAINVENV) build dist *.egg-info .mypy_cache .pytest_cache .ruff_cache
