"""Time the national dashboard, compare, search and a force overview server-side.

Uses Django's test client in-process (no network), so the figures are the server's own time:
URL routing, middleware, the view, its queries and the template. For each page: median and 95th
percentile over repeated requests, the number of SQL queries, and the median time spent in the
database (sum of the queries' own times), to show how close the page is to its database cost.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/mappa_bench .venv/bin/python bench/bench_pages.py
"""

import argparse
import json
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings_bench")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django_scopes import scopes_disabled  # noqa: E402

from accounts.models import User  # noqa: E402
from bench.timing import measure  # noqa: E402
from national.dashboard import police_inspections, police_recommendations  # noqa: E402
from recommendations.models import ProgressUpdate  # noqa: E402


def _quarter() -> str:
    from django.utils import timezone

    from national.pack import Quarter

    return Quarter.of(timezone.localdate()).previous().param


def time_pack_pdf() -> dict:
    """The all-forces pack as a PDF, as the worker renders it (figures, template and WeasyPrint)."""
    from national.pack import Quarter, build_pack
    from national.pack_documents import pack_pdf

    with scopes_disabled():
        start = time.perf_counter()
        pack = build_pack(Quarter.parse(_quarter()))
        built = time.perf_counter()
        pdf = pack_pdf(pack)
        done = time.perf_counter()
    return {"figures_s": round(built - start, 2), "pdf_s": round(done - start, 2), "bytes": len(pdf)}


def pages():
    with scopes_disabled():
        inspection = police_inspections().first()
        rec = police_recommendations(inspection).first()
        total_updates = ProgressUpdate.objects.count()
    return total_updates, [
        ("dashboard", f"/national/?inspection={inspection.pk}", "bench.national"),
        (
            "dashboard filtered",
            f"/national/?inspection={inspection.pk}&country=england&status=in_progress&overdue=yes",
            "bench.national",
        ),
        ("compare", f"/national/recommendations/{rec.pk}/", "bench.national"),
        ("compare, responses", f"/national/recommendations/{rec.pk}/?view=response", "bench.national"),
        ("search", "/national/search/?q=training+refresher", "bench.national"),
        ("search, common-word phrase", "/national/search/?q=%22training+and+refresher%22", "bench.national"),
        ("search, a force, page 2", "/national/search/?q=training&force=gwent&page=2", "bench.national"),
        ("dashboard sorted", f"/national/?inspection={inspection.pk}&sort=-overdue", "bench.national"),
        ("pack (all forces)", f"/national/pack/?quarter={_quarter()}", "bench.national"),
        ("pack (one force)", f"/forces/gwent/pack/?quarter={_quarter()}", "bench.gwent"),
        ("dashboard export xlsx", f"/national/export.xlsx?inspection={inspection.pk}", "bench.national"),
        ("force overview (national)", "/forces/gwent/", "bench.national"),
        ("force overview (OPCC staff)", "/forces/gwent/", "bench.gwent"),
        *force_pages(),
        # The public pages, signed out: the front door (every force, a page of inspections) and one
        # force's published responses.
        ("public front door", "/public/", None),
        ("public front door, last page", "/public/?page=999", None),
        ("a force's public page", "/public/gwent/responses/", None),
    ]


def force_pages():
    """The force's work pages, the record page and the API record list (bench/page_ratios.py too)."""
    from recommendations.models import Record
    from responses.models import Response

    with scopes_disabled():
        record = Record.objects.filter(force__slug="gwent").order_by("-pk").first()
        response = Response.objects.filter(force__slug="gwent").order_by("-inspection__published_on").first()
    return [
        ("force overview", "/forces/gwent/", "bench.gwent"),
        ("responses list", "/forces/gwent/responses/", "bench.gwent"),
        ("response page", f"/forces/gwent/responses/{response.pk}/", "bench.gwent"),
        ("record history", f"/forces/gwent/records/{record.pk}/history/", "bench.gwent"),
        ("home (OPCC staff)", "/forces/gwent/home/", "bench.gwent"),
        ("home (chief officer)", "/forces/gwent/home/", "bench.gwent.chief"),
        ("records list", "/forces/gwent/records/", "bench.gwent"),
        (
            "records, filtered",
            "/forces/gwent/records/?status=in_progress&stale=on&sort=due&page=2",
            "bench.gwent",
        ),
        ("records, search", "/forces/gwent/records/?q=training", "bench.gwent"),
        ("inspections", "/forces/gwent/inspections/", "bench.gwent"),
        ("record page", f"/forces/gwent/records/{record.pk}/", "bench.gwent"),
        ("API record list", "/api/forces/gwent/records/", "bench.gwent"),
    ]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--label", default="")
    parser.add_argument("--json", help="append the results as one JSON line to this file")
    parser.add_argument("--only", default="", help="time only the pages whose name contains this")
    parser.add_argument("--force", action="store_true", help="time only the force pages (as page_ratios.py)")
    args = parser.parse_args()
    # No setup_test_environment(): it instruments every template render (a signal and a copy of the
    # context per template), which production does not do and which inflated the server time of
    # template-heavy pages.
    total_updates, page_list = pages()
    if args.force:
        page_list = force_pages()
    clients = {}
    results = []
    print(f"{args.label} ({total_updates} progress updates, {connection.vendor})")
    print(
        f"{'page':30} {'median ms':>10} {'p95 ms':>8} {'DB ms':>7} {'DB p95':>7} {'x SQL':>6} {'queries':>8} {'KB':>6}"
    )
    for name, url, username in page_list:
        if args.only not in name:
            continue
        if username not in clients:
            clients[username] = Client()
            if username:  # None: a signed-out visitor
                clients[username].force_login(User.objects.get(username=username))
        row = {"page": name, "url": url, **measure(clients[username], url, args.repeat)}
        results.append(row)
        row["ratio"] = round(row["median_ms"] / row["db_median_ms"], 2) if row["db_median_ms"] else None
        print(
            f"{name:30} {row['median_ms']:>10} {row['p95_ms']:>8} {row['db_median_ms']:>7} {row['db_p95_ms']:>7}"
            f" {row['ratio']!s:>6} {row['queries']:>8} {row['bytes'] / 1024:>6.0f}"
            + (
                "  no SQL: served from the page cache"
                if not row["queries"]
                else f"  {'pass' if row['ratio'] and row['ratio'] <= 2 else 'FAIL'} (server <= 2 x SQL)"
            )
        )
    if not args.force and (not args.only or "pdf" in args.only):
        pdf = time_pack_pdf()
        results.append({"page": "pack PDF (all forces)", **pdf})
        print(
            f"pack PDF (all forces): figures {pdf['figures_s']} s, PDF {pdf['pdf_s']} s, {pdf['bytes']} bytes"
        )
    if args.json:
        with open(args.json, "a", encoding="utf-8") as fh:
            fh.write(json.dumps({"label": args.label, "updates": total_updates, "results": results}) + "\n")


if __name__ == "__main__":
    main()
