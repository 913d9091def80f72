# coprod: everything a fresh machine needs is installed from here.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
EXAMPLE ?= examples/uk-ua-interceptors.yaml
SIZE ?= S

.PHONY: install dev run test lint typecheck unit bench clean

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e .
	touch $@

$(VENV)/.dev: $(VENV)/.installed
	$(PY) -m pip install --quiet -e '.[dev,bench]'
	touch $@

install: $(VENV)/.installed

dev: $(VENV)/.dev

run: install
	$(VENV)/bin/coprod validate $(EXAMPLE)
	$(VENV)/bin/coprod plan $(EXAMPLE) --out plan/

lint: dev
	$(VENV)/bin/ruff check src tests benchmarks
	$(VENV)/bin/ruff format --check src tests benchmarks

typecheck: dev
	$(VENV)/bin/mypy

unit: dev
	$(VENV)/bin/pytest -q

test: lint typecheck unit

bench: dev
	$(PY) -m benchmarks.run --size $(SIZE)

clean:
	rm -rf $(VENV) plan build dist .pytest_cache .mypy_cache .ruff_cache
