# coprod: everything a fresh machine needs is installed from here.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
EXAMPLE ?= examples/uk-ua-interceptors.yaml
SIZE ?= S

.PHONY: install dev run test lint typecheck unit browser bench bench-risk bench-replan bench-fuzz bench-load wrk clean

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

# The main job: validate the example, load it into the embedded database (SQLite in
# ~/.local/share/coprod unless COPROD_DATABASE_URL says otherwise), plan it, store the plan
# as a version, and write plan/ (summary.md, plan.json, one CSV per table).
run: install
	$(VENV)/bin/coprod validate $(EXAMPLE)
	$(VENV)/bin/coprod db upgrade
	$(VENV)/bin/coprod import $(EXAMPLE) --name example --replace
	$(VENV)/bin/coprod plan --programme example --out plan/

lint: dev
	$(VENV)/bin/ruff check src tests benchmarks
	$(VENV)/bin/ruff format --check src tests benchmarks

typecheck: dev
	$(VENV)/bin/mypy

# The end-to-end tests drive Debian's chromium (Playwright cannot download browsers here);
# the workbook tests re-save a workbook in Debian's LibreOffice (headless, no GUI packages).
browser:
	@command -v chromium >/dev/null 2>&1 && command -v soffice >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    apt-get update -qq; \
	    command -v chromium >/dev/null 2>&1 || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	    command -v soffice >/dev/null 2>&1 || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
	      --no-install-recommends libreoffice-calc-nogui >/dev/null; \
	  else echo "chromium or LibreOffice is missing: install Debian's chromium and libreoffice-calc-nogui"; fi; }

unit: dev browser
	$(VENV)/bin/pytest -q

test: lint typecheck unit

bench: dev
	$(PY) -m benchmarks.run --size $(SIZE)

bench-risk: dev
	$(PY) -m benchmarks.risk

# re-plans through the API after a requirement edit, cold against warm (benchmarks/results/api_replan.json)
bench-replan: dev
	$(PY) -m benchmarks.api_replan

# 10,000 mutated programme files through validate and plan (benchmarks/results/fuzz.json)
bench-fuzz: dev
	$(PY) -m benchmarks.fuzz -n 10000 --seed 1 --workers 2

# The load generator is Debian's wrk (benchmarks/load.py says why).
wrk:
	@command -v wrk >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; \
	  else echo "wrk is missing: install Debian's wrk package for make bench-load"; exit 1; fi; }

# Read load on coprod serve with a plan running and without (SQLite and the local
# PostgreSQL; LOAD_ARGS="--backend sqlite --duration 10" for a shorter run).
bench-load: dev wrk
	$(PY) -m benchmarks.load $(LOAD_ARGS)

clean:
	rm -rf $(VENV) plan build dist .pytest_cache .mypy_cache .ruff_cache test-artifacts
