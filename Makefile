# The front door. Every target uses the virtualenv in .venv (made by `make install`).
.DEFAULT_GOAL := help
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PYTEST_ARGS ?=
UP_ARGS ?=

.PHONY: help install system-deps up test test-fast test-integration lint format typecheck imports bench schemas clean

help: ## List every target with what it does
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*## "} {printf "  make %-17s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

install: $(STAMP) ## Create .venv with Aftomato (editable) and its test tools

system-deps: ## Install the Debian packages the test rig runs (RabbitMQ, etcd, git, Chromium) where missing
	scripts/install-system-deps

up: install ## Run Aftomato in one process on embedded back ends (aftomato up; flags in UP_ARGS)
	$(BIN)/aftomato up $(UP_ARGS)

test: system-deps install lint typecheck imports ## Run the whole suite: lint, types, layers, unit and integration tests
	$(BIN)/pytest $(PYTEST_ARGS)

test-fast: install ## Run the unit tests only (no RabbitMQ, etcd or moto)
	$(BIN)/pytest -m "not integration" $(PYTEST_ARGS)

test-integration: system-deps install ## Run only the tests against real services
	$(BIN)/pytest -m integration $(PYTEST_ARGS)

lint: install ## ruff, ruff format, hadolint on the Dockerfiles, shellcheck on the example scripts
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/hadolint --config build-container/.hadolint.yaml build-container/Dockerfile Dockerfile
	$(BIN)/shellcheck examples/build-scripts/*/*/build.sh

format: install ## Apply ruff's fixes and formatting
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

typecheck: install ## mypy --strict over the code, tests and benchmarks
	$(BIN)/mypy libs services build-container tests bench

imports: install ## import-linter: services independent, common imports no service
	$(BIN)/lint-imports

schemas: install ## Re-export the message JSON Schemas into docs/schemas/
	$(BIN)/python -m aftomato.common.schemas docs/schemas

bench: system-deps install ## Run the benchmarks under bench/ (each prints a final JSON line)
	@for script in bench/[a-z]*.py; do name=$$(basename $$script .py); echo "== bench.$$name"; $(BIN)/python -m bench.$$name || exit 1; done

clean: ## Remove the virtualenv and caches
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache .import_linter_cache
