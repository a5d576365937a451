"""Locust users for bench/load_test.py: the national team reading the dashboard and comparing answers.

Signed in with a session made beforehand (BENCH_SESSION), so the run measures the pages, not the
password hasher. The ids come from the environment (load_test.py fills them in).
"""

import os

from locust import HttpUser, between, task

SESSION = os.environ.get("BENCH_SESSION", "")
INSPECTION = os.environ.get("BENCH_INSPECTION", "")
RECOMMENDATION = os.environ.get("BENCH_RECOMMENDATION", "")


class NationalTeam(HttpUser):
    wait_time = between(0.1, 0.5)

    def on_start(self):
        self.client.cookies.set("sessionid", SESSION)

    @task(4)
    def dashboard(self):
        self.client.get(f"/national/?inspection={INSPECTION}", name="dashboard")

    @task(2)
    def dashboard_filtered(self):
        self.client.get(
            f"/national/?inspection={INSPECTION}&country=wales&overdue=yes", name="dashboard filtered"
        )

    @task(3)
    def compare(self):
        self.client.get(f"/national/recommendations/{RECOMMENDATION}/", name="compare")

    @task(1)
    def force_overview(self):
        self.client.get("/forces/gwent/", name="force overview")
