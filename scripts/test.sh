#!/usr/bin/env bash
# Run the whole test suite. With DATABASE_URL/REDIS_URL set it runs against PostgreSQL and Redis;
# otherwise on the embedded default (SQLite, in-process tasks). Extra arguments go to pytest.
# The tests run in TEST_WORKERS pytest-xdist processes (default 2, one per CI core; 0 runs them in
# this process), a test file to a worker, so a module's shared world is built once.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh
export DEBUG=${DEBUG:-1}
# Keep compiled bytecode between runs even where the environment turns it off
# (PYTHONDONTWRITEBYTECODE=1): without it every worker and every subprocess the tests start
# (gunicorn, Celery, manage.py) recompiles the project and pytest rewrites every test module's
# asserts again, which cost about ten seconds a process. __pycache__ is ignored by git.
export PYTHONDONTWRITEBYTECODE=
workers=${TEST_WORKERS:-2}
parallel=()
if [ "$workers" != 0 ]; then
  parallel=(-n "$workers" --dist loadfile)
fi
exec .venv/bin/python -m pytest "${parallel[@]}" "$@"
