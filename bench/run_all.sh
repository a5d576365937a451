#!/usr/bin/env bash
# Benchmarks of the national pages at 1x and 10x the national data set (SCALES="1" for a quick run).
# For each scale: a fresh PostgreSQL database, the generated data, server-side page timings, and a
# bounded locust load test against gunicorn on 127.0.0.1. Results: var/bench/results.jsonl and stdout.
#
#   PGURL=postgres://postgres@127.0.0.1:5432 BENCH_DB=mappa_bench SCALES="1 10" bench/run_all.sh
set -euo pipefail
cd "$(dirname "$0")/.."

PGURL=${PGURL:-postgres://postgres@127.0.0.1:5432}
BENCH_DB=${BENCH_DB:-mappa_bench}
SCALES=${SCALES:-"1 10"}
REPEAT=${REPEAT:-30}
LOAD_SECONDS=${LOAD_SECONDS:-30}
PY=.venv/bin/python
export DJANGO_SETTINGS_MODULE=bench.settings_bench
export DATABASE_URL="$PGURL/$BENCH_DB"
mkdir -p var/bench

for scale in $SCALES; do
  echo "== scale ${scale}x: fresh database ${BENCH_DB}"
  psql "$PGURL/postgres" -q -c "DROP DATABASE IF EXISTS ${BENCH_DB}" -c "CREATE DATABASE ${BENCH_DB}"
  $PY manage.py migrate --no-input -v0
  /usr/bin/time -f "generated in %e s" $PY bench/generate_data.py --scale "$scale"
  $PY bench/bench_pages.py --repeat "$REPEAT" --label "${scale}x" --json var/bench/results.jsonl
  # What the pages would be with no template at all, and what a bare Django costs around a query.
  PAGE_CACHE_SECONDS=0 $PY bench/template_bound.py
  $PY bench/django_floor.py
  $PY bench/load_test.py --seconds "$LOAD_SECONDS" --label "${scale}x"
  # With REDIS_URL the force pages' repeat reads come from the page cache: measure them both ways.
  $PY bench/page_ratios.py --seconds "${RATIO_SECONDS:-10}" --label "${scale}x" --json var/bench/ratios.jsonl
  if [ -n "${REDIS_URL:-}" ]; then
    $PY bench/page_ratios.py --seconds "${RATIO_SECONDS:-10}" --label "${scale}x" --page-cache off --pages force \
      --json var/bench/ratios.jsonl
  fi
done

echo "== PDF letters: the five seed forces, app work vs WeasyPrint alone"
DJANGO_SETTINGS_MODULE=mappa_tracker.settings DEBUG=1 DATABASE_URL="$PGURL/$BENCH_DB" $PY bench/bench_letters.py
echo "== reminder sweep at national scale"
DJANGO_SETTINGS_MODULE=mappa_tracker.settings DEBUG=1 DATABASE_URL="$PGURL/${BENCH_DB}_sweep" $PY bench/bench_sweep.py

echo "== Published responses in: reading and mapping the five seeds as text, HTML, DOCX and PDF"
$PY bench/bench_history.py --rounds 3

echo "== Bounded uploads: hostile spreadsheets refused in time and memory (read from disk, child's peak memory)"
DJANGO_SETTINGS_MODULE=mappa_tracker.settings DEBUG=1 $PY bench/bench_uploads.py
