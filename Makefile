# Two commands for a new machine: `make run` (serve the demo) and `make test` (run the suite).
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test test-argilla worker serve migrate demo clean

# One environment for the demo, the tests and the benchmarks: the service's packages and the test tools.
# A deployment installs requirements.txt alone.
$(VENV)/.installed: requirements.txt requirements-dev.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

migrate: $(VENV)/.installed
	mkdir -p var
	$(PY) manage.py migrate --noinput -v0

demo: migrate
	$(PY) manage.py demo

run: demo
	@echo "Serving http://$(HOST):$(PORT)/  (admin: http://$(HOST):$(PORT)/admin/)"
	$(PY) manage.py runserver $(HOST):$(PORT)

test: $(VENV)/.installed
	$(PY) -m pytest -q tests

test-argilla: $(VENV)/.installed
	$(PY) -m tests.argilla_sdk.run

# Scale-out: a Celery worker for exports and imports (needs REDIS_URL).
worker: $(VENV)/.installed
	$(VENV)/bin/celery -A config worker --loglevel=info --concurrency=2

# Scale-out: gunicorn web processes (set DJANGO_SETTINGS_MODULE=config.settings.prod and SECRET_KEY).
serve: migrate
	$(PY) manage.py collectstatic --noinput -v0
	$(VENV)/bin/gunicorn config.wsgi:application --config python:config.gunicorn --bind $(HOST):$(PORT)

clean:
	rm -rf $(VENV) var
