"""Load-test the running app on loopback: gunicorn on 127.0.0.1 and locust headless, bounded in time.

Starts gunicorn (2 workers, this machine has 2 cores) with the bench settings against
DATABASE_URL, runs locust for --seconds with --users simulated national-team users, prints the
throughput and the 95th percentile per page and overall, and fails if any request failed.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/mappa_bench .venv/bin/python bench/load_test.py
"""

import argparse
import csv
import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings_bench")

import django  # noqa: E402

django.setup()

from django.test import Client  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402
from django_scopes import scopes_disabled  # noqa: E402

from accounts.models import User  # noqa: E402
from national.dashboard import police_inspections, police_recommendations  # noqa: E402


def session_for(username):
    setup_test_environment()
    client = Client()
    client.force_login(User.objects.get(username=username))
    return client.cookies["sessionid"].value


def wait_until_up(url, seconds=30):
    deadline = time.time() + seconds
    while time.time() < deadline:
        try:
            urllib.request.urlopen(url, timeout=2)  # noqa: S310 - loopback only
            return
        except urllib.error.HTTPError:
            return  # it answered (a redirect to sign in, or 404): it is up
        except OSError:
            time.sleep(0.3)
    raise SystemExit(f"gunicorn did not answer on {url}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=30)
    parser.add_argument("--users", type=int, default=4)
    parser.add_argument("--port", type=int, default=8766)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--label", default="")
    args = parser.parse_args()

    with scopes_disabled():
        inspection = police_inspections().first()
        recommendation = police_recommendations(inspection).first()
    out = ROOT / "var" / "bench"
    out.mkdir(parents=True, exist_ok=True)
    env = {
        **os.environ,
        "BENCH_SESSION": session_for("bench.national"),
        "BENCH_INSPECTION": str(inspection.pk),
        "BENCH_RECOMMENDATION": str(recommendation.pk),
        "PYTHONPATH": str(ROOT),
    }
    bin_dir = Path(sys.executable).parent
    server = subprocess.Popen(
        [
            str(bin_dir / "gunicorn"),
            "mappa_tracker.wsgi",
            "--bind",
            f"127.0.0.1:{args.port}",
            "--workers",
            str(args.workers),
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )
    try:
        wait_until_up(f"http://127.0.0.1:{args.port}/accounts/login/")
        prefix = out / "locust"
        subprocess.run(
            [
                str(bin_dir / "locust"),
                "-f",
                str(ROOT / "bench" / "locustfile.py"),
                "--headless",
                "--users",
                str(args.users),
                "--spawn-rate",
                str(args.users),
                "--run-time",
                f"{args.seconds}s",
                "--host",
                f"http://127.0.0.1:{args.port}",
                "--csv",
                str(prefix),
                "--only-summary",
                "--loglevel",
                "WARNING",
            ],
            cwd=ROOT,
            env=env,
            check=False,
        )
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)

    with open(f"{prefix}_stats.csv", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    print(f"\nload test {args.label}: {args.users} users, {args.seconds} s, gunicorn {args.workers} workers")
    print(f"{'page':22} {'requests':>9} {'failures':>9} {'req/s':>7} {'median ms':>10} {'p95 ms':>8}")
    failures = 0
    for row in rows:
        failures += int(row["Failure Count"])
        print(
            f"{row['Name']:22} {row['Request Count']:>9} {row['Failure Count']:>9} "
            f"{float(row['Requests/s']):>7.1f} {row['50%']:>10} {row['95%']:>8}"
        )
    if failures:
        raise SystemExit(f"{failures} requests failed")


if __name__ == "__main__":
    main()
