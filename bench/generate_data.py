"""Build the national data set for the benchmarks, reproducibly.

43 forces × 30 inspections a year × 10 police recommendations, 10 progress updates per record
(≈129,000 updates) at scale 1; scale 3 and 10 add years of inspections (90 and 300 inspections,
≈387,000 and ≈1.29 million updates), the way the data grows in real life. Only the latest year's
inspections are open. A fixed random seed gives the same data every run.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/mappa_bench \\
        .venv/bin/python bench/generate_data.py --scale 1

Run it on an empty, migrated database (bench/run_all.sh drops and recreates it). Rows go in with
bulk_create in batches, one inspection at a time, so memory stays flat whatever the scale.
"""

import argparse
import os
import random
import sys
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings_bench")

import django  # noqa: E402

django.setup()

from django.db import connection, transaction  # noqa: E402
from django_scopes import scopes_disabled  # noqa: E402

from accounts.models import User  # noqa: E402
from forces.demo import load_forces  # noqa: E402
from forces.models import Force, Membership  # noqa: E402
from forces.services import set_membership  # noqa: E402
from recommendations.dates import add_months  # noqa: E402
from recommendations.models import (  # noqa: E402
    Addressee,
    Inspection,
    ProgressUpdate,
    Recommendation,
    Record,
)
from responses.models import Response, ResponseSection, ResponseVersion  # noqa: E402

SEED = 20220714
INSPECTIONS_PER_YEAR = 30
RECOMMENDATIONS = 10
UPDATES_PER_RECORD = 10
BATCH = 5000
PASSWORD = "bench-pass-2022"  # noqa: S105 - a throwaway benchmark database

WORDS_TEXT = (
    "training strategy MAPPA referral category offender manager risk assessment ViSOR domestic abuse "
    "safeguarding partnership board review audit quality assurance supervision workload vetting "
    "intelligence sharing probation prisons custody disclosure victims policy guidance refresher "
    "dashboard performance meeting governance plan resourcing recruitment digital forensics home visits "
    "neighbourhood policing escalation deadline complete implemented progress delayed funding"
)
WORDS = WORDS_TEXT.split()
STATUSES = (
    ["not_started"] * 2
    + ["in_progress"] * 5
    + ["awaiting_sign_off", "complete", "complete", "no_further_action"]
)


def sentence(rng, n):
    return " ".join(rng.choice(WORDS) for _ in range(n)).capitalize() + "."


def users():
    national, _ = User.objects.get_or_create(username="bench.national", defaults={"is_national_team": True})
    national.set_password(PASSWORD)
    national.save()
    staff, _ = User.objects.get_or_create(username="bench.gwent")
    staff.set_password(PASSWORD)
    staff.save()
    set_membership(staff, Force.objects.get(slug="gwent"), Membership.Role.OPCC_STAFF)
    chief, _ = User.objects.get_or_create(username="bench.gwent.chief")
    chief.set_password(PASSWORD)
    chief.save()
    set_membership(chief, Force.objects.get(slug="gwent"), Membership.Role.CHIEF_OFFICER)


