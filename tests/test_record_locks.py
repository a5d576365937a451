"""A change to a record locks that record's row and nothing else: two people saving different
records of one force at once, or a person saving while a spreadsheet import of the same force is
being applied (one transaction, seconds long), never wait for each other. Two changes to the same
record still take turns, so neither overwrites the other.

PostgreSQL only: SQLite has no row locks (it serialises writers).
"""

import threading

import pytest
from django.db import OperationalError, connection, transaction
from django.utils import timezone
from django_scopes import scope

from recommendations.models import ProgressUpdate
from recommendations.services import add_progress_update, record_hmicfrs_closure

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def postgresql():
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises writers; row locks need PostgreSQL")


def _held(world, author, number):
    """Start a transaction in another thread that adds an update to record `number` of Gwent and
    keeps its locks until told to finish. Returns (release, thread, errors)."""
    holding, release, errors = threading.Event(), threading.Event(), []

    def hold():
        try:
            with scope(force=world.gwent.pk), transaction.atomic():
                add_progress_update(world.record(world.gwent, number), author=author, text="Held.")
                holding.set()
                release.wait(30)
        except Exception as exc:  # pragma: no cover - reported by the test
            errors.append(exc)
        finally:
            holding.set()
            connection.close()

    thread = threading.Thread(target=hold)
    thread.start()
    assert holding.wait(30) and not errors, errors
    return release, thread, errors


def _within_two_seconds(force, change):
    """Run `change()` in the force's scope, in a transaction that gives up on any lock it waits for
    longer than 2 s."""
    with scope(force=force.pk), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL lock_timeout = '2s'")
        change()


@pytest.mark.parametrize(
    "second",
    ["progress update", "HMICFRS closure"],
)
def test_a_change_held_open_does_not_hold_up_another_record_of_the_same_force(
    postgresql, world, gwent_staff, second
):
    release, thread, errors = _held(world, gwent_staff, 14)
    other = world.record(world.gwent, 15)
    if second == "progress update":
        call = lambda: add_progress_update(other, author=gwent_staff, text="Not held up.")  # noqa: E731
    else:
        call = lambda: record_hmicfrs_closure(  # noqa: E731
            other,
            user=gwent_staff,
            closed_on=timezone.localdate(),
            reference="HMICFRS/2023/15",
            basis="Evidence of the training given to every MAPPA lead.",
        )
    try:
        _within_two_seconds(world.gwent, call)
    finally:
        release.set()
        thread.join(30)
    assert not errors, errors
    assert ProgressUpdate.objects.filter(record__in=[world.record(world.gwent, 14), other]).count() >= 2


def test_two_changes_to_the_same_record_take_turns(postgresql, world, gwent_staff):
    release, thread, errors = _held(world, gwent_staff, 14)
    record = world.record(world.gwent, 14)
    try:
        with pytest.raises(OperationalError, match="lock timeout"):
            _within_two_seconds(
                world.gwent, lambda: add_progress_update(record, author=gwent_staff, text="Waits.")
            )
    finally:
        release.set()
        thread.join(30)
    assert not errors, errors
    assert not ProgressUpdate.objects.filter(text="Waits.").exists()
