# copsim: two commands do everything on a fresh machine.
#   make demo   set up, then run the default scenario (summary table + adoption figure in results/demo/)
#   make test   set up, then run the test suite
# Set-up (once): a virtual environment in .venv with Python 3.12 (pyenv, via .python-version),
# copsim and all its extras, and Debian's chromium for the dashboard's browser test.

VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: demo test validation lint setup browser reference app bench validation-figures

setup: $(STAMP)

$(STAMP): pyproject.toml scripts/setup.sh
	bash scripts/setup.sh
	touch $(STAMP)

demo: $(STAMP)
	$(VENV)/bin/copsim-run replicates=10 out=results/demo

test: $(STAMP) browser
	$(PY) -m pytest -q -m "not slow" -p no:cacheprovider --timeout=900 tests

validation: $(STAMP)
	$(PY) -m pytest -q -m validation -p no:cacheprovider tests/validation

lint: $(STAMP)
	$(VENV)/bin/ruff check src tests benchmarks scripts && $(VENV)/bin/ruff format --check src tests benchmarks scripts

browser:
	@command -v chromium >/dev/null || bash scripts/install_chromium.sh

reference: $(STAMP)
	bash scripts/make_reference.sh

app: $(STAMP)
	$(VENV)/bin/copsim-app

bench: $(STAMP)
	$(PY) benchmarks/run.py

validation-figures: $(STAMP)
	$(PY) scripts/validation_figures.py
