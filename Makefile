# Every target installs what it needs: each virtualenv is made on first use.
# .venv, the development venv (tools, generator, tests), runs on Python 3.11: the generator's pins need it.
# `make demo` runs on any supported Python: PYTHON=python3.13 make demo.
DEV_PYTHON ?= $(shell .ci/find-python 3.11)
PYTHON ?= $(shell command -v python3.11 2>/dev/null || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
DEMO_VENV := .venv-demo-$(notdir $(PYTHON))
# PYTHON itself, or, when PYTHON=python3.X does not run (a pyenv shim of a version not selected), pyenv's 3.X.
DEMO_PYTHON = $(shell $(PYTHON) -c pass 2>/dev/null && command -v $(PYTHON) || .ci/find-python $(patsubst python%,%,$(notdir $(PYTHON))))
# The Pythons `make test` runs the installed wheel on; a missing one fails in CI (CI=true).
TEST_PYTHONS := 3.11 3.12 3.13

.PHONY: install generate check-generated lint-spec lint format typecheck unit test-source dist wheel-files \
	test-installed test-minimums test demo faults fuzz bench clean

install: $(STAMP)

$(STAMP): pyproject.toml requirements/dev.txt requirements/test.txt requirements/test-base.txt
	@test -n "$(DEV_PYTHON)" || { echo "error: the development tools (the pinned code generator) run on Python 3.11; none found as python3.11 or in pyenv (set DEV_PYTHON=...)"; exit 1; }
	test -x $(BIN)/python || $(DEV_PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[emulator]" -r requirements/dev.txt
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

## The whole suite against the source tree, in .venv: the quick loop while developing.
unit: $(STAMP)
	$(BIN)/python -m pytest -q

## The tests that need the checkout itself (the generator, the benchmarks), in .venv; see tests/conftest.py.
test-source: $(STAMP)
	HITL_TESTS=source-tree $(BIN)/python -m pytest -q

## The documentation site. Its toolchain (requirements/docs.txt) lives in its own .venv-docs, so its pins never
## move the dev venv's; mkdocstrings reads the packages' source, so hitl needs no install there.
DOCS_VENV := .venv-docs
DOCS_STAMP := $(DOCS_VENV)/.installed-stamp

.PHONY: docs docs-serve docs-check

$(DOCS_STAMP): requirements/docs.txt
	test -x $(DOCS_VENV)/bin/python || $(DEV_PYTHON) -m venv $(DOCS_VENV)
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

## The sdist, then the wheel built from it, into dist/; then checks their contents (.ci/check_dist.py).
dist: $(STAMP)
	rm -rf dist
	$(BIN)/python -m build --quiet --outdir dist .
	$(BIN)/python .ci/check_dist.py dist

## Rewrites .ci/wheel-files.txt from a fresh build: review the diff before committing it.
wheel-files: $(STAMP)
	rm -rf dist
	$(BIN)/python -m build --quiet --outdir dist .
	$(BIN)/python .ci/check_dist.py dist --update

## The suite against the built wheel, installed with its emulator extra outside the checkout, on each Python.
test-installed: $(addprefix test-installed-,$(TEST_PYTHONS))

test-installed-%: dist
	.ci/test-installed $* dist/*.whl

## The suite against the wheel with exactly the lowest dependency versions pyproject.toml declares.
test-minimums: dist
	.ci/test-installed 3.11 dist/*.whl minimums

## The README's test command: everything CI checks. The four runs of the suite go two at a time (much of a
## run is waiting on loopback), each one's output printed whole when it ends.
test: check-generated lint-spec lint typecheck docs-check test-source
	$(MAKE) --no-print-directory -j2 --output-sync=target test-installed test-minimums

## The README's main command: the end-to-end demo against the embedded emulator, in a venv holding only
## hitl and its emulator extra.
demo: $(DEMO_VENV)/.installed-stamp
	$(DEMO_VENV)/bin/python examples/quickstart_async.py

$(DEMO_VENV)/.installed-stamp: pyproject.toml
	@test -n "$(DEMO_PYTHON)" && "$(DEMO_PYTHON)" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null || { echo "error: '$(PYTHON)' is not a working Python 3.11 or newer, which hitl needs (set PYTHON=...)"; exit 1; }
	test -x $(DEMO_VENV)/bin/python || $(DEMO_PYTHON) -m venv $(DEMO_VENV)
	$(DEMO_VENV)/bin/python -m pip install --quiet -e ".[emulator]"
	touch $@

## 1000 reviews.create calls through 35 % injected faults (FAULT_RATE in tests/_async/test_faults.py) (async and sync); prints the figures.
faults: $(STAMP)
	HITL_FAULTS_CALLS=1000 $(BIN)/python -m pytest tests/_async/test_faults.py tests/_sync/test_faults.py -k "not trio" -s -q

## The webhook property tests with >= 100,000 examples; prints the count.
fuzz: $(STAMP)
	$(BIN)/python -m benchmarks.fuzz_webhooks

## The five benchmark comparisons against raw httpx (see benchmarks/README.md).
bench: $(STAMP)
	$(BIN)/python -m benchmarks

clean:
	rm -rf $(VENV) .venv-demo-* $(DOCS_VENV) site dist node_modules .mypy_cache .ruff_cache .hypothesis .schemathesis
