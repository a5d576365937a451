"""Reminders across the MAPPA year: milestones once each, digests per person, escalation, tenancy."""

from datetime import date, timedelta
from unittest import mock

import pytest
import time_machine
from django.core import mail
from django.template.loader import render_to_string

from forces.models import Force, Membership
from recommendations.models import Addressee, Inspection, Owner, Recommendation, Record
from recommendations.services import add_progress_update, create_force_records
from reminders.models import ForceReminderSettings, ReminderSent
from reminders.services import plan_sweep, record_reminder_status, sweep
from responses.models import Response
from tests.conftest import make_user

pytestmark = [pytest.mark.django_db, pytest.mark.shared_world]

DUE = date(2023, 7, 14)  # the MAPPA report's 12 months, from publication on 14 July 2022
OWNER = "di.jones@gwent.example"
DYFED_OWNER = "ds.evans@dyfed-powys.example"


def run_on(day: date):
    """A sweep as beat would run it on `day` (the clock travels there)."""
    with time_machine.travel(f"{day.isoformat()} 07:00 +0100", tick=False):
        return sweep()


def days(start: date, end: date):
    while start <= end:
        yield start
        start += timedelta(days=1)


def to(address):
    return [m for m in mail.outbox if m.to == [address]]


@pytest.fixture
def mappa(world, settings, gwent_staff, gwent_chief, dyfed_staff, dyfed_chief):
    """Gwent's and Dyfed-Powys's record 14 each have an owner with an e-mail; no stale nudges."""
    settings.REMINDER_STALE_AFTER_DAYS = 0
    gwent_owner = Owner.objects.create(force=world.gwent, name="DI Jones", email=OWNER)
    world.record(world.gwent, 14).owners.add(gwent_owner)
    dyfed_owner = Owner.objects.create(force=world.dyfed, name="DS Evans", email=DYFED_OWNER)
    world.record(world.dyfed, 14).owners.add(dyfed_owner)
    return world


def milestones_for(record, address):
    return list(
        ReminderSent.objects.filter(
            record=record, recipient=address, kind__in=["record_due", "record_overdue"]
        )
        .order_by("sent_at")
        .values_list("milestone", "sweep_date")
    )


def test_each_milestone_is_sent_once_across_the_mappa_year(mappa):
    for day in days(date(2023, 4, 1), date(2023, 8, 20)):
        run_on(day)
        run_on(day)  # beat firing twice changes nothing
    assert milestones_for(mappa.record(mappa.gwent, 14), OWNER) == [
        ("before-90", date(2023, 4, 15)),
        ("before-30", date(2023, 6, 14)),
        ("before-7", date(2023, 7, 7)),
        ("before-1", date(2023, 7, 13)),
        ("due", date(2023, 7, 14)),
        ("overdue-7", date(2023, 7, 21)),
        ("overdue-14", date(2023, 7, 28)),
        ("overdue-21", date(2023, 8, 4)),
        ("overdue-28", date(2023, 8, 11)),
        ("overdue-35", date(2023, 8, 18)),
    ]
    # The owner hears once per milestone day, nothing else.
    assert len(to(OWNER)) == 10


def test_a_digest_lists_every_item_due_for_the_person_grouped_by_inspection(mappa):
    run_on(date(2023, 4, 15))
    [message] = to("gwent.staff@example.org")
    open_records = Record.objects.filter(force=mappa.gwent).open().count()
    assert open_records == 4
    assert message.body.count("Gwent Police: Recommendation") == open_records
    assert message.body.count(f"== {mappa.inspection.title} ==") == 1
    assert "http://" in message.body and mappa.record(mappa.gwent, 14).get_absolute_url() in message.body
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html" and html.count("<h2>") == 1
    assert message.subject == "4 items due, the first on 14 July 2023"
    [owner_message] = to(OWNER)  # an owner with no account, of a Welsh force: Welsh, then English
    assert owner_message.subject == (
        "Mae dyddiad cau Argymhelliad 14 ar 14 Gorffennaf 2023 / Recommendation 14 is due on 14 July 2023"
    )


