# Two commands on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
DEMO   := config/campaigns/quality-city-2013.yaml

.PHONY: install run test lint typecheck pytest bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)  ## leaves .venv/bin/coordbot

# Migrates, loads the demo campaign (rebased by whole weeks so that its first deadline falls in
# the week from today in COORDBOT_TIMEZONE, unless COORDBOT_CAMPAIGN names another file), then
# serves Telegram if a token is set, else the console. In the console, CAMPAIGN picks a shipped
# campaign and ROLE a role: `make run CAMPAIGN=household-survey-2018 ROLE=resident` asks the 2018
# survey's FAQ as a resident.
CAMPAIGN ?=
AS ?=
run: install
	@mkdir -p var
	@if [ -z "$${COORDBOT_CAMPAIGN:-}" ]; then export COORDBOT_CAMPAIGN_REBASE=$${COORDBOT_CAMPAIGN_REBASE:-today}; fi; \
	$(BIN)/coordbot db upgrade && \
	if [ -n "$${COORDBOT_TELEGRAM_TOKEN:-}" ] || grep -qs '^COORDBOT_TELEGRAM_TOKEN=.' .env; then \
		exec $(BIN)/coordbot run; \
	else \
		echo "No COORDBOT_TELEGRAM_TOKEN: starting the local console chat (type /help)."; \
		exec $(BIN)/coordbot console $(if $(CAMPAIGN),--campaign $(CAMPAIGN)) $(if $(ROLE),--as $(ROLE)); \
	fi

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: install
	$(BIN)/mypy

# PostgreSQL too: COORDBOT_TEST_POSTGRES_URL if set, else the local Debian cluster when this
# user may start it (.ci/postgres.sh; root, as in CI); otherwise those tests skip and say why.
pytest: install
	@if [ -z "$${COORDBOT_TEST_POSTGRES_URL:-}" ] && command -v pg_ctlcluster >/dev/null 2>&1 \
		&& [ "$$(id -u)" = 0 ] && bash .ci/postgres.sh; then \
		export COORDBOT_TEST_POSTGRES_URL=postgresql://coordbot:coordbot@127.0.0.1:5432/postgres; \
	fi; \
	$(BIN)/pytest -q -p no:cacheprovider

test: lint typecheck pytest  ## the whole suite: ruff, mypy, pytest on SQLite and PostgreSQL

bench: install
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
