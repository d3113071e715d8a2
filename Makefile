# nmdesk — two commands: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run test lint bench screenshots clean dist deb smoke

$(STAMP): pyproject.toml setup.py
	bash .ci/debian-deps.sh
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

run: $(STAMP)
	$(PY) main.py

test: $(STAMP)
	QT_QPA_PLATFORM=offscreen $(PY) -m pytest -q

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy nmdesk

bench: $(STAMP)
	QT_QPA_PLATFORM=offscreen $(PY) -m benchmarks

screenshots: $(STAMP)
	QT_QPA_PLATFORM=offscreen $(PY) -m tools.screenshots docs/screenshots

# the PyInstaller onedir bundle in dist/nmdesk/ (packaging/nmdesk.spec; also built on Windows)
dist: $(STAMP)
	$(PY) -m pip install --quiet -e '.[dev,dist]'
	$(VENV)/bin/pyinstaller --noconfirm --clean --log-level WARN --distpath dist \
	  --workpath build/pyinstaller packaging/nmdesk.spec
	du -sh dist/nmdesk

# the built program, not the source: CLI commands and the window's first paint
smoke:
	QT_QPA_PLATFORM=offscreen $(PY) packaging/smoke.py dist/nmdesk/nmdesk

# dist/nmdesk_<version>_<arch>.deb around the bundle
deb: dist
	bash packaging/make_deb.sh

clean:
	rm -rf $(VENV) build dist *.egg-info .pytest_cache .mypy_cache .ruff_cache
