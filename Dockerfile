# The app image for docker-compose.yml: web, worker and beat run from it.
FROM node:20-bookworm-slim AS frontend
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY scripts/build-frontend.mjs scripts/
COPY static static
RUN node scripts/build-frontend.mjs

FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
RUN apt-get update \
 && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b fonts-dejavu-core gettext \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY pyproject.toml requirements/constraints.txt ./requirements/
RUN mv requirements/pyproject.toml . && pip install --no-cache-dir -c requirements/constraints.txt .
COPY . .
COPY --from=frontend /app/static /app/static
# Static files live outside /app/var, which the private-files volume covers at run time.
ENV STATIC_ROOT=/app/staticfiles
# The same build as the CI smoke test (tests/test_production_smoke.py): DEBUG off, hashed static
# files with their manifest, compiled catalogues, deployment checks.
RUN scripts/build-production.sh
RUN useradd --create-home mappa && mkdir -p /app/var && chown -R mappa /app/var
USER mappa
EXPOSE 8000
CMD ["gunicorn", "mappa_tracker.wsgi", "--bind", "0.0.0.0:8000", "--workers", "3"]
