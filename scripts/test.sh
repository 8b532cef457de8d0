#!/usr/bin/env bash
# The whole test suite: lint, types, then pytest (PostgreSQL and chromium are installed and
# started by the tests' own fixtures). Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh dev
.venv/bin/ruff check src tests bench
.venv/bin/ruff format --check src tests bench
.venv/bin/mypy
.venv/bin/pytest "$@"
