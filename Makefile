# OSP: `make run` sets up and starts everything; `make test` installs and runs every test.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000

.PHONY: install run test lint messages check-messages bench clean

$(VENV)/.installed: requirements.lock requirements-dev.lock pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.lock
	touch $@

install: $(VENV)/.installed

run: install
	$(PY) manage.py migrate --no-input
	$(PY) manage.py seed_demo
	$(PY) scripts/run_all.py --port $(PORT)

test: install
	$(PY) -m pytest

lint: install
	$(VENV)/bin/ruff check .

MAKEMESSAGES := $(PY) manage.py makemessages --locale zh_Hans --no-obsolete --no-location \
	--ignore .venv --ignore tests

# Re-extract the strings (after changing user-facing text), then translate the .po.
messages: install
	$(MAKEMESSAGES)
	$(PY) manage.py compilemessages --locale zh_Hans --ignore .venv

# Fails if a user-facing string is missing from the catalogue, untranslated or fuzzy, or if
# a .mo is not compiled from its .po (CI).
check-messages: install
	$(MAKEMESSAGES) >/dev/null
	git diff --exit-code -I '^"POT-Creation-Date' -- locale/ || \
	  (echo "locale/ is not in step with the source strings: run make messages"; exit 1)
	$(PY) scripts/check_messages.py

# Benchmarks on this machine's PostgreSQL (database osp_bench); not part of the tests.
bench: install
	bash scripts/bench.sh $(BENCH_ARGS)

clean:
	rm -rf $(VENV) var db.sqlite3 staticfiles
