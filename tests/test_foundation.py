import io
import subprocess
import sys
from datetime import date

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.db import IntegrityError

from accounts.models import User
from forces.models import Force, ForceUserObjectPermission, Membership
from forces.services import remove_membership, set_membership
from recommendations.models import Inspection, ProgressUpdate, Recommendation, Record
from recommendations.services import StaleRecord, add_progress_update, allowed_statuses

pytestmark = pytest.mark.django_db


def test_load_demo_twice_leaves_the_same_data(settings):
    settings.DEBUG = True
    counts = []
    for _ in range(2):
        call_command("load_demo", stdout=io.StringIO())
        counts.append(
            (
                Force.objects.count(),
                Recommendation.objects.count(),
                Record.objects.count(),
                ProgressUpdate.objects.count(),
                User.objects.count(),
                Membership.objects.count(),
                ForceUserObjectPermission.objects.count(),
            )
        )
    assert counts[0] == counts[1]
    forces, recommendations, records, updates, users, memberships, _ = counts[0]
    assert forces == 43
    assert Force.objects.filter(welsh_language_standards=True).count() == 4
    assert recommendations == 19
    assert records == 43 * 4  # 14, 15, 18 and 19 fall to police forces
    # Each seed force's four answers, and a timeline entry for each owner its document names (Gwent
    # one, Staffordshire one, Gloucestershire three), written by the owner service as the page does.
    assert updates == 5 * 4 + 5
    assert ProgressUpdate.objects.filter(kind=ProgressUpdate.Kind.OWNERS_CHANGED).count() == 5
    assert users == 2 + 5 * 2 and memberships == 10
    assert User.objects.get(username="gwent.staff").check_password("demo-pass-2022")


def test_load_demo_refuses_demo_users_without_debug(settings):
    settings.DEBUG = False
    with pytest.raises(Exception, match="refusing to create demo users"):
        call_command("load_demo")
    assert not User.objects.exists()


def test_mappa_inspection_dates_follow_the_statute(world):
    inspection = world.inspection
    assert inspection.published_on == date(2022, 7, 14)
    assert inspection.response_due_on == date(2022, 9, 7)  # the 56th day, counting 14 July as day 1
    assert inspection.recommendations_due_on == date(2023, 7, 14)  # within 12 months
    police = Recommendation.objects.filter(inspection=inspection, addressees__is_police=True).distinct()
    assert sorted(police.values_list("number", flat=True)) == [14, 15, 18, 19]
    assert world.record(world.gwent, 18).original_due_on == date(2023, 7, 14)


def test_gwent_records_carry_their_2022_answers(world):
    update = world.update(world.gwent, 19)
    assert "50.1 nominals per manager" in update.text
    assert update.dated == date(2022, 9, 5)
    assert world.record(world.gwent, 19).latest_update == update
    assert world.record(world.gwent, 19).status == Record.Status.IN_PROGRESS


def test_progress_updates_are_append_only(world):
    update = world.update(world.gwent)
    update.text = "rewritten"
    with pytest.raises(PermissionError):
        update.save()
    with pytest.raises(PermissionError):
        update.delete()
    with pytest.raises(PermissionError):
        ProgressUpdate.objects.filter(pk=update.pk).update(text="rewritten")
    with pytest.raises(PermissionError):
        ProgressUpdate.objects.filter(pk=update.pk).delete()


def test_correction_is_a_new_entry_pointing_at_the_old(world, gwent_staff):
    record = world.record(world.gwent)
    original = record.latest_update
    result = add_progress_update(
        record,
        author=gwent_staff,
        text="Corrected figure.",
        corrects=original,
    )
    assert result.update.corrects == original
    original.refresh_from_db()
    assert "MATAC" in original.text  # the original is kept as it was


def test_staff_cannot_close_a_record_but_chief_can(world, gwent_staff, gwent_chief):
    record = world.record(world.gwent, 14)
    assert Record.Status.COMPLETE not in allowed_statuses(record, gwent_staff)
    add_progress_update(record, author=gwent_staff, text="Done.", status=Record.Status.AWAITING_SIGN_OFF)
    record.refresh_from_db()
    with pytest.raises(PermissionDenied):
        add_progress_update(record, author=gwent_staff, text="Closing.", status=Record.Status.COMPLETE)
    record.refresh_from_db()
    assert record.status == Record.Status.AWAITING_SIGN_OFF
    add_progress_update(record, author=gwent_chief, text="Signed off.", status=Record.Status.COMPLETE)
    record.refresh_from_db()
    assert record.status == Record.Status.COMPLETE


def test_chief_of_other_force_cannot_update(world, dyfed_chief):
    record = world.record(world.gwent, 14)
    before = ProgressUpdate.objects.count()
    with pytest.raises(PermissionDenied):
        add_progress_update(record, author=dyfed_chief, text="Not mine.")
    assert ProgressUpdate.objects.count() == before


