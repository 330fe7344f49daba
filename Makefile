# The two commands of the README, and a few more for developers.
VENV ?= .venv
PY = $(VENV)/bin/python
PIP = $(VENV)/bin/pip
FLASK = $(VENV)/bin/flask --app govchallenge

.PHONY: install install-run demo test test-fast mutation screenshots bench bench-replay i18n worker

$(VENV)/bin/activate:
	python3 -m venv $(VENV)
	$(PIP) install -q --upgrade pip

# What running the platform needs, and no more (the demo); the test extras come with `install` (make test).
install-run: $(VENV)/bin/activate
	$(PIP) install -q -e .

install: $(VENV)/bin/activate
	$(PIP) install -q -e '.[test]'

# Installs what running needs, loads the demo data, prints each login with its part in the demo and the page
# that shows the e-mails written, and serves http://127.0.0.1:5000
demo: install-run
	$(FLASK) demo
	$(FLASK) run --host 127.0.0.1 --port 5000

# Installs, makes sure PostgreSQL, Redis and Chromium are there, and runs the whole suite on SQLite and PostgreSQL:
# two pytest processes side by side (one per database, each on its own Redis database; the browser tests and the
# tests that use no database with SQLite only), in random order with the seed printed. Fails when either fails.
test: install
	bash .ci/services
	TEST_REDIS_URL=redis://127.0.0.1:6379/14 $(PY) -m pytest -p no:cacheprovider --db=postgresql --only-database-tests -m "not browser" \
		> .test-postgresql.log 2>&1 & pg=$$!; \
	TEST_REDIS_URL=redis://127.0.0.1:6379/15 $(PY) -m pytest -p no:cacheprovider --db=sqlite; sqlite=$$?; \
	wait $$pg; postgresql=$$?; echo "--- PostgreSQL run ---"; cat .test-postgresql.log; rm -f .test-postgresql.log; \
	echo "SQLite: exit $$sqlite; PostgreSQL: exit $$postgresql"; test $$sqlite -eq 0 -a $$postgresql -eq 0

test-fast: install
	$(PY) -m pytest -m "not browser" --db=sqlite

# Mutation testing of the rule modules listed in tools/mutation.toml (not part of `make test`: it takes long).
# Prints the score per module and each surviving mutant; fails when a module is below its minimum.
mutation: install
	$(PIP) install -q -e '.[test,mutation]'
	bash .ci/services
	$(PY) tools/mutation.py

# Refreshes docs/screenshots/ (the README's pictures of the demo) through the width test, which otherwise
# writes its screenshots into a temporary folder.
screenshots: install
	bash .ci/services
	GOVCHALLENGE_SCREENSHOTS=$(CURDIR)/docs/screenshots $(PY) -m pytest -p no:randomly --db=sqlite tests/browser/test_every_width.py

bench: install
	$(PY) bench/run.py

# The #EUvsVirus replay through HTTP (needs PostgreSQL and Redis; not part of `make test`): builds the replay into
# the database bench_replay when it is empty (flask bench seed --scale euvsvirus: ~15 minutes here), then measures
# every page under gunicorn against a bare Flask "hello", the deadline rush of 2,150 teams through HTTP (its own
# database bench_rush, copied from a template built once) and the announcement to 20,900 recipients, and prints
# one table. ROWS="home,deadline rush" runs a subset; see bench/replay_http.py for every setting.
bench-replay: install
	bash .ci/services
	$(PIP) install -q -e '.[test,bench]'
	createdb -h 127.0.0.1 -U postgres bench_replay 2>/dev/null || true
	$(PY) bench/replay_http.py

worker: install-run
	$(FLASK) jobs worker

# Extract new strings and merge them into every catalogue.
i18n: install
	$(VENV)/bin/pybabel -q extract -F babel.cfg -k _l -k lazy_gettext --ignore-dirs=.venv --ignore-dirs=tests -o govchallenge/translations/messages.pot .
	$(VENV)/bin/pybabel -q update -i govchallenge/translations/messages.pot -d govchallenge/translations --no-fuzzy-matching --ignore-obsolete
