"""The reminder pages: what was sent per force and per record, a force's settings, a user's preferences."""

from datetime import date

import pytest
import time_machine
from django.urls import reverse

from recommendations.models import Owner
from reminders.models import ForceReminderSettings, ReminderSent
from reminders.services import sweep

pytestmark = [pytest.mark.django_db, pytest.mark.shared_world]


@pytest.fixture
def swept(world, settings, gwent_staff, gwent_chief, dyfed_staff):
    settings.REMINDER_STALE_AFTER_DAYS = 0
    owner = Owner.objects.create(force=world.gwent, name="DI Jones", email="di.jones@gwent.example")
    world.record(world.gwent, 14).owners.add(owner)
    with time_machine.travel("2023-07-14 07:00 +0100", tick=False):
        sweep()
    return world


def test_force_page_lists_reminders_sent_to_whom_and_when_for_that_force_only(swept, client_for, gwent_staff):
    response = client_for(gwent_staff).get(reverse("reminders:force-list", kwargs={"force_slug": "gwent"}))
    html = response.content.decode()
    assert response.status_code == 200
    assert "di.jones@gwent.example" in html and "gwent.staff@example.org" in html
    assert "dyfed-powys.staff@example.org" not in html
    assert "14 Jul 2023" in html


def test_force_page_runs_a_bounded_number_of_queries(
    swept, client_for, gwent_staff, django_assert_max_num_queries
):
    client = client_for(gwent_staff)
    url = reverse("reminders:force-list", kwargs={"force_slug": "gwent"})
    with django_assert_max_num_queries(20):
        client.get(url)
    with time_machine.travel("2023-07-21 07:00 +0100", tick=False):
        sweep()
    assert ReminderSent.objects.filter(force=swept.gwent).count() > 10
    with django_assert_max_num_queries(20):
        client.get(url)


def test_record_page_shows_reminders_and_unreachable_owners(swept, client_for, gwent_staff):
    record = swept.record(swept.gwent, 14)
    record.owners.add(Owner.objects.create(force=swept.gwent, name="DC Price", email=""))
    url = reverse("reminders:record-list", kwargs={"force_slug": "gwent", "pk": record.pk})
    html = client_for(gwent_staff).get(url).content.decode()
    assert "di.jones@gwent.example" in html
    assert "DC Price" in html and "no valid address for reminders" in html


def test_force_staff_change_their_forces_offsets(swept, client_for, gwent_staff):
    url = reverse("reminders:force-settings", kwargs={"force_slug": "gwent"})
    response = client_for(gwent_staff).post(url, {"days_before_due": "7, 60,30", "escalate_after_days": "14"})
    assert response.status_code == 302
    own = ForceReminderSettings.objects.get(force=swept.gwent)
    assert own.days_before_due == "60, 30, 7" and own.escalate_after_days == 14
    assert not ForceReminderSettings.objects.filter(force=swept.dyfed).exists()


def test_bad_offsets_show_the_error_summary_and_save_nothing(swept, client_for, gwent_staff):
    url = reverse("reminders:force-settings", kwargs={"force_slug": "gwent"})
    response = client_for(gwent_staff).post(url, {"days_before_due": "ninety", "overdue_every_days": "-3"})
    assert response.status_code == 200
    assert "govuk-error-summary" in response.content.decode()
    assert not ForceReminderSettings.objects.exists()


def test_dyfed_powys_staff_cannot_change_gwents_settings(swept, client_for, dyfed_staff):
    url = reverse("reminders:force-settings", kwargs={"force_slug": "gwent"})
    assert client_for(dyfed_staff).post(url, {"days_before_due": "1"}).status_code == 404
    assert not ForceReminderSettings.objects.exists()


def test_users_turn_reminders_off_and_chief_officers_are_told_escalations_still_come(
    world, client_for, gwent_staff, gwent_chief
):
    url = reverse("reminders:preferences")
    response = client_for(gwent_staff).post(url, {})
    assert response.status_code == 302
    gwent_staff.refresh_from_db()
    assert gwent_staff.email_reminders is False
    staff_page = client_for(gwent_staff).get(url).content.decode()
    assert "always receive escalations" not in staff_page
    chief_page = client_for(gwent_chief).get(url).content.decode()
    assert "always receive escalations" in chief_page
    client_for(gwent_staff).post(url, {"email_reminders": "on"})
    gwent_staff.refresh_from_db()
    assert gwent_staff.email_reminders is True


def test_the_sweep_date_in_the_ledger_is_the_day_it_ran(swept):
    assert set(ReminderSent.objects.values_list("sweep_date", flat=True)) == {date(2023, 7, 14)}