def test_stale_version_is_refused_and_nothing_saved(world, gwent_staff):
    record = world.record(world.gwent, 14)
    old_version = record.version
    add_progress_update(record, author=gwent_staff, text="First.")
    before = ProgressUpdate.objects.count()
    with pytest.raises(StaleRecord):
        add_progress_update(record, author=gwent_staff, text="Second.", expected_version=old_version)
    assert ProgressUpdate.objects.count() == before


def test_membership_grants_only_that_force(world, gwent_staff):
    assert gwent_staff.has_perm("forces.edit_records", world.gwent)
    assert not gwent_staff.has_perm("forces.edit_records", world.dyfed)
    assert not gwent_staff.has_perm("forces.edit_records")  # never a model-wide grant
    set_membership(gwent_staff, world.gwent, Membership.Role.CHIEF_OFFICER)
    assert gwent_staff.has_perm("forces.sign_off", world.gwent)
    remove_membership(gwent_staff, world.gwent)
    fresh = User.objects.get(pk=gwent_staff.pk)
    assert not fresh.has_perm("forces.view_force", world.gwent)


def test_one_record_per_force_and_recommendation(world):
    with pytest.raises(IntegrityError):
        Record.objects.create(force=world.gwent, recommendation=world.record(world.gwent).recommendation)


def test_inspection_fills_its_statutory_date():
    inspection = Inspection.objects.create(
        title="A PEEL inspection", slug="peel", published_on=date(2024, 1, 31)
    )
    assert inspection.response_due_on == date(2024, 3, 26)  # 31 January is day 1 of 56
    assert inspection.recommendations_due_on == date(2025, 1, 31)


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"DEBUG": "0"}, "SECRET_KEY is not set"),
        ({"DEBUG": "perhaps"}, "DEBUG='perhaps' is not a yes/no value"),
        ({"DEBUG": "1", "DATABASE_URL": "nonsense"}, "DATABASE_URL is not a database URL"),
        ({"DEBUG": "1", "REDIS_URL": "http://localhost"}, "is not a broker URL"),
    ],
)
def test_bad_setting_gives_one_clear_line(env, message):
    clean = {
        k: v
        for k, v in __import__("os").environ.items()
        if k not in {"DATABASE_URL", "REDIS_URL", "SECRET_KEY", "DEBUG", "DJANGO_SETTINGS_MODULE"}
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=settings.BASE_DIR,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and message in lines[0], result.stderr


def test_force_overview_runs_a_bounded_number_of_queries(
    world, gwent_staff, client_for, django_assert_max_num_queries
):
    from recommendations.services import create_force_records

    client = client_for(gwent_staff)
    client.get("/forces/gwent/")  # warm the session and caches
    # 17: the page of inspections (count and slice), the records shown, the force's stale period and
    # the latest answers are read once each, whatever the size.
    with django_assert_max_num_queries(17) as small:
        assert client.get("/forces/gwent/").status_code == 200
    # Twenty more inspections' worth of records and updates must not add queries.
    for n in range(20):
        extra = Inspection.objects.create(
            title=f"Inspection {n}", slug=f"extra-{n}", published_on=date(2023, 1, 1)
        )
        rec = Recommendation.objects.create(inspection=extra, number=1, text="Do better.")
        rec.addressees.add(*world.record(world.gwent).recommendation.addressees.filter(is_police=True))
        create_force_records(extra, forces=[world.gwent])
        add_progress_update(
            Record.objects.get(force=world.gwent, recommendation=rec), author=gwent_staff, text="Started."
        )
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client.get("/forces/gwent/")
    assert response.status_code == 200
    assert response.content.decode().count("Inspection 1") >= 1


def test_importing_the_settings_makes_no_folder(tmp_path):
    """Folders are made at start-up (mappa_tracker.startup), never as a side effect of an import."""
    import os

    var = tmp_path / "var"
    env = {**os.environ, "MAPPA_VAR_DIR": str(var), "DEBUG": "1"}
    env.pop("DATABASE_URL", None)
    env.pop("REDIS_URL", None)
    code = "import mappa_tracker.settings"
    subprocess.run([sys.executable, "-c", code], cwd=settings.BASE_DIR, env=env, check=True)  # noqa: S603
    assert not var.exists()
    subprocess.run(  # noqa: S603
        [sys.executable, "-c", "import django; django.setup()"],
        cwd=settings.BASE_DIR,
        env={**env, "DJANGO_SETTINGS_MODULE": "mappa_tracker.settings"},
        check=True,
    )
    assert (var / "celery-broker" / "queue").is_dir()
    assert (var / "celery-broker" / "control").is_dir()
