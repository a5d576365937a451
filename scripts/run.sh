#!/usr/bin/env bash
# Run the app with demo data: web server, Celery worker and beat.
# Embedded default: SQLite in var/ and a file-system Celery broker. Set DATABASE_URL and
# REDIS_URL to run on PostgreSQL and Redis instead.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh

export DEBUG=${DEBUG:-1}
PORT=${PORT:-8000}
PY=.venv/bin/python

$PY manage.py migrate --no-input
$PY manage.py load_demo

mkdir -p var/log
.venv/bin/celery -A mappa_tracker worker --beat --loglevel=INFO --concurrency=2 \
  --schedule="var/celerybeat-schedule" >var/log/celery.log 2>&1 &
CELERY_PID=$!
trap 'kill $CELERY_PID 2>/dev/null || true; wait $CELERY_PID 2>/dev/null || true' EXIT INT TERM

echo
echo "MAPPA Tracker: http://127.0.0.1:${PORT}/  (sign in as gwent.staff / ${DEMO_PASSWORD:-demo-pass-2022})"
echo "Celery worker and beat: log in var/log/celery.log; e-mails are written to var/mail/."
echo
$PY manage.py runserver "127.0.0.1:${PORT}"
