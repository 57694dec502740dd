# OSP: `make run` sets up and starts everything; `make test` installs and runs every test.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000

.PHONY: install run test lint messages check-messages bench clean

$(VENV)/.installed: requirements.lock pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.lock
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

# Re-extract the strings (after changing user-facing text), then translate the .po.
messages: install
	$(PY) manage.py makemessages --locale zh_Hans --no-obsolete --no-location --ignore .venv
	$(PY) manage.py compilemessages --locale zh_Hans

# Fails if a .mo is missing or older than its .po content (CI).
check-messages: install
	$(PY) scripts/check_messages.py

clean:
	rm -rf $(VENV) var db.sqlite3 staticfiles