def test_missed_sweeps_still_send_the_latest_milestone_reached(mappa):
    record = mappa.record(mappa.gwent, 14)
    run_on(date(2023, 4, 20))  # beat missed 15 April
    run_on(date(2023, 7, 10))  # and everything between: the 30-day one was overtaken
    run_on(date(2023, 7, 11))
    assert milestones_for(record, OWNER) == [
        ("before-90", date(2023, 4, 20)),
        ("before-7", date(2023, 7, 10)),
    ]


def test_chief_officers_hear_once_overdue_by_seven_days_even_if_opted_out(mappa, gwent_chief):
    gwent_chief.email_reminders = False
    gwent_chief.save()
    for day in days(date(2023, 7, 13), date(2023, 7, 20)):
        run_on(day)
    assert to("gwent.chief@example.org") == []
    run_on(date(2023, 7, 21))
    [escalation] = to("gwent.chief@example.org")
    assert "overdue" in escalation.subject.lower()
    assert "Escalated to chief officers" in escalation.body
    assert set(
        ReminderSent.objects.filter(recipient="gwent.chief@example.org").values_list("role", flat=True)
    ) == {"chief_officer"}


def test_staff_who_opt_out_get_no_digest(mappa, gwent_staff):
    gwent_staff.email_reminders = False
    gwent_staff.save()
    run_on(date(2023, 7, 21))
    assert to("gwent.staff@example.org") == []
    assert to(OWNER)


def test_nobody_hears_about_another_forces_records(mappa, gwent_staff, dyfed_staff):
    for day in (date(2023, 4, 15), DUE, date(2023, 7, 21)):
        run_on(day)
    gwent_mail = to(OWNER) + to("gwent.staff@example.org") + to("gwent.chief@example.org")
    dyfed_mail = to(DYFED_OWNER) + to("dyfed-powys.staff@example.org") + to("dyfed-powys.chief@example.org")
    assert gwent_mail and dyfed_mail
    for message in gwent_mail:
        assert "Dyfed" not in message.body and "dyfed" not in message.alternatives[0][0]
    for message in dyfed_mail:
        assert "Gwent" not in message.body and "gwent" not in message.alternatives[0][0]
    gwent_ids = set(Record.objects.filter(force=mappa.gwent).values_list("pk", flat=True))
    for address in (OWNER, "gwent.staff@example.org", "gwent.chief@example.org"):
        assert (
            set(ReminderSent.objects.filter(recipient=address).values_list("record_id", flat=True))
            <= gwent_ids
        )


def test_a_user_of_gwent_only_hears_gwent_while_dyfed_powys_has_items_due(mappa):
    # Close every Gwent record: Dyfed-Powys still has items due, Gwent's people hear nothing.
    Record.objects.filter(force=mappa.gwent).update(status=Record.Status.COMPLETE)
    run_on(date(2023, 7, 21))
    assert to("dyfed-powys.staff@example.org")
    assert to("gwent.staff@example.org") == [] and to(OWNER) == [] and to("gwent.chief@example.org") == []


def test_closed_records_stop_reminding(mappa, gwent_chief):
    record = mappa.record(mappa.gwent, 14)
    run_on(DUE)
    with time_machine.travel("2023-07-18 10:00 +0100", tick=False):
        add_progress_update(record, author=gwent_chief, text="Done.", status=Record.Status.AWAITING_SIGN_OFF)
        add_progress_update(record, author=gwent_chief, text="Signed off.", status=Record.Status.COMPLETE)
    for day in days(date(2023, 7, 19), date(2023, 9, 1)):
        run_on(day)
    assert milestones_for(record, OWNER) == [("due", DUE)]


