#!/usr/bin/env bash
# One command to try SWOTT Connect on a laptop: set up, migrate SQLite, start the tool and a sandbox LMS.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
.venv/bin/swott db upgrade
exec .venv/bin/swott demo "$@"
