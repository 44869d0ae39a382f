# Shuangsuiji: the two commands a newcomer needs are `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
PYTEST_ARGS ?= -n auto --dist loadgroup

.PHONY: run test install system-deps lint format lock bench clean-db

$(BIN)/.installed: requirements.lock
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.lock
	@touch $@

install: $(BIN)/.installed

system-deps:
	@scripts/install-system-deps.sh

## make run: install, migrate the embedded SQLite database, load the demo county, serve on :8000
run: install
	DEBUG=1 $(BIN)/python manage.py migrate --noinput
	DEBUG=1 $(BIN)/python manage.py seed_demo
	@DEBUG=1 HOST=$(HOST) PORT=$(PORT) scripts/serve-dev.sh

## make test: lint, then the whole suite (on PostgreSQL when DATABASE_URL points at it)
test: install system-deps
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	SHUANGSUIJI_TESTING=1 $(BIN)/python -m pytest $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

## make lock: re-resolve requirements.in into requirements.lock (needs network to PyPI)
lock:
	$(PYTHON) -m pip install --quiet uv
	$(PYTHON) -m uv pip compile requirements.in -o requirements.lock --python-version 3.11

clean-db:
	rm -f var/shuangsuiji.sqlite3 var/shuangsuiji.sqlite3-wal var/shuangsuiji.sqlite3-shm
	# The anchors belong to the deleted chain: kept aside, a new database starts a new file.
	if [ -f var/audit-anchors/audit-anchors.jsonl ]; then \
		mv var/audit-anchors/audit-anchors.jsonl var/audit-anchors/audit-anchors-$$(date +%Y%m%d%H%M%S).jsonl; fi
