# Vertskap: `make run` sets everything up and serves the app; `make test` runs every test.
SHELL := /bin/bash
VENV ?= .venv
PYTHON ?= python3
HOST ?= 127.0.0.1
PORT ?= 5000
export VERTSKAP_ENV ?= development
FLASK := $(VENV)/bin/flask --app app
STAMP := $(VENV)/.installed

.PHONY: run test lint install translations messages browser js bench bench-mail bench-reports bench-lighthouse clean

$(STAMP): pyproject.toml
	@test -x $(VENV)/bin/python || $(PYTHON) -m venv $(VENV)
	$(VENV)/bin/python -m pip install --quiet --upgrade pip
	$(VENV)/bin/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

install: $(STAMP) translations

# Compiled catalogues are build output, not sources (.gitignore).
translations: $(STAMP)
	@$(VENV)/bin/pybabel compile -d translations -D messages --statistics

# Extract strings and update the catalogues after changing UI text.
messages: $(STAMP)
	$(VENV)/bin/pybabel extract -F babel.cfg --ignore-dirs='.* __pycache__ node_modules' -k _l -k lazy_gettext -k ngettext:1,2 -k lazy_pgettext:1c,2 --no-location --sort-output -o translations/messages.pot --project Vertskap .
	$(VENV)/bin/pybabel update -i translations/messages.pot -d translations -D messages --no-fuzzy-matching

run: install
	$(FLASK) db upgrade
	$(FLASK) demo load --if-empty
	$(FLASK) serve --host $(HOST) --port $(PORT)

# Debian's Chromium for the browser tests; Playwright never downloads a browser here.
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null); \
	  else echo "chromium is missing: run 'sudo apt-get install chromium' for the browser tests"; fi; }

# Mozilla's ical.js and node-ical parse our feeds in the tests (pinned in tests/js).
JS_STAMP := tests/js/node_modules/.package-lock.json
$(JS_STAMP): tests/js/package.json tests/js/package-lock.json
	@if command -v npm >/dev/null 2>&1; then npm ci --prefix tests/js --no-audit --no-fund --loglevel=error; \
	  else echo "npm is missing: the ical.js and node-ical checks will be skipped"; fi
js: $(JS_STAMP)

# The suite runs in TEST_WORKERS processes (pytest-xdist), one per core here;
# TEST_WORKERS=0 runs it in this process.
# TEST_CLOCK='2027-03-28 00:40:00' (UTC) runs the suite as if it were that moment, the
# clock running on from there: every process of the run (pytest, the commands the tests
# start, a PostgreSQL cluster of the run's own, Chromium, Node) preloads libfaketime with
# one offset (tests/at_clock.py says why not Debian's faketime). The setup steps before
# pytest (install, browser, js, lint) run on the real clock.
TEST_WORKERS ?= 2
TEST_CLOCK ?=
test: install browser js lint
	$(if $(TEST_CLOCK),$(VENV)/bin/python -m tests.at_clock '$(TEST_CLOCK)' --) env VERTSKAP_ENV=testing $(VENV)/bin/python -m pytest -n $(TEST_WORKERS) $(PYTEST_ARGS)

# The migration drift check (flask db check) runs inside the tests, on both databases.
lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache

# Feed speed against nginx serving the same bytes, measured with wrk. Debian's
# nginx-light and wrk are installed when run as root (as `browser` installs
# chromium); otherwise bench/feeds.py says what to install. Debian puts nginx
# in /usr/sbin. `make bench-mail` measures mail delivery.
bench: install
	@missing=""; export PATH="$$PATH:/usr/sbin"; \
	  command -v nginx >/dev/null 2>&1 || missing="nginx-light"; \
	  command -v wrk >/dev/null 2>&1 || missing="$$missing wrk"; \
	  if [ -n "$$missing" ] && [ "$$(id -u)" = 0 ]; then \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null); fi
	PATH="$$PATH:/usr/sbin" $(VENV)/bin/python bench/feeds.py $(BENCH_ARGS)

# Outbox delivery: 1,000 queued mails to a local SMTP server, on SQLite; for
# PostgreSQL, BENCH_MAIL_ARGS='--database-url postgresql://user:password@host/postgres'.
bench-mail: install
	$(VENV)/bin/python bench/mail.py $(BENCH_MAIL_ARGS)

# `make bench-reports` times the annual report and the action programme on a large register.
bench-reports: install
	$(VENV)/bin/python bench/reports.py $(BENCH_REPORTS_ARGS)

# Lighthouse (mobile preset) on the public and staff pages, in Debian's chromium
# (`browser`); Lighthouse itself is pinned in bench/lighthouse (npm, Node 18.16+).
# BENCH_LIGHTHOUSE_ARGS='--only home planner --runs 3 --json scores.json'.
LIGHTHOUSE_STAMP := bench/lighthouse/node_modules/.package-lock.json
$(LIGHTHOUSE_STAMP): bench/lighthouse/package.json bench/lighthouse/package-lock.json
	npm ci --prefix bench/lighthouse --no-audit --no-fund --loglevel=error
bench-lighthouse: install browser $(LIGHTHOUSE_STAMP)
	$(VENV)/bin/python bench/lighthouse.py $(BENCH_LIGHTHOUSE_ARGS)
