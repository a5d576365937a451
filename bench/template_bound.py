"""How close could a faster template engine bring the force pages to their own SQL?

Draws each force page (as bench/bench_pages.py --force does) twice in one process: as it is, and
with its template's rendering replaced by nothing, every queryset in the context still evaluated.
The second is the bound for any template engine, Jinja2 included. Also reports how long Django's ORM
spends turning the drawn page's querysets into SQL (the compiler's `as_sql`, mean a request), which
no template engine can remove. Then times a signed-in request that passes every middleware and
whose view answers at once: the fixed cost of a request.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/mappa_bench PAGE_CACHE_SECONDS=0 \\
        .venv/bin/python bench/template_bound.py
"""

import os
import sys
import time
from contextlib import contextmanager
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings_bench")

import django  # noqa: E402

django.setup()

from django.db.models.query import QuerySet  # noqa: E402
from django.db.models.sql.compiler import SQLCompiler  # noqa: E402
from django.http import HttpResponse  # noqa: E402
from django.template.backends.django import Template  # noqa: E402
from django.test import Client  # noqa: E402

from accounts.models import User  # noqa: E402
from bench.bench_pages import force_pages  # noqa: E402
from bench.timing import measure  # noqa: E402
from recommendations.views import RecordDetailView  # noqa: E402


def _nothing_drawn(self, context=None, request=None):
    """Template.render of Django's backend (used by render() and TemplateResponse alike): evaluate
    the context's querysets, as drawing would, and draw nothing."""
    for value in (context or {}).values():
        if isinstance(value, QuerySet):
            list(value)
        elif isinstance(getattr(value, "object_list", None), QuerySet):
            list(value.object_list)
    return ""


@contextmanager
def _orm_compile_timer():
    """Seconds spent in the outermost SQLCompiler.as_sql calls (subqueries count once, inside)."""
    spent = {"seconds": 0.0, "depth": 0}
    real = SQLCompiler.as_sql

    def timed(self, *args, **kwargs):
        if spent["depth"]:
            return real(self, *args, **kwargs)
        spent["depth"] += 1
        start = time.perf_counter()
        try:
            return real(self, *args, **kwargs)
        finally:
            spent["seconds"] += time.perf_counter() - start
            spent["depth"] -= 1

    SQLCompiler.as_sql = timed
    try:
        yield spent
    finally:
        SQLCompiler.as_sql = real


def _time_pages(clients, repeat):
    results = {}
    for name, url, username in force_pages():
        if name.startswith("API"):  # JSON, no template
            continue
        if username not in clients:
            clients[username] = Client()
            clients[username].force_login(User.objects.get(username=username))
        with _orm_compile_timer() as compiling:
            results[name] = measure(clients[username], url, repeat, warmup=0)
        results[name]["compile_mean_ms"] = round(compiling["seconds"] * 1000 / repeat, 1)
    return results


def main(repeat=10):
    clients = {}
    _time_pages(clients, 3)  # every page drawn once before timing: URLconf, templates, connections
    drawn = _time_pages(clients, repeat)
    real = Template.render
    Template.render = _nothing_drawn
    try:
        bare = _time_pages(clients, repeat)
    finally:
        Template.render = real
    print(
        f"{'page':22} {'drawn ms (SQL)':>16} {'x SQL':>6} {'ORM compile':>12}"
        f" {'no template (SQL)':>18} {'x SQL':>6}"
    )
    for name, row in drawn.items():
        other = bare[name]
        print(
            f"{name:22} {row['median_ms']:>8} ({row['db_median_ms']:>5}) {row['median_ms'] / row['db_median_ms']:>6.2f}"
            f" {row['compile_mean_ms']:>12}"
            f" {other['median_ms']:>10} ({other['db_median_ms']:>5}) {other['median_ms'] / other['db_median_ms']:>6.2f}"
        )
    record_url = next(url for name, url, _user in force_pages() if name == "record page")
    real_get = RecordDetailView.get
    RecordDetailView.get = lambda self, request, *args, **kwargs: HttpResponse("")
    try:
        floor = measure(clients["bench.gwent"], record_url, 200)
    finally:
        RecordDetailView.get = real_get
    print(
        f"a signed-in request through every middleware, its view answering at once: {floor['median_ms']} ms,"
        f" SQL {floor['db_median_ms']} ms in {floor['queries']} queries"
    )


if __name__ == "__main__":
    main()