def test_a_new_due_date_brings_its_own_milestones_and_the_old_ones_stop(mappa):
    record = mappa.record(mappa.gwent, 14)
    run_on(DUE)
    Record.objects.filter(pk=record.pk).update(current_due_on=date(2023, 10, 14))
    for day in days(date(2023, 7, 15), date(2023, 9, 20)):
        run_on(day)
    sent = list(
        ReminderSent.objects.filter(record=record, recipient=OWNER)
        .order_by("sent_at")
        .values_list("milestone", "due_on")
    )
    assert sent == [("due", DUE), ("before-90", date(2023, 10, 14)), ("before-30", date(2023, 10, 14))]


def test_a_mail_server_failure_marks_nothing_sent_and_the_next_sweep_retries(mappa):
    from django.core.mail import EmailMultiAlternatives

    real_send = EmailMultiAlternatives.send

    def flaky(message, *args, **kwargs):
        if message.to == ["gwent.staff@example.org"]:
            raise ConnectionRefusedError("mail server down")
        return real_send(message, *args, **kwargs)

    with mock.patch.object(EmailMultiAlternatives, "send", flaky):
        result = run_on(DUE)
    assert result.failed == ["gwent.staff@example.org"]
    assert not ReminderSent.objects.filter(recipient="gwent.staff@example.org").exists()
    assert to(OWNER) and to("dyfed-powys.staff@example.org")  # everyone else unaffected
    run_on(DUE + timedelta(days=1))
    [retry] = to("gwent.staff@example.org")
    assert "Due today" not in retry.body  # sent a day late, it says so
    assert ReminderSent.objects.filter(recipient="gwent.staff@example.org", milestone="due").count() == 4


def test_owner_without_a_valid_address_is_shown_and_everyone_else_is_reminded(mappa, client_for, gwent_staff):
    record = mappa.record(mappa.gwent, 14)
    broken = Owner.objects.create(force=mappa.gwent, name="DC Price", email="not-an-address")
    record.owners.add(broken)
    result = run_on(DUE)
    assert result.unreachable_owners >= 1 and not result.failed
    assert to(OWNER) and to("gwent.staff@example.org")
    context = record_reminder_status(record)
    assert broken in context["unreachable_owners"]
    html = render_to_string("reminders/record_reminders.html", context)
    assert "no valid address for reminders" in html
    assert OWNER in html


def test_a_force_can_set_its_own_offsets(mappa):
    ForceReminderSettings.objects.create(force=mappa.gwent, days_before_due="60, 10", escalate_after_days=0)
    for day in days(date(2023, 4, 1), DUE):
        run_on(day)
    assert [m for m, _ in milestones_for(mappa.record(mappa.gwent, 14), OWNER)] == [
        "before-60",
        "before-10",
        "due",
    ]
    assert [m for m, _ in milestones_for(mappa.record(mappa.dyfed, 14), DYFED_OWNER)] == [
        "before-90",
        "before-30",
        "before-7",
        "before-1",
        "due",
    ]
    # Escalation from the day itself for Gwent.
    assert to("gwent.chief@example.org") and not to("dyfed-powys.chief@example.org")


def test_stale_records_nudge_their_owner_to_update(mappa, settings):
    settings.REMINDER_STALE_AFTER_DAYS = 60
    record = mappa.record(mappa.gwent, 14)  # last update 5 September 2022
    run_on(date(2022, 11, 3))
    run_on(date(2022, 11, 4))
    assert to(OWNER) and "Please update" in to(OWNER)[0].subject
    assert list(
        ReminderSent.objects.filter(record=record, kind="stale").values_list("recipient", "due_on")
    ) == [(OWNER, date(2022, 11, 4))]
    assert not to("gwent.staff@example.org")  # a nudge is for the owner


