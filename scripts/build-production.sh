#!/usr/bin/env bash
# Build the app for production exactly as the image does, with DEBUG off:
#   - the Welsh catalogues compiled (.mo files);
#   - static files collected with hashed names and whitenoise's manifest (staticfiles.json), so
#     that templates' {% static %} resolves with DEBUG off;
#   - Django's deployment checks.
# Used by the Dockerfile and by tests/test_production_smoke.py, so the two cannot drift apart.
# Run from the app's root directory. PYTHON names the interpreter (default: python).
# The GOV.UK Frontend assets (static/dist, static/govuk) must be built first (scripts/build-frontend.mjs).
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python}
export DEBUG=0
# Building needs no real secret: a throw-away key unless one is given.
export SECRET_KEY=${SECRET_KEY:-$("$PYTHON" -c 'import secrets; print(secrets.token_urlsafe(50))')}

if [ ! -f static/dist/css/app.css ]; then
  echo "static/dist/css/app.css is missing: build the frontend first (node scripts/build-frontend.mjs)." >&2
  exit 1
fi
"$PYTHON" manage.py compilemessages_portable --verbosity 0
# ReDoc is not served (the API docs are Swagger UI): its 5 MB bundle and map are left out.
"$PYTHON" manage.py collectstatic --no-input --verbosity 0 --ignore redoc
static_root=$("$PYTHON" -c 'import django, os; os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mappa_tracker.settings"); django.setup(); from django.conf import settings; print(settings.STATIC_ROOT)')
if [ ! -s "$static_root/staticfiles.json" ]; then
  echo "collectstatic wrote no staticfiles.json under $static_root: pages would fail with DEBUG off." >&2
  exit 1
fi
"$PYTHON" manage.py check --deploy --fail-level ERROR
echo "Production build ready (static files in $static_root)."
