"""How close can any Django page come to its own SQL? A vanilla Django, none of this project's code.

The force pages are measured against the target "server time at most twice the time of the page's
own SQL". This script measures what Django itself costs around a query, with none of the project's
middleware, views or templates: a bare Django (only contenttypes installed, no middleware at all)
on the same PostgreSQL database, timed the way `bench/bench_pages.py` times the pages (Django's test
client in-process, each statement timed as it runs). Each view reads content types by indexed
columns, a small table much like the lookups a force page makes:

- `one query`: one ORM read of a few rows, answered as plain text;
- `five queries`: five such reads, as a page of a few small lists;
- `five queries, template`: the same five lists drawn by a small Django template;
- `five raw statements`: the same five reads written as SQL on a cursor, no ORM.

Each row prints the median server time, the median SQL time and their ratio. If a bare Django
page of small indexed queries is already over twice its SQL, the ratio measures the framework's
own cost per query, not the page.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/mappa_bench .venv/bin/python bench/django_floor.py
"""

import os
import sys
from pathlib import Path

import dj_database_url
import django
from django.conf import settings

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

APP_LABELS = ["recommendations", "responses", "forces", "accounts", "national"]

settings.configure(
    DEBUG=False,
    SECRET_KEY="bench-only-not-a-secret-" + "x" * 40,
    ALLOWED_HOSTS=["testserver"],
    ROOT_URLCONF=__name__,
    INSTALLED_APPS=["django.contrib.contenttypes"],
    MIDDLEWARE=[],
    DATABASES={"default": dj_database_url.parse(os.environ["DATABASE_URL"])},
    TEMPLATES=[
        {
            "BACKEND": "django.template.backends.django.DjangoTemplates",
            "OPTIONS": {
                # Parsed once and kept, as production's cached loader does.
                "loaders": [
                    (
                        "django.template.loaders.cached.Loader",
                        [
                            (
                                "django.template.loaders.locmem.Loader",
                                {
                                    "lists.html": (
                                        "<!doctype html><html lang='en'><body>{% for label, types in lists %}"
                                        "<h2>{{ label }}</h2><ul>{% for ct in types %}<li>{{ ct.model }}"
                                        " ({{ ct.pk }})</li>{% endfor %}</ul>{% endfor %}</body></html>"
                                    )
                                },
                            )
                        ],
                    )
                ]
            },
        }
    ],
    USE_TZ=True,
)
django.setup()

from django.contrib.contenttypes.models import ContentType  # noqa: E402
from django.db import connection  # noqa: E402
from django.http import HttpResponse  # noqa: E402
from django.shortcuts import render  # noqa: E402
from django.test import Client  # noqa: E402
from django.urls import path  # noqa: E402

from bench import timing  # noqa: E402


def _types(label):
    return list(ContentType.objects.filter(app_label=label).order_by("model"))


def one_query(request):
    return HttpResponse(", ".join(ct.model for ct in _types("recommendations")))


def five_queries(request):
    return HttpResponse("; ".join(", ".join(ct.model for ct in _types(label)) for label in APP_LABELS))


def five_queries_template(request):
    return render(request, "lists.html", {"lists": [(label, _types(label)) for label in APP_LABELS]})


def five_raw(request):
    parts = []
    with connection.cursor() as cursor:
        for label in APP_LABELS:
            cursor.execute(
                "SELECT id, app_label, model FROM django_content_type WHERE app_label = %s ORDER BY model",
                [label],
            )
            parts.append(", ".join(row[2] for row in cursor.fetchall()))
    return HttpResponse("; ".join(parts))


urlpatterns = [
    path("one/", one_query),
    path("five/", five_queries),
    path("five-template/", five_queries_template),
    path("five-raw/", five_raw),
]


def measure(client, url, repeat):
    """Median server and SQL ms, as bench/bench_pages.py measures a page (bench/timing.py)."""
    row = timing.measure(client, url, repeat, warmup=20, digits=3)
    return row["median_ms"], row["db_median_ms"]


def main(repeat=500):
    client = Client()
    print(f"{'bare Django page':26} {'server ms':>10} {'SQL ms':>8} {'x SQL':>6}")
    for name, url in [
        ("one query", "/one/"),
        ("five queries", "/five/"),
        ("five queries, template", "/five-template/"),
        ("five raw statements", "/five-raw/"),
    ]:
        server, sql = measure(client, url, repeat)
        print(f"{name:26} {server:>10.3f} {sql:>8.3f} {server / sql:>6.2f}")


if __name__ == "__main__":
    main()
