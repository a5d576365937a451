#!/usr/bin/env bash
# Run the whole test suite. With DATABASE_URL/REDIS_URL set it runs against PostgreSQL and Redis;
# otherwise on the embedded default (SQLite, in-process tasks). Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh
export DEBUG=${DEBUG:-1}
exec .venv/bin/python -m pytest "$@"
