"""Benchmark the reminder sweep at national scale: its time and query count.

Builds 43 forces x 30 inspections x 10 police recommendations (12,900 records; --scale 2 doubles
the inspections), with owners, OPCC staff, chief officers, progress updates and responses, in a
throw-away test database (PostgreSQL when DATABASE_URL is set, else in-memory SQLite), using
bulk_create and a fixed seed so every run builds the same data. Then runs the sweep as if today
were 1 July 2024: first the decision alone, then a full sweep (e-mails to Django's in-memory
backend), then the same sweep again (everything already sent: nothing goes out).

    DEBUG=1 .venv/bin/python bench/bench_sweep.py [--scale 1] [--seed 2022]
"""

import argparse
import os
import random
import sys
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DEBUG", "1")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mappa_tracker.settings")
os.environ["EMAIL_BACKEND"] = "django.core.mail.backends.locmem.EmailBackend"

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402
from django_scopes import scopes_disabled  # noqa: E402

TODAY = date(2024, 7, 1)


def build(scale: int, seed: int) -> dict:
    from accounts.models import User
    from forces.models import Force, Membership
    from recommendations.dates import last_day_to_publish
    from recommendations.models import Inspection, Owner, ProgressUpdate, Recommendation, Record
    from responses.models import Response

    rng = random.Random(seed)
    forces = Force.objects.bulk_create(
        Force(name=f"Force {i:02d}", slug=f"force-{i:02d}", country="wales" if i < 4 else "england")
        for i in range(43)
    )
    users, memberships = [], []
    for force in forces:
        for role, n in ((Membership.Role.OPCC_STAFF, 3), (Membership.Role.CHIEF_OFFICER, 2)):
            for k in range(n):
                users.append(
                    User(
                        username=f"{force.slug}-{role}-{k}",
                        email=f"{role}{k}@{force.slug}.example",
                        password="!",
                        email_reminders=rng.random() > 0.1,
                    )
                )
                memberships.append((force, role))
    users = User.objects.bulk_create(users)
    Membership.objects.bulk_create(
        Membership(user=u, force=f, role=r) for u, (f, r) in zip(users, memberships, strict=True)
    )

    owners = []
    for force in forces:
        for k in range(12):
            email = (
                f"owner{k}@{force.slug}.example"
                if rng.random() > 0.05
                else rng.choice(["", "not-an-address"])
            )
            owners.append(Owner(force=force, role_title=f"Lead {k}", email=email))
    owners = Owner.objects.bulk_create(owners)
    owners_by_force = {}
    for o in owners:
        owners_by_force.setdefault(o.force_id, []).append(o)

    inspections = Inspection.objects.bulk_create(
        Inspection(
            title=f"Inspection {i:03d}",
            slug=f"inspection-{i:03d}",
            published_on=(published := date(2022, 7, 1) + timedelta(days=rng.randrange(0, 730))),
            response_due_on=last_day_to_publish(published),
            recommendations_due_on=published + timedelta(days=365),
        )
        for i in range(30 * scale)
    )
    recs = Recommendation.objects.bulk_create(
        Recommendation(inspection=insp, number=n, text=f"Recommendation {n} of {insp.title}.")
        for insp in inspections
        for n in range(1, 11)
    )
    statuses = [
        "not_started",
        "in_progress",
        "in_progress",
        "awaiting_sign_off",
        "complete",
        "no_further_action",
    ]
    records = []
    for force in forces:
        for rec in recs:
            due = rec.inspection.recommendations_due_on + timedelta(days=rng.choice([0, 0, 0, 30, 90]))
            records.append(
                Record(
                    force=force,
                    recommendation=rec,
                    status=rng.choice(statuses),
                    original_due_on=due,
                    current_due_on=due,
                )
            )
    records = Record.objects.bulk_create(records, batch_size=2000)
    through = Record.owners.through
    through.objects.bulk_create(
        (
            through(record_id=r.pk, owner_id=o.pk)
            for r in records
            for o in rng.sample(owners_by_force[r.force_id], 2)
        ),
        batch_size=5000,
    )
    updates = ProgressUpdate.objects.bulk_create(
        (
            ProgressUpdate(
                force_id=r.force_id,
                record=r,
                text="Progress.",
                dated=TODAY - timedelta(days=rng.randrange(1, 200)),
            )
            for r in records
            if rng.random() < 0.6
        ),
        batch_size=2000,
    )
    by_record = {u.record_id: u for u in updates}
    for r in records:
        r.latest_update = by_record.get(r.pk)
    Record.objects.bulk_update(records, ["latest_update"], batch_size=2000)
    Response.objects.bulk_create(
        Response(
            force=force,
            inspection=insp,
            status=rng.choice(["draft", "draft", "awaiting_sign_off", "published"]),
            chief_comments_due_on=insp.published_on + timedelta(days=42),
        )
        for force in forces
        for insp in inspections
    )
    return {
        "forces": len(forces),
        "inspections": len(inspections),
        "records": len(records),
        "users": len(users),
    }


def measure(label, fn):
    with CaptureQueriesContext(connection) as ctx:
        start = time.perf_counter()
        result = fn()
        elapsed = time.perf_counter() - start
    print(f"{label:<40} {elapsed:8.2f} s {len(ctx.captured_queries):7d} queries")
    return result, elapsed, len(ctx.captured_queries)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, default=1, help="Multiply the 30 inspections by this.")
    parser.add_argument("--seed", type=int, default=2022)
    parser.add_argument("--decide-only", action="store_true", help="Measure the decision, send nothing.")
    args = parser.parse_args()

    from django.core import mail

    from reminders.services import plan_sweep, sweep

    setup_test_environment()
    vendor = connection.vendor
    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    try:
        with scopes_disabled():
            start = time.perf_counter()
            sizes = build(args.scale, args.seed)
            print(f"Built on {vendor} in {time.perf_counter() - start:.1f} s: {sizes}")
        with scopes_disabled():
            plan, _, _ = measure("decide (plan_sweep)", lambda: plan_sweep(TODAY))
        print(f"  {plan.line_count} lines for {len(plan.digests)} people")
        if args.decide_only:
            return
        result, _, _ = measure("full sweep (claim + send)", lambda: sweep(TODAY))
        print(f"  {result.sent} reminders in {result.emails} e-mails ({len(mail.outbox)} in the outbox)")
        again, _, _ = measure("same sweep again (all sent before)", lambda: sweep(TODAY))
        print(f"  {again.sent} sent the second time")
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
