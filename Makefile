# CivicLine. Every target sets itself up on a fresh machine with python3, node, npm and make.
SHELL := /bin/bash
.DEFAULT_GOAL := help

UV_VERSION := 0.13.8
UV := $(shell command -v uv >/dev/null 2>&1 && echo uv || echo "python3 -m uv")
RUN := $(UV) run --frozen
ENV ?= dev
OUT ?= out/demo

export JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION := 1
export PYTHONDONTWRITEBYTECODE := 1

.PHONY: help setup demo demo-tax test test-fast lint fmt synth schemas bench browser clean audit

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

.venv/.synced: pyproject.toml uv.lock
	@command -v uv >/dev/null 2>&1 || python3 -m uv --version >/dev/null 2>&1 || python3 -m pip install --quiet "uv==$(UV_VERSION)"
	$(UV) sync --frozen
	@touch $@

setup: .venv/.synced ## Install the locked toolchain and dependencies (uv)

browser: ## Install headless Chromium for the dashboard test, when missing
	@command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1 || \
	  { if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium >/dev/null; \
	    else echo "chromium missing: run 'sudo apt-get install chromium' for the dashboard test"; fi; }

demo: setup ## Seed the local contact center and run a demo hotline day to the summary and dashboard
	$(RUN) civicline simulate --profile regional-hotline-day --seed 7 --out $(OUT)

demo-tax: setup ## The tax agency's peak day at its full 6,000 calls, staffed by its Erlang A plan per agent group
	$(RUN) civicline staffing --profile tax-agency-peak-day --target-sl 0.8 --target-seconds 60 --out $(OUT)/tax/plan.yaml
	$(RUN) civicline simulate --profile tax-agency-peak-day --plan $(OUT)/tax/plan.yaml --seed 7 --out $(OUT)/tax

test: setup browser ## Run every test suite offline (unit, functional, flows, infra, simulation), with coverage
	$(RUN) python -m schemas.generate --check
	$(RUN) pytest -q -n 2 --dist loadgroup --cov --cov-report=term:skip-covered

test-fast: setup ## Unit tests only (no CDK synth, no browser)
	$(RUN) pytest -q -m "not infra and not browser and not slow" -n 2

lint: setup ## ruff, ruff format --check, mypy --strict
	$(RUN) ruff check .
	$(RUN) ruff format --check .
	$(RUN) mypy

fmt: setup ## Format and autofix
	$(RUN) ruff format .
	$(RUN) ruff check --fix .

schemas: setup ## Regenerate schemas/json from the pydantic models
	$(RUN) python -m schemas.generate

synth: setup ## Synthesize the CloudFormation templates (no AWS credentials, no Docker): ENV=dev|prod
	$(RUN) python -m infra.app --env $(ENV) --out cdk.out

audit: setup ## pip-audit on uv.lock (needs the network); says NOT AUDITED and fails when it cannot check
	$(RUN) python -m scripts.audit

bench: setup ## Print the performance figures next to their floors
	$(RUN) python -m benchmarks

clean: ## Remove generated output
	rm -rf cdk.out out .coverage .coverage.* htmlcov .pytest_cache .mypy_cache .ruff_cache