def generate(scale: int, stdout=sys.stdout) -> dict:
    rng = random.Random(SEED)
    started = time.perf_counter()
    load_forces()
    forces = list(Force.objects.order_by("pk"))
    police, _ = Addressee.objects.get_or_create(
        slug="police", defaults={"name": "Police forces", "is_police": True}
    )
    users()
    n_inspections = INSPECTIONS_PER_YEAR * scale
    today = date(2026, 11, 1)
    counts = {"inspections": 0, "records": 0, "updates": 0, "responses": 0, "sections": 0}
    # Maintaining the full-text GIN indexes row by row costs more than building them once at the end.
    # They are rebuilt from their own definitions as the migrations left them (read back from the
    # catalogue), so the bench searches through the same indexes as production.
    fulltext = []
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema()"
                " AND tablename IN ('recommendations_progressupdate', 'responses_responsesection')"
                " AND indexdef LIKE '% USING gin %'"
            )
            fulltext = cursor.fetchall()
            for name, _definition in fulltext:
                cursor.execute(f'DROP INDEX "{name}"')
    through = Recommendation.addressees.through
    for i in range(n_inspections):
        year_back, slot = divmod(i, INSPECTIONS_PER_YEAR)
        published = today - timedelta(days=365 * year_back + 12 * slot + 7)
        with transaction.atomic():
            inspection = Inspection.objects.create(
                title=f"Bench inspection {i + 1}: {sentence(rng, 4)[:-1]}",
                slug=f"bench-{i + 1}",
                kind=Inspection.Kind.THEMATIC,
                published_on=published,
                is_open=year_back == 0,
                timescale_months=12,
            )
            recs = Recommendation.objects.bulk_create(
                [
                    Recommendation(inspection=inspection, number=n + 1, text=sentence(rng, 25))
                    for n in range(RECOMMENDATIONS)
                ]
            )
            through.objects.bulk_create(
                [through(recommendation_id=r.pk, addressee_id=police.pk) for r in recs]
            )
            due = add_months(published, 12)
            records = []
            for rec in recs:
                for force in forces:
                    status = rng.choice(STATUSES)
                    records.append(
                        Record(
                            force=force,
                            recommendation=rec,
                            status=status,
                            rag=rng.choice(("red", "amber", "green")),
                            original_due_on=due,
                            current_due_on=due + timedelta(days=rng.choice((0, 0, 0, 90))),
                        )
                    )
            records = Record.objects.bulk_create(records, batch_size=BATCH)
            updates = []
            for record in records:
                for u in range(UPDATES_PER_RECORD):
                    updates.append(
                        ProgressUpdate(
                            force_id=record.force_id,
                            record_id=record.pk,
                            dated=published + timedelta(days=30 * u + rng.randrange(20)),
                            text=sentence(rng, rng.randrange(20, 60)),
                            status_after=record.status if u == UPDATES_PER_RECORD - 1 else "in_progress",
                            author_name="Bench author",
                        )
                    )
            ProgressUpdate.objects.bulk_create(updates, batch_size=BATCH)
            responses = []
            for force in forces:
                roll = rng.random()
                published_on = None
                if roll < 0.8:
                    published_on = inspection.response_due_on - timedelta(days=rng.randrange(0, 10))
                elif roll < 0.95:
                    published_on = inspection.response_due_on + timedelta(days=rng.randrange(1, 40))
                responses.append(
                    Response(
                        force=force,
                        inspection=inspection,
                        status="published" if published_on else "draft",
                        published_on=published_on,
                    )
                )
            responses = Response.objects.bulk_create(responses)
            versions = ResponseVersion.objects.bulk_create(
                [ResponseVersion(force_id=r.force_id, response=r, number=1) for r in responses]
            )
            ResponseSection.objects.bulk_create(
                [
                    ResponseSection(
                        force_id=v.force_id, version=v, recommendation=rec, text=sentence(rng, 40)
                    )
                    for v in versions
                    for rec in recs
                ],
                batch_size=BATCH,
            )
            for r, v in zip(responses, versions, strict=True):
                r.current_version = v
                r.published_version = v if r.published_on else None
            Response.objects.bulk_update(responses, ["current_version", "published_version"])
        counts["inspections"] += 1
        counts["records"] += len(records)
        counts["updates"] += len(updates)
        counts["responses"] += len(responses)
        counts["sections"] += len(versions) * len(recs)
        if (i + 1) % 10 == 0:
            stdout.write(
                f"  {i + 1}/{n_inspections} inspections, {counts['updates']} updates, {time.perf_counter() - started:.0f} s\n"
            )
            stdout.flush()
    with connection.cursor() as cursor:
        # Each record's newest update, in one statement (what add_progress_update keeps up to date).
        cursor.execute(
            """
            UPDATE recommendations_record SET latest_update_id = (
                SELECT u.id FROM recommendations_progressupdate u WHERE u.record_id = recommendations_record.id
                ORDER BY u.dated DESC, u.created_at DESC, u.id DESC LIMIT 1)
            """
        )
        if connection.vendor == "postgresql":
            for _name, definition in fulltext:
                cursor.execute(definition)
            cursor.execute("ANALYZE")
    counts["seconds"] = round(time.perf_counter() - started, 1)
    return counts


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, default=1, help="1, 3 or 10 (years of inspections)")
    args = parser.parse_args()
    with scopes_disabled():
        if Inspection.objects.filter(slug__startswith="bench-").exists():
            sys.exit(
                "This database already has bench data: drop and recreate it first (bench/run_all.sh does)."
            )
        counts = generate(args.scale)
    print(f"scale {args.scale}: {counts}")


if __name__ == "__main__":
    main()
