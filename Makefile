# Bookmarker: two commands on a fresh clone, `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3.13
VENV := .venv
BIN := $(VENV)/bin
SAM_VENV := .venv-sam
SAM := $(SAM_VENV)/bin/sam
export AWS_DEFAULT_REGION ?= us-east-1
export SAM_CLI_TELEMETRY := 0

.PHONY: install run test check lint bench load check-data build deploy reset clean

$(BIN)/python:
	@command -v $(PYTHON) >/dev/null || { echo "$(PYTHON) is required (pyenv: the repo's .python-version selects it)"; exit 1; }
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: $(BIN)/python requirements-dev.txt layers/common/requirements.txt
	$(BIN)/pip install --disable-pip-version-check -q -r requirements-dev.txt
	touch $@

install: $(VENV)/.installed

run: install  ## the local API on 127.0.0.1:$${PORT:-3000}, embedded DynamoDB, state in .local/
	$(BIN)/python -m local

test: install  ## the whole suite, offline (the browser tests need Debian's chromium: installed if missing)
	scripts/ensure-chromium
	$(BIN)/pytest

check: install  ## the quick suite, while you work: unit, handler and ops tests on every core, without the timing tests
	$(BIN)/pytest -n auto -m "not timing" tests/unit tests/handlers tests/ops tests/test_iam_policies.py

# aws-sam-cli pins its own boto3/pydantic: it lives in a venv of its own.
$(SAM): requirements-sam.txt
	test -x $(SAM_VENV)/bin/python || $(PYTHON) -m venv $(SAM_VENV)
	$(SAM_VENV)/bin/pip install --disable-pip-version-check -q -r requirements-sam.txt
	touch $@

# checkov pins its own dependencies too: a venv of its own.
SCAN_VENV := .venv-scan
CHECKOV := $(SCAN_VENV)/bin/checkov
$(CHECKOV): requirements-scan.txt
	test -x $(SCAN_VENV)/bin/python || $(PYTHON) -m venv $(SCAN_VENV)
	$(SCAN_VENV)/bin/pip install --disable-pip-version-check -q -r requirements-scan.txt
	touch $@

# Redocly CLI, the second OpenAPI validator (rules in redocly.yaml): the versions package-lock.json pins, exactly.
NODE_TOOLS := node_modules/.installed
REDOCLY := node_modules/.bin/redocly
$(NODE_TOOLS): package.json package-lock.json
	@command -v npm >/dev/null || { echo "npm (Node.js 20.19+) is required for redocly: apt-get install nodejs npm"; exit 1; }
	npm ci --no-audit --no-fund --ignore-scripts
	touch $@

lint: install $(SAM) $(CHECKOV) $(NODE_TOOLS)  ## style, types and security: ruff (with its bandit rules, S), mypy, actionlint (.github/workflows), cfn-lint, checkov, the OpenAPI validators (openapi-spec-validator, Redocly), SAM
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/actionlint
	$(BIN)/cfn-lint template.yaml
	$(CHECKOV) -f template.yaml --config-file .checkov.yaml
	$(BIN)/openapi-spec-validator openapi.yaml
	$(REDOCLY) lint openapi.yaml
	$(SAM) validate --lint

bench: install
	$(BIN)/python -m bench

# locust pins gevent and its own web stack: a venv of its own, installed by `make load` alone.
LOAD_VENV := .venv-load
LOCUST := $(LOAD_VENV)/bin/locust
$(LOCUST): requirements-load.txt
	test -x $(LOAD_VENV)/bin/python || $(PYTHON) -m venv $(LOAD_VENV)
	$(LOAD_VENV)/bin/pip install --disable-pip-version-check -q -r requirements-load.txt
	touch $@

load: install $(LOCUST)  ## a bounded mixed workload (bench/locustfile.py, locust) on a local API of its own, $${LOAD_SECONDS:-60} s: req/s, p50/p95/p99, errors; then every bookmark's visits against the redirects sent, and check-data
	$(BIN)/python -m bench.load

check-data: install  ## every broken invariant in the tables: the running local API's, DYNAMODB_ENDPOINT_URL's, or AWS's (USERS_TABLE, BOOKMARKS_TABLE)
	$(BIN)/python -m ops.check_data

build: install $(SAM)
	PATH="$(CURDIR)/$(SAM_VENV)/bin:$$PATH" $(SAM) build --parallel --cached
	# aws-xray-sdk (the Tracer's) pulls in botocore and its dependencies, which the Lambda runtime has already: out
	# of the layer, which stays ~7 MB instead of ~25, and the runtime's botocore is the one loaded, as before
	cd .aws-sam/build/CommonLayer/python && rm -rf botocore botocore-*.dist-info urllib3 urllib3-*.dist-info \
	  dateutil python_dateutil-*.dist-info six.py six-*.dist-info
	# sam build ships no .pyc; compiled ones halve the layer's import time on every cold start
	$(BIN)/python -m compileall -q --invalidation-mode unchecked-hash .aws-sam/build/CommonLayer

ENV ?= default
deploy: build  ## sam build, then sam deploy with samconfig.toml's ENV (default, or prod): make deploy ENV=prod; DEPLOY_FLAGS for more (CI: --no-confirm-changeset)
	$(SAM) deploy --config-env $(ENV) $(DEPLOY_FLAGS)

reset:  ## forget local data and the local signing key
	rm -rf .local

clean: reset
	rm -rf $(VENV) $(SAM_VENV) $(SCAN_VENV) .aws-sam .pytest_cache node_modules
