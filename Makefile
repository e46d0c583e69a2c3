# Comuna — the two commands a new user needs are `make demo` and `make test` (see README).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PG_URL ?= postgres://postgres@127.0.0.1:5432/test

.PHONY: demo test install browser lint test-sqlite test-postgres messages bench clean

$(BIN)/comuna: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[test]"
	touch $@

install: $(BIN)/comuna

## Install, build the demo council on SQLite, serve it at http://127.0.0.1:8000/
demo: install
	$(BIN)/comuna demo
	$(BIN)/comuna serve

## Install, then run the whole suite: lint, core, apps on SQLite and PostgreSQL, browser journeys
test: install browser lint test-sqlite test-postgres

browser:
	@scripts/install-chromium.sh
	npm ci --silent

lint: install
	$(BIN)/ruff check comuna tests benchmarks
	$(BIN)/python -m mypy
	$(BIN)/python manage.py makemigrations --check --dry-run

test-sqlite: install
	$(BIN)/python -m pytest tests

test-postgres: install
	@if $(BIN)/python scripts/pg_available.py "$(PG_URL)"; then \
		COMUNA_DATABASE_URL="$(PG_URL)" $(BIN)/python -m pytest tests --ignore=tests/core; \
	elif [ -n "$$COMUNA_REQUIRE_POSTGRES" ]; then \
		echo "PostgreSQL required but not reachable at $(PG_URL)"; exit 1; \
	else echo "PostgreSQL not reachable at $(PG_URL): PostgreSQL pass skipped"; fi

## Regenerate the message catalogues after changing user-facing text
messages: install
	$(BIN)/python manage.py makemessages -l es --no-location --no-obsolete -i ".venv/*" -i "tests/*" -i "benchmarks/*"
	$(BIN)/python manage.py compilemessages -l es --ignore ".venv/*"

## Side-by-side benchmarks against peer libraries (installs them)
bench: install
	$(BIN)/pip install --quiet -e ".[bench]"
	for b in benchmarks/bench_*.py; do $(BIN)/python $$b; done

clean:
	rm -rf $(VENV) comuna.sqlite3* test-comuna.sqlite3* staticfiles
