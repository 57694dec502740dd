"""The demo company `make run` loads (manage.py seed_demo): it stands on every app and
goes through their services, so the demo obeys the same rules as real use."""
