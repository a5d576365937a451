#!/usr/bin/env bash
# pip-audit against PyPI's JSON API (the only package service this machine's network reaches).
# Fails on any known vulnerability. Packages the service could not look up are listed and
# counted; if it could look up none of them, say so loudly rather than pass in silence.
set -uo pipefail
cd "$(dirname "$0")/.."
mkdir -p var
out=var/pip-audit.txt
timeout 900 .venv/bin/pip-audit -s pypi --progress-spinner off --skip-editable >"$out" 2>&1
rc=$?
skipped=$(grep -c "could not be audited" "$out" || true)
if [ "$rc" -ne 0 ]; then
  cat "$out"
  echo "pip-audit found known vulnerabilities (or failed): exit $rc." >&2
  exit "$rc"
fi
head -1 "$out"
if [ "$skipped" -gt 0 ]; then
  echo "pip-audit: WARNING $skipped package(s) could not be looked up on the PyPI vulnerability service" \
       "from this network (per-version JSON not served); see $out." >&2
fi