def test_response_reminders_before_the_statutory_date_stop_when_published(
    world, settings, gwent_staff, gwent_chief
):
    settings.REMINDER_STALE_AFTER_DAYS = 0
    response = Response.objects.create(
        force=world.gwent, inspection=world.inspection, chief_comments_due_on=date(2022, 8, 25)
    )
    statutory = world.inspection.response_due_on
    assert statutory == date(2022, 9, 7)  # the 56th day, counting 14 July as day 1
    for day in days(date(2022, 7, 14), date(2022, 9, 1)):
        run_on(day)
    staff = ReminderSent.objects.filter(
        recipient="gwent.staff@example.org", response=response, kind__in=["response_due", "response_overdue"]
    )
    assert list(staff.values_list("milestone", flat=True).order_by("sent_at")) == [
        "before-28",
        "before-14",
        "before-7",
    ]
    chief = ReminderSent.objects.filter(recipient="gwent.chief@example.org", kind="chief_comments_due")
    assert list(chief.values_list("milestone", flat=True).order_by("sent_at")) == [
        "before-28",
        "before-14",
        "before-7",
        "before-1",
        "due",
        "overdue-7",
    ]
    assert "The chief officer's input to the response is due on 25 August 2022" in [
        m.subject for m in mail.outbox
    ]
    assert any("The PCC's response" in m.body for m in mail.outbox)
    Response.objects.filter(pk=response.pk).update(
        status=Response.Status.PUBLISHED, published_on=date(2022, 9, 2)
    )
    for day in days(date(2022, 9, 2), date(2022, 10, 1)):
        run_on(day)
    assert staff.count() == 3


def test_a_dry_run_sends_and_records_nothing(mappa):
    with time_machine.travel("2023-07-14 07:00 +0100", tick=False):
        result = sweep(dry_run=True)
    assert result.planned > 0 and not mail.outbox and not ReminderSent.objects.exists()


def test_the_management_command_sweeps_a_given_date(mappa, capsys):
    from django.core.management import call_command

    call_command("send_reminders", "--date", "2023-07-14")
    assert "sent" in capsys.readouterr().out
    assert ReminderSent.objects.filter(milestone="due", due_on=DUE).exists()


def test_the_sweep_task_is_on_the_beat_schedule(settings):
    from mappa_tracker.celery import app

    entry = settings.CELERY_BEAT_SCHEDULE["reminders-sweep"]
    assert entry["task"] == "reminders.sweep"
    import reminders.tasks  # noqa: F401

    assert "reminders.sweep" in app.tasks


def _grow(world, n: int):
    """n more MAPPA-like inspections of ten police recommendations each, with records for every force."""
    police = Addressee.objects.filter(is_police=True).first()
    for i in range(n):
        inspection = Inspection.objects.create(
            title=f"Thematic {world.inspection.pk}-{i}",
            slug=f"thematic-{i}-{Inspection.objects.count()}",
            published_on=date(2022, 7, 14),
        )
        for number in range(1, 11):
            rec = Recommendation.objects.create(
                inspection=inspection, number=number, text=f"Do thing {number}."
            )
            rec.addressees.add(police)
        create_force_records(inspection)
        for force in (world.gwent, world.dyfed):
            owner = Owner.objects.create(
                force=force, name=f"Owner {i}", email=f"owner{i}@{force.slug}.example"
            )
            for record in Record.objects.filter(force=force, recommendation__inspection=inspection):
                record.owners.add(owner)


def test_the_sweep_decides_in_a_bounded_number_of_queries(mappa, django_assert_max_num_queries):
    with django_assert_max_num_queries(8):
        small = plan_sweep(DUE)
    _grow(mappa, 6)
    with django_assert_max_num_queries(8):
        big = plan_sweep(DUE)
    assert big.line_count > small.line_count * 3


