# giamngheo developer tasks. `make demo` and `make test` are all a newcomer needs.
VENV ?= .venv
PYTHON ?= python3
PY = $(VENV)/bin/python
BIN = $(VENV)/bin
# Touched after a successful install, so `make install` re-runs only when pyproject.toml changes.
STAMP = $(VENV)/.installed
APPS = node hub

.PHONY: install demo test lint bench translations

install: $(STAMP)

$(STAMP): pyproject.toml package-lock.json
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q -e '.[dev]'
	# axe-core, which the browser tests load into pages (tests/e2e).
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

demo: install
	$(BIN)/giamngheo demo

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# pytest exits 5 when it collected no test: that is a failure here, and says so.
test: lint
	$(PY) -m pytest; status=$$?; \
	if [ $$status -eq 5 ]; then echo "pytest collected no tests" >&2; fi; \
	exit $$status

bench: install
	@set -e; for script in bench/*.py; do \
		[ -e "$$script" ] || { echo "no benchmarks in bench/"; break; }; \
		echo "== $$script"; $(PY) "$$script"; \
	done

# Extract the English source strings, merge them into the Vietnamese catalogues, compile them.
translations: install
	set -e; for app in $(APPS); do \
		$(BIN)/pybabel -q extract -F babel.cfg -k _l --project giamngheo --version 0.1.0 \
			--add-location=file --sort-output -w 100 -o $$app/translations/messages.pot $$app; \
		$(BIN)/pybabel -q update --init-missing -N --ignore-obsolete -w 100 -l vi \
			-i $$app/translations/messages.pot -d $$app/translations; \
		$(BIN)/pybabel -q compile -d $$app/translations; \
	done
