"""Requests per second of each force page and each national page against the sign-in page, and of
the sign-in page against a bare WSGI app, all on the same gunicorn (2 sync workers) on loopback, in
one run.

The load generator is wrk (`apt-get install -y wrk`) with 4 connections, one page at a time for
--seconds each. Targets: every page >= 0.5 x the sign-in page; the sign-in page >= 0.10 x hello.
The national pages are the dashboard (as it opens, and sorted), the compare view of one
recommendation, a search of common words and the all-forces quarterly pack, signed in as the
national team; --pages national measures only those (with the sign-in page and hello).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/mappa_bench .venv/bin/python bench/page_ratios.py --label 1x
"""

import argparse
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings_bench")

import django  # noqa: E402

django.setup()

from django.test import Client  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402

from accounts.models import User  # noqa: E402
from bench.bench_pages import force_pages  # noqa: E402
from bench.load_test import wait_until_up  # noqa: E402


def session_for(username):
    client = Client()
    client.force_login(User.objects.get(username=username))
    return client.cookies["sessionid"].value


def national_pages():
    """The national team's pages on the latest inspection with police recommendations."""
    from django_scopes import scopes_disabled

    from national.dashboard import police_inspections, police_recommendations

    with scopes_disabled():
        inspection = police_inspections().first()
        rec = police_recommendations(inspection).first()
    return [
        ("national dashboard", f"/national/?inspection={inspection.pk}", "bench.national"),
        ("dashboard, sorted", f"/national/?inspection={inspection.pk}&sort=-overdue", "bench.national"),
        ("compare answers", f"/national/recommendations/{rec.pk}/", "bench.national"),
        ("search, common words", "/national/search/?q=training+strategy", "bench.national"),
        ("quarterly pack (all forces)", "/national/pack/", "bench.national"),
    ]


def gunicorn(app, port, workers, env):
    bin_dir = Path(sys.executable).parent
    return subprocess.Popen(
        [str(bin_dir / "gunicorn"), app, "--bind", f"127.0.0.1:{port}", "--workers", str(workers)]
        + ["--log-level", "warning"],
        cwd=ROOT,
        env=env,
    )


def check_page(url, cookie):
    """wrk counts a redirect (to the sign-in page, say) as a success: make sure the page itself comes."""

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    request = urllib.request.Request(url, headers={"Cookie": f"sessionid={cookie}"})
    try:
        with urllib.request.build_opener(NoRedirect).open(request, timeout=120) as response:
            status, body = response.status, response.read()
    except urllib.error.HTTPError as error:
        status, body = error.code, b""
    if status != 200 or not (b"Sign out" in body or body.startswith(b"{")):
        raise SystemExit(f"{url}: status {status}, not the signed-in page")


def wrk(url, seconds, connections, cookie=None, warmup=2) -> float:
    """Requests per second at steady state: a short unmeasured run first, so that each worker has
    imported the URLconf and filled its template cache (a second or more per worker on this machine)."""
    if warmup:
        wrk(url, warmup, connections, cookie, warmup=0)
    command = ["wrk", "-t", "2", "-c", str(connections), "-d", f"{seconds}s", url]
    if cookie:
        command[1:1] = ["-H", f"Cookie: sessionid={cookie}"]
    out = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if non_2xx:
        raise SystemExit(f"{url}: {non_2xx.group(1)} failed responses\n{out}")
    return float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=4)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--port", type=int, default=8767)
    parser.add_argument("--label", default="")
    parser.add_argument("--json", help="append the results as one JSON line to this file")
    parser.add_argument("--pages", choices=("all", "force", "national"), default="all")
    parser.add_argument(
        "--page-cache",
        choices=("on", "off"),
        default="on" if os.environ.get("REDIS_URL") else "off",
        help="off: every request runs its view (PAGE_CACHE_SECONDS=0); on (the default with REDIS_URL) needs REDIS_URL",
    )
    args = parser.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("wrk is not installed: apt-get install -y wrk")
    setup_test_environment()
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    if args.page_cache == "off":
        env["PAGE_CACHE_SECONDS"] = "0"
    elif not env.get("REDIS_URL"):
        raise SystemExit("the page cache needs REDIS_URL (or --page-cache off)")
    base = f"http://127.0.0.1:{args.port}"
    results = {}

    hello = gunicorn("bench.hello_wsgi:application", args.port, args.workers, env)
    try:
        wait_until_up(base + "/")
        results["hello"] = wrk(base + "/", args.seconds, args.connections)
    finally:
        hello.send_signal(signal.SIGTERM)
        hello.wait(timeout=30)

    sessions = {}
    server = gunicorn("mappa_tracker.wsgi", args.port, args.workers, env)
    try:
        wait_until_up(base + "/accounts/login/")
        results["sign-in page"] = wrk(base + "/accounts/login/", args.seconds, args.connections)
        pages = []
        if args.pages in ("all", "force"):
            pages += force_pages()
        if args.pages in ("all", "national"):
            pages += national_pages()
        for name, url, username in pages:
            if username not in sessions:
                sessions[username] = session_for(username)
            check_page(base + url, sessions[username])
            results[name] = wrk(base + url, args.seconds, args.connections, sessions[username])
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)

    sign_in = results["sign-in page"]
    print(
        f"\npage ratios {args.label}: wrk {args.connections} connections, {args.seconds} s each, gunicorn {args.workers} sync workers,"
        f" page cache {args.page_cache}"
    )
    print(f"{'page':30} {'req/s':>8} {'ratio':>7} {'target':>7}  result")
    print(f"{'hello (bare WSGI)':30} {results['hello']:>8.0f}")
    ratio = sign_in / results["hello"]
    print(
        f"{'sign-in page':30} {sign_in:>8.0f} {ratio:>7.3f} {'>=0.10':>7}  {'pass' if ratio >= 0.10 else 'FAIL'}"
    )
    for name, rps in results.items():
        if name in ("hello", "sign-in page"):
            continue
        ratio = rps / sign_in
        print(f"{name:30} {rps:>8.0f} {ratio:>7.2f} {'>=0.50':>7}  {'pass' if ratio >= 0.5 else 'FAIL'}")
    if args.json:
        Path(args.json).parent.mkdir(parents=True, exist_ok=True)
        with open(args.json, "a", encoding="utf-8") as fh:
            fh.write(
                json.dumps({"label": args.label, "page_cache": args.page_cache, "ratios": results}) + "\n"
            )


if __name__ == "__main__":
    main()
