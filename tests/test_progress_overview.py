"""The force overview: counts, filters, sort, stale flags, and a bounded number of queries."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from recommendations.models import Inspection, Owner, Recommendation, Record
from recommendations.services import add_progress_update, create_force_records, set_record_owners

pytestmark = [pytest.mark.django_db, pytest.mark.shared_world]
URL = "/forces/gwent/"


def test_counts_at_the_top(world, gwent_staff, client_for):
    response = client_for(gwent_staff).get(URL)
    counts = response.context["counts"]
    gwent = Record.objects.filter(force=world.gwent)
    assert counts["in_progress"] == gwent.filter(status="in_progress").count()
    assert counts["complete"] == gwent.filter(status="complete").count()
    assert counts["overdue"] == gwent.overdue().count()
    assert (
        sum(counts[k] for k in ("not_started", "in_progress", "awaiting_sign_off", "complete"))
        <= gwent.count()
    )


def test_filter_by_status_and_overdue(world, gwent_staff, client_for):
    record = world.record(world.gwent, 14)
    add_progress_update(record, author=gwent_staff, text="Implemented.", status="awaiting_sign_off")
    client = client_for(gwent_staff)
    response = client.get(URL, {"status": "awaiting_sign_off"})
    shown = [r for _, rows in response.context["by_inspection"] for r in rows]
    assert [r.pk for r in shown] == [record.pk]
    Record.objects.filter(pk=world.record(world.gwent, 18).pk).update(
        current_due_on=timezone.localdate() + timedelta(days=30)
    )
    overdue = client.get(URL, {"overdue": "on"})
    shown = {r.pk for _, rows in overdue.context["by_inspection"] for r in rows}
    assert world.record(world.gwent, 18).pk not in shown
    expected = set(
        Record.objects.filter(force=world.gwent).in_open_inspections().overdue().values_list("pk", flat=True)
    )
    assert shown and shown == expected


def test_filter_by_owner_and_inspection(world, gwent_staff, client_for):
    owner = Owner.objects.create(force=world.gwent, role_title="Head of MOSOVO")
    record = world.record(world.gwent, 19)
    set_record_owners(record, acting_user=gwent_staff, owners=[owner])
    client = client_for(gwent_staff)
    response = client.get(URL, {"owner": owner.pk})
    assert [r.pk for _, rows in response.context["by_inspection"] for r in rows] == [record.pk]
    response = client.get(URL, {"inspection": world.inspection.pk})
    assert {
        r.recommendation.inspection_id for _, rows in response.context["by_inspection"] for r in rows
    } == {world.inspection.pk}
    bad = client.get(URL, {"inspection": "nonsense", "owner": "x", "status": "nope"})
    assert bad.status_code == 200  # invalid filters show everything, never a 500


def test_sort_by_due_date(world, gwent_staff, client_for):
    today = timezone.localdate()
    for number, days in ((14, 300), (15, 10), (18, 200), (19, 50)):
        Record.objects.filter(pk=world.record(world.gwent, number).pk).update(
            current_due_on=today + timedelta(days=days)
        )
    response = client_for(gwent_staff).get(URL, {"sort": "due"})
    numbers = [r.recommendation.number for _, rows in response.context["by_inspection"] for r in rows]
    assert numbers == [15, 19, 18, 14]
    assert "10 days left" in response.content.decode()


def test_stale_record_is_flagged(world, gwent_staff, client_for, settings):
    settings.REMINDER_STALE_AFTER_DAYS = 60
    record = world.record(world.gwent, 19)  # its latest update is from September 2022
    assert record.latest_update.dated < timezone.localdate() - timedelta(days=60)
    response = client_for(gwent_staff).get(URL)
    row = next(r for _, rows in response.context["by_inspection"] for r in rows if r.pk == record.pk)
    assert row.stale_days == (timezone.localdate() - record.latest_update.dated).days
    assert f"No update for {row.stale_days} days" in response.content.decode()
    add_progress_update(record, author=gwent_staff, text="Fresh news.")
    response = client_for(gwent_staff).get(URL)
    row = next(r for _, rows in response.context["by_inspection"] for r in rows if r.pk == record.pk)
    assert row.stale_days is None
    assert "Fresh news." in response.content.decode()


def test_overview_runs_a_bounded_number_of_queries_with_filters_and_owners(
    world, gwent_staff, client_for, django_assert_max_num_queries
):
    client = client_for(gwent_staff)
    query = {"sort": "due", "overdue": ""}
    client.get(URL, query)
    with django_assert_max_num_queries(17) as small:  # 3 more: the page of inspections and its counts
        assert client.get(URL, query).status_code == 200
    police = world.record(world.gwent).recommendation.addressees.filter(is_police=True)
    for n in range(15):
        extra = Inspection.objects.create(
            title=f"Grown {n}", slug=f"grown-{n}", published_on=date(2024, 1, 1)
        )
        rec = Recommendation.objects.create(inspection=extra, number=1, text="Do better.")
        rec.addressees.add(*police)
        create_force_records(extra, forces=[world.gwent])
        record = Record.objects.get(force=world.gwent, recommendation=rec)
        owner = Owner.objects.create(force=world.gwent, name=f"Owner {n}", email=f"o{n}@gwent.example")
        set_record_owners(record, acting_user=gwent_staff, owners=[owner])
        add_progress_update(
            record, author=gwent_staff, text=f"Started {n}.", status="in_progress", rag="amber"
        )
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client.get(URL, query)
    assert response.status_code == 200
    # The newest inspections come first, five to a page; the last page is there too.
    assert "Grown 0" in response.content.decode() and "Owner 0" in response.content.decode()
    last = client.get(URL, {**query, "page": "99"})
    assert last.status_code == 200 and world.inspection.title in last.content.decode()
