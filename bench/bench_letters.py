"""Time the PDF letters of the five seed forces: the app's work plus WeasyPrint, against WeasyPrint alone.

Runs against a throw-away test database (SQLite by default, PostgreSQL if DATABASE_URL is set), loads
the five forces, the MAPPA inspection and the seed responses, then for each force renders its letter
ROUNDS times and prints medians:

    .venv/bin/python bench/bench_letters.py [--rounds 5]

"app" is what the task does before WeasyPrint (queries and templating, `letter_html`); "WeasyPrint"
is `html_to_pdf` on the same HTML; "whole" is `run_render` end to end (locks, file, SHA-256, rows).
"""

import argparse
import io
import os
import shutil
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mappa_tracker.settings_test")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()

    import tempfile

    import django

    django.setup()
    from django.conf import settings
    from django.db import connection
    from django.test.utils import setup_test_environment
    from django_scopes import scopes_disabled

    setup_test_environment()
    import logging

    logging.getLogger("weasyprint").setLevel(logging.WARNING)
    settings.MEDIA_ROOT = Path(tempfile.mkdtemp(prefix="bench-letters-"))
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        with scopes_disabled():
            run(args.rounds)
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
        shutil.rmtree(settings.MEDIA_ROOT, ignore_errors=True)


def run(rounds: int) -> None:
    from pypdf import PdfReader

    from forces.demo import load_forces
    from recommendations.demo import _read, load_inspection, load_seed_progress
    from responses import services
    from responses.demo import load_seed_responses
    from responses.letters import html_to_pdf, letter_html
    from responses.models import LetterRender, Response, ResponseVersion

    slugs = ("dyfed-powys", "gwent", "avon-and-somerset", "staffordshire", "gloucestershire")
    load_forces(only=slugs)
    inspection = load_inspection(_read("mappa_inspection.json"))
    load_seed_progress(inspection)
    load_seed_responses(inspection, render=False)

    html_to_pdf(letter_html(Response.objects.first().published_version))  # warm fonts and caches

    app_times, weasy_times, whole_times = [], [], []
    print(f"{'force':<32} {'pages':>5} {'app ms':>8} {'WeasyPrint ms':>14} {'whole ms':>9}")
    for response in Response.objects.select_related("force").order_by("force__name"):
        app_t, weasy_t, whole_t = [], [], []
        for _ in range(rounds):
            version = ResponseVersion.objects.get(pk=response.published_version_id)  # nothing cached
            start = time.perf_counter()
            html = letter_html(version)
            app_t.append(time.perf_counter() - start)
            start = time.perf_counter()
            pdf = html_to_pdf(html)
            weasy_t.append(time.perf_counter() - start)
            render = LetterRender.objects.create(force=response.force, version=version)
            start = time.perf_counter()
            done = services.run_render(render.pk)
            whole_t.append(time.perf_counter() - start)
            assert done.status == "done", done.error
        pages = len(PdfReader(io.BytesIO(pdf)).pages)
        print(
            f"{response.force.name:<32} {pages:>5} {statistics.median(app_t) * 1000:>8.1f} "
            f"{statistics.median(weasy_t) * 1000:>14.1f} {statistics.median(whole_t) * 1000:>9.1f}"
        )
        app_times += app_t
        weasy_times += weasy_t
        whole_times += whole_t
    app_ms = statistics.median(app_times) * 1000
    weasy_ms = statistics.median(weasy_times) * 1000
    whole_ms = statistics.median(whole_times) * 1000
    print(
        f"\nMedian per letter over 5 forces x {rounds} rounds: app {app_ms:.1f} ms, "
        f"WeasyPrint alone {weasy_ms:.1f} ms, whole render task {whole_ms:.1f} ms "
        f"(app work = {app_ms / weasy_ms:.1%} of WeasyPrint)."
    )


if __name__ == "__main__":
    main()
