.PHONY: run test lint bench

# Run the app with demo data (web, Celery worker and beat) on the embedded default.
run:
	scripts/run.sh

# Run the tests (PostgreSQL and Redis when DATABASE_URL and REDIS_URL are set).
test:
	scripts/test.sh

lint:
	scripts/bootstrap.sh
	.venv/bin/ruff check .
	.venv/bin/ruff format --check .
	DEBUG=1 .venv/bin/python manage.py makemigrations --check --dry-run

bench:
	scripts/bootstrap.sh
	bench/run_all.sh
