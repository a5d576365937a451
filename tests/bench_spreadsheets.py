"""Timing of progress imports (not part of the suite): pytest tests/bench_spreadsheets.py -s"""

import time

from tests.test_spreadsheets import csv_bytes, last_job, post_progress


def test_bench(world, gwent_staff, client_for, settings, django_capture_on_commit_callbacks):
    settings.SPREADSHEET_ASYNC_ROWS = 200
    client = client_for(gwent_staff)
    for n_rows in (100, 1000):
        rows = [
            [str(n), f"Bench {n_rows} step {i} on {n}.", f"Owner {i % 7}", "31/12/2023"]
            for i in range(n_rows // 4)
            for n in (14, 15, 18, 19)
        ]
        data = csv_bytes(["Recommendation", "Progress", "Owner", "Due date"], rows)
        t0 = time.perf_counter()
        with django_capture_on_commit_callbacks(execute=True):
            post_progress(client, world, world.gwent, "b.csv", data)
        t1 = time.perf_counter()
        job = last_job()
        assert job.status == "previewed", job.result.get("errors")
        with django_capture_on_commit_callbacks(execute=True):
            client.post(job.get_absolute_url())
        t2 = time.perf_counter()
        job.refresh_from_db()
        assert job.status == "applied"
        t3 = time.perf_counter()
        with django_capture_on_commit_callbacks(execute=True):
            post_progress(client, world, world.gwent, "b.csv", data)
        t4 = time.perf_counter()
        print(
            f"\nBENCH rows={n_rows} bytes={len(data)} preview={t1 - t0:.2f}s apply={t2 - t1:.2f}s reimport-preview={t4 - t3:.2f}s"
        )
