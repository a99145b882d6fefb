# The two set-up commands: `make run` and `make test`. Both create .venv themselves and install
# exactly the versions in requirements.lock (every extra of pyproject.toml, resolved together).
#
# Dependencies:
#   make lock         after adding or removing a dependency in pyproject.toml: re-resolve the
#                     lock keeping every other pin as it is (commit the lock with the change)
#   make upgrade      move every pin to the newest release pyproject.toml's ranges allow
#   make test-latest  the whole suite on those newest releases, in .venv-latest (the lock is
#                     left alone); `make test-latest TESTS=tests/unit` for a part of it
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
LOCK := requirements.lock
UV_VERSION := 0.13.9
EXTRAS := test,bench,train
TESTS ?=
LATEST := .venv-latest
COMPILE = --quiet --all-extras --python-version 3.11 --output-file
LOCK_ENV = UV_CUSTOM_COMPILE_COMMAND="make lock"

.PHONY: run test lint test-latest bench train install lock upgrade clean

$(STAMP): pyproject.toml $(LOCK) | $(BIN)/uv
	$(BIN)/uv pip install --quiet --python $(BIN)/python --constraint $(LOCK) -e '.[$(EXTRAS)]'
	touch $(STAMP)

$(BIN)/uv:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet 'uv==$(UV_VERSION)'

install: $(STAMP)

run: $(STAMP)
	$(BIN)/python -m syncd.demo demo
	$(BIN)/syncd --config demo/config.toml run

test: lint
	$(BIN)/pytest -q $(TESTS)

# ruff and mypy, configured in pyproject.toml; `make test` runs them first, so every change passes.
lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/mypy

lock: | $(BIN)/uv
	$(LOCK_ENV) $(BIN)/uv pip compile $(COMPILE) $(LOCK) pyproject.toml

upgrade: | $(BIN)/uv
	$(LOCK_ENV) $(BIN)/uv pip compile --upgrade $(COMPILE) $(LOCK) pyproject.toml

test-latest: | $(BIN)/uv
	rm -rf $(LATEST)
	$(BIN)/uv venv --quiet --python $(PYTHON) $(LATEST)
	$(BIN)/uv pip compile --upgrade $(COMPILE) $(LATEST)/latest.txt pyproject.toml
	$(BIN)/uv pip install --quiet --python $(LATEST)/bin/python --constraint $(LATEST)/latest.txt \
		-e '.[$(EXTRAS)]'
	@echo "Testing on the newest releases:"; grep -E '^(caldav|icalendar|recurring-ical-events)==' $(LATEST)/latest.txt
	$(LATEST)/bin/pytest -q $(TESTS)

bench: $(STAMP)
	$(BIN)/python benchmarks/run_all.py

# Refit the interview detector, the company ranker and the format reader on ../shared/corpus/,
# print their quality tables and rewrite syncd/detect_model.json, syncd/company_model.json and
# syncd/format_model.json (bit for bit the same from the same corpora).
train: $(STAMP)
	$(BIN)/python benchmarks/train_detect.py --errors
	$(BIN)/python benchmarks/train_company.py --errors
	$(BIN)/python benchmarks/train_format.py --errors

clean:
	rm -rf $(VENV) $(LATEST) demo .pytest_cache .hypothesis
