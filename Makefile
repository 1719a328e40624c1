# Every target installs what it needs: the virtualenv is made on first use from pyproject.toml.
# Python 3.11 runs the pinned generator (codegen checks it); `python3` is used when it is 3.11 under that name.
PYTHON ?= $(shell command -v python3.11 2>/dev/null || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: install generate check-generated lint-spec lint format typecheck unit test demo faults fuzz bench clean

install: $(STAMP)

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))' 2>/dev/null || { echo "error: hitl's tooling runs on Python 3.11; none found as python3.11 or python3 (set PYTHON=...)"; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

## openapi.yaml -> hitl/_models.py + hitl_async/_resources/ -> hitl_sync/ + tests/_sync/
generate: $(STAMP)
	$(BIN)/python -m codegen

## Fails when regenerating would change, add or remove any generated file.
check-generated: $(STAMP)
	$(BIN)/python -m codegen --check

## Two independent validators: openapi-spec-validator (PyPI) and Redocly (npm, pinned in package-lock.json).
## Without npm on the machine, only the first runs, and the target says so.
lint-spec: $(STAMP)
	$(BIN)/python -m openapi_spec_validator openapi.yaml
	@if command -v npm >/dev/null; then \
		$(MAKE) --no-print-directory node_modules/.installed-stamp && REDOCLY_TELEMETRY=off REDOCLY_SUPPRESS_UPDATE_NOTICE=true node_modules/.bin/redocly lint openapi.yaml --format=stylish; \
	else echo "npm not found: skipped the Redocly lint (openapi-spec-validator passed)"; fi

node_modules/.installed-stamp: package-lock.json
	npm ci --silent --no-audit --no-fund
	touch $@

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

typecheck: $(STAMP)
	$(BIN)/mypy

unit: $(STAMP)
	$(BIN)/python -m pytest -q

## The README's test command: everything CI checks.
test: check-generated lint-spec lint typecheck docs-check unit

## The documentation site. Its toolchain (requirements/docs.txt) lives in its own .venv-docs, so its pins never
## move the dev venv's; mkdocstrings reads the packages' source, so hitl needs no install there.
DOCS_VENV := .venv-docs
DOCS_STAMP := $(DOCS_VENV)/.installed-stamp

.PHONY: docs docs-serve docs-check

$(DOCS_STAMP): requirements/docs.txt
	test -x $(DOCS_VENV)/bin/python || $(PYTHON) -m venv $(DOCS_VENV)
	$(DOCS_VENV)/bin/python -m pip install --quiet -r requirements/docs.txt
	touch $@

## site/ from docs/ and the docstrings, in strict mode: any warning (a broken link, a missing reference) fails.
docs: $(DOCS_STAMP)
	NO_MKDOCS_2_WARNING=1 $(DOCS_VENV)/bin/mkdocs build --strict

## Previews the site at http://127.0.0.1:8000/hitl-python/ (the path of site_url), rebuilding on every change.
docs-serve: $(DOCS_STAMP)
	NO_MKDOCS_2_WARNING=1 $(DOCS_VENV)/bin/mkdocs serve --strict

## Opens the built site in headless Chromium (Debian's chromium package) and checks that it renders;
## leaves site/screenshot.png (docs/images/site.png is a copy of it, shown in the README).
docs-check: docs $(STAMP)
	HITL_DOCS_CHECK=1 $(BIN)/python -m pytest tests/test_docs_site.py -q -k "chromium or screenshot"

## The README's main command: the end-to-end demo against the embedded emulator.
demo: $(STAMP)
	$(BIN)/python examples/quickstart_async.py

## 1000 reviews.create calls through 30 % injected faults (async and sync); prints the figures.
faults: $(STAMP)
	HITL_FAULTS_CALLS=1000 $(BIN)/python -m pytest tests/_async/test_faults.py tests/_sync/test_faults.py -k "not trio" -s -q

## The webhook property tests with >= 100,000 examples; prints the count.
fuzz: $(STAMP)
	$(BIN)/python -m benchmarks.fuzz_webhooks

## The five benchmark comparisons against raw httpx (see benchmarks/README.md).
bench: $(STAMP)
	$(BIN)/python -m benchmarks

clean:
	rm -rf $(VENV) node_modules .mypy_cache .ruff_cache .hypothesis .schemathesis
