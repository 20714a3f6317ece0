# Two commands on a fresh machine: `make run` opens the app, `make test` runs the suite.
PYTHON ?= python3.11
VENV   ?= .venv
PY     := $(VENV)/bin/python
PIP    := $(PY) -m pip
STAMP_APP  := $(VENV)/.installed-app
STAMP_TEST := $(VENV)/.installed-test

.PHONY: run test lint bench clean qt-libs

$(PY):
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "Python 3.11 is needed: install it (e.g. 'apt-get install python3.11 python3.11-venv') or run 'make PYTHON=python3 run'"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip

$(STAMP_APP): pyproject.toml setup.py | $(PY)
	$(PIP) install --quiet -e .
	@touch $@

$(STAMP_TEST): pyproject.toml setup.py $(STAMP_APP)
	$(PIP) install --quiet -e ".[test]"
	@touch $@

qt-libs:
	@$(PY) -m automl_gui.display_check --install || true

run: $(STAMP_APP) qt-libs
	$(PY) -m automl_gui

# the import contracts in pyproject.toml first (seconds), then the suite in one worker per core
# plus two (tests wait on engine processes, subprocesses and the event loop: on 2 cores, 1,527
# tests took 8.0 min with 4 workers and 8.6 with 3), at most 4 (each holds its own
# TensorFlow); `--dist loadfile` keeps a file's tests, and its module fixtures such as trained
# models, in one worker. A crashed worker is not replaced: with `--dist loadfile` xdist 3.8
# can wait forever for the replacement (pytest-xdist issues 784, 1323), so the run stops and
# reports the crash instead
TEST_WORKERS ?= $(shell $(PYTHON) -c "import os; print(min(4, (os.cpu_count() or 1) + 2))" 2>/dev/null || echo 2)
test: $(STAMP_TEST)
	$(VENV)/bin/lint-imports
	QT_QPA_PLATFORM=offscreen $(PY) -m pytest -q -n $(TEST_WORKERS) --dist loadfile --max-worker-restart=0

lint: $(STAMP_TEST)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports

bench: $(STAMP_TEST)
	$(PIP) install --quiet -e ".[bench]"
	QT_QPA_PLATFORM=offscreen $(PY) benchmarks/run.py

clean:
	rm -rf $(VENV) build dist *.egg-info .pytest_cache .ruff_cache .import_linter_cache .grimp_cache

# The one-folder desktop app in build/dist/automl-gui (PyInstaller), then its smoke test.
.PHONY: bundle
bundle: $(STAMP_APP)
	$(PIP) install --quiet -e ".[packaging]"
	$(PY) packaging/build.py all