def test_the_whole_sweep_runs_a_query_count_that_does_not_grow_with_records(
    mappa, django_assert_max_num_queries
):
    _grow(mappa, 1)  # the owners now exist; more records for them must not add queries
    with (
        time_machine.travel("2023-07-14 07:00 +0100", tick=False),
        django_assert_max_num_queries(60) as small,
    ):
        sweep()
    ReminderSent.objects.all().delete()
    mail.outbox.clear()
    Owner.objects.filter(name__startswith="Owner").delete()
    _grow(mappa, 1)
    before = len(small.captured_queries)
    with time_machine.travel("2023-07-14 07:00 +0100", tick=False), django_assert_max_num_queries(before):
        result = sweep()
    assert Record.objects.count() > 40 and result.sent > 20


def test_members_of_another_role_in_the_force_are_not_reminded_twice(mappa, gwent_staff):
    # The staff member is also a named owner with the same address: one line per item, one e-mail.
    owner = Owner.objects.create(
        force=mappa.gwent, name="Staff as owner", email="GWENT.STAFF@example.org", user=gwent_staff
    )
    mappa.record(mappa.gwent, 14).owners.add(owner)
    run_on(DUE)
    [message] = to("gwent.staff@example.org")
    assert message.body.count("Gwent Police: Recommendation 14") == 1
    assert Membership.objects.filter(user=gwent_staff).exists()


def test_a_welsh_speaking_user_gets_their_digest_without_error(mappa, gwent_staff):
    gwent_staff.preferred_language = "cy"
    gwent_staff.save()
    run_on(DUE)
    assert to("gwent.staff@example.org")


def test_an_owner_with_no_account_hears_about_a_welsh_force_in_welsh_then_english(mappa):
    """The Welsh Language Standards: someone who has chosen no language (an owner with no account)
    gets a Welsh force's reminders in Welsh first, then in English, in one e-mail; each part of
    the HTML names its language, and a Welsh field with no Welsh text is marked as English only."""
    Inspection.objects.filter(pk=mappa.inspection.pk).update(title_cy="")
    run_on(DUE)
    [message] = to(OWNER)
    welsh, english = message.body.split("\n---\n")
    assert welsh.startswith("Annwyl DI Jones,") and "Mae angen i chi roi sylw" in welsh
    assert f"== {mappa.inspection.title} (yn Saesneg yn unig) ==" in welsh
    assert english.strip().startswith("Dear DI Jones,") and f"== {mappa.inspection.title} ==" in english
    assert "Heddlu Gwent: Argymhelliad 14" in welsh and "Gwent Police: Recommendation 14" in english
    html, _mimetype = message.alternatives[0]
    assert '<html lang="cy">' in html
    assert html.index('<div lang="cy">') < html.index("<hr>") < html.index('<div lang="en">')
    # A Welsh title, where there is one, in the Welsh part only.
    Inspection.objects.filter(pk=mappa.inspection.pk).update(title_cy="Ugain mlynedd yn ddiweddarach")
    ReminderSent.objects.all().delete()
    mail.outbox.clear()
    run_on(DUE)
    [message] = to(OWNER)
    welsh, english = message.body.split("\n---\n")
    assert "== Ugain mlynedd yn ddiweddarach ==" in welsh and "Ugain" not in english


def test_owners_of_english_forces_and_people_with_accounts_get_one_language(mappa, gwent_staff):
    """An owner of a force in England hears in English; a user hears in the language they chose."""
    Force.objects.filter(pk=mappa.gwent.pk).update(country=Force.Country.ENGLAND)
    gwent_staff.preferred_language = "cy"
    gwent_staff.save()
    run_on(DUE)
    [owner_message] = to(OWNER)
    assert owner_message.subject == "Due today: Recommendation 14"
    assert owner_message.body.startswith("Dear DI Jones,") and "\n---\n" not in owner_message.body
    [staff_message] = to("gwent.staff@example.org")
    assert staff_message.body.startswith("Annwyl gwent.staff,") and "\n---\n" not in staff_message.body
    html = staff_message.alternatives[0][0]
    assert '<html lang="cy">' in html and '<div lang="en">' not in html


def test_users_in_no_force_hear_nothing(mappa):
    make_user("loner")
    run_on(DUE)
    assert to("loner@example.org") == []
