"""How the page benchmarks time a request and its SQL: no settings, so any Django set-up can use it.

The server time is perf_counter around a test-client request (in-process, no network); the SQL
time is the sum of each statement's own time, taken as it runs.
"""

import statistics
import time

from django.db import connection


def percentile(values, p):
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1))))
    return ordered[k]


class SqlTimer:
    """Time each statement with perf_counter as it runs. CaptureQueriesContext keeps each query's
    time rounded to the millisecond, so a page of sub-millisecond queries read as 0 ms of SQL."""

    def __init__(self):
        self.seconds, self.count = 0.0, 0

    def __call__(self, execute, sql, params, many, context):
        start = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.seconds += time.perf_counter() - start
            self.count += 1


def measure(client, url, repeat, warmup=3, digits=1):
    """Median and 95th percentile of the server time and of its SQL over `repeat` requests."""
    for _ in range(warmup):
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
    times, db_times, queries = [], [], 0
    for _ in range(repeat):
        timer = SqlTimer()
        with connection.execute_wrapper(timer):
            start = time.perf_counter()
            response = client.get(url)
            elapsed = time.perf_counter() - start
        assert response.status_code == 200, (url, response.status_code)
        times.append(elapsed * 1000)
        db_times.append(timer.seconds * 1000)
        queries = timer.count
    return {
        "median_ms": round(statistics.median(times), digits),
        "p95_ms": round(percentile(times, 95), digits),
        "db_median_ms": round(statistics.median(db_times), digits),
        "db_p95_ms": round(percentile(db_times, 95), digits),
        "queries": queries,
        "bytes": len(response.content),
    }
