#!/usr/bin/env bash
# Creates .venv (once) and installs druginfo with its pinned dependencies.
# Usage: scripts/setup.sh [dev]   — "dev" adds the test and lint tools.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
if ! "$PY" -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
  echo "druginfo needs Python 3.11 or newer ($PY is $("$PY" --version 2>&1))" >&2
  exit 2
fi
[ -x .venv/bin/python ] || "$PY" -m venv .venv
extra=""
[ "${1:-}" = "dev" ] && extra="[dev]"
.venv/bin/python -m pip install --quiet --disable-pip-version-check -c constraints.txt -e ".${extra}"
