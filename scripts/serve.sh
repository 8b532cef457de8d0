#!/usr/bin/env bash
# The main job: the web site + REST API + CDS Hooks on the embedded SQLite database, filled
# with the bundled data on first use. Extra arguments go to `druginfo serve` (e.g. --port 8080).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec .venv/bin/druginfo serve "$@"
