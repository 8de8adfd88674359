# giamngheo developer tasks. `make demo` and `make test` are all a newcomer needs.
VENV ?= .venv
PYTHON ?= python3
PY = $(VENV)/bin/python
BIN = $(VENV)/bin
# Touched after a successful install, so `make install` re-runs only when pyproject.toml changes.
STAMP = $(VENV)/.installed
APPS = node hub

.PHONY: install demo test lint bench translations deploy-local deploy-prerequisites

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
	# ansible/.ansible-lint sets the profile (production); ansible-lint wants its venv on PATH.
	cd ansible && PATH="$(abspath $(BIN)):$$PATH" ansible-lint --nocolor -q

# pytest exits 5 when it collected no test: that is a failure here, and says so.
test: lint
	$(PY) -m pytest; status=$$?; \
	if [ $$status -eq 5 ]; then echo "pytest collected no tests" >&2; fi; \
	exit $$status

# Debian packages the local deployment needs (the roles would install them; the test wants them
# there first). `make deploy-prerequisites` installs those missing; .ci/run calls it.
DEPLOY_DEBS = nginx python3-psycopg2 python3-cryptography python3-venv python3-apt acl pgbackrest prometheus

deploy-prerequisites:
	@missing=$$(for deb in $(DEPLOY_DEBS); do \
		dpkg-query -W -f='$${Status}' $$deb 2>/dev/null | grep -q 'ok installed' || echo $$deb; done); \
	if [ -n "$$missing" ]; then \
		echo "Installing" $$missing; apt-get update -q && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -q $$missing; \
	fi

# Apply ansible/node.yml to this machine (as root, without systemd), isolated under
# /tmp/giamngheo-deploy-*, check it through nginx over HTTPS, back up and restore, then remove
# everything (README "Deployment"). GIAMNGHEO_DEPLOY_KEEP=1 keeps it running.
deploy-local: install deploy-prerequisites
	$(PY) -m pytest -m deploy -v -s tests/deploy

# Every bench, each with its defaults (bench/README.md); bench/bare_app.py is submit.py's yardstick,
# not a bench.
BENCHES = engine submit snapshot pull import load pages scale

bench: install
	@set -e; for name in $(BENCHES); do \
		echo "== bench/$$name.py"; $(PY) "bench/$$name.py"; \
	done

# Extract the English source strings, merge them into the Vietnamese catalogues, compile them.
# Each app's catalogue also holds the strings of shared/web (its templates and messages).
translations: install
	set -e; for app in $(APPS); do \
		$(BIN)/pybabel -q extract -F babel.cfg -k _l --project giamngheo --version 0.1.0 \
			--add-location=file --sort-output -w 100 -o $$app/translations/messages.pot $$app shared/web; \
		$(BIN)/pybabel -q update --init-missing -N --ignore-obsolete -w 100 -l vi \
			-i $$app/translations/messages.pot -d $$app/translations; \
		$(BIN)/pybabel -q compile -d $$app/translations; \
	done
