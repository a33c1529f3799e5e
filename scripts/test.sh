#!/usr/bin/env bash
# One command to run the whole test suite (arguments go to pytest, e.g. scripts/test.sh -k launch).
# PostgreSQL and Redis tests use SWOTT_TEST_POSTGRES_URL / SWOTT_TEST_REDIS_URL, defaulting to the local
# servers when they answer; without them those tests skip loudly, and under CI=true they fail instead.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --test

port_open() { .venv/bin/python -c "import socket,sys; socket.create_connection(('127.0.0.1', $1), 2)" 2>/dev/null; }
if [ -z "${SWOTT_TEST_POSTGRES_URL:-}" ] && port_open 5432; then
  export SWOTT_TEST_POSTGRES_URL="postgresql+psycopg://postgres@127.0.0.1:5432/test"
fi
if [ -z "${SWOTT_TEST_REDIS_URL:-}" ] && port_open 6379; then
  export SWOTT_TEST_REDIS_URL="redis://127.0.0.1:6379/15"
fi
echo "PostgreSQL tests: ${SWOTT_TEST_POSTGRES_URL:-not configured (they will skip)}"
echo "Redis tests:      ${SWOTT_TEST_REDIS_URL:-not configured (they will skip)}"
exec .venv/bin/python -m pytest "$@"
