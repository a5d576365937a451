"""Many letters at once: an administrator's zip of published responses to one inspection.

Each letter is matched to the force it names and becomes that force's ordinary import (previewed,
corrected and confirmed like a single upload); letters that name no force, or several, are listed
with the reason and write nothing. Administrators may also bring in one force's letter on the
force's own import page; they still change nothing else of a force's.
"""

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from history import services
from history.models import DocumentBatch, DocumentImport
from recommendations.models import ProgressUpdate
from responses.models import Response
from tests.test_history_batch import make_zip
from tests.test_history_engine import fixture_answers
from tests.test_history_import import POLICE, expected_author, seed_bytes, similarity

pytestmark = [pytest.mark.django_db, pytest.mark.shared_world]
SEED_FORCES = ("dyfed-powys", "gwent", "avon-and-somerset", "staffordshire", "gloucestershire")


def upload_batch(client, inspection, name, data, capture):
    with capture(execute=True):
        return client.post(
            reverse("history:batch-upload"),
            {"inspection": inspection.pk, "letters": SimpleUploadedFile(name, data)},
        )


def _seed_zip(formats=("txt", "pdf", "docx", "txt", "html")) -> bytes:
    members = {}
    for slug, fmt in zip(SEED_FORCES, formats, strict=True):
        name, data = seed_bytes(slug, fmt)
        members[f"letters/{name}"] = data
    return make_zip(members)


def test_a_zip_of_the_five_seeds_is_matched_previewed_and_confirmed_together(
    world, admin_user, client_for, django_capture_on_commit_callbacks
):
    client = client_for(admin_user)
    page = upload_batch(
        client, world.inspection, "mappa.zip", _seed_zip(), django_capture_on_commit_callbacks
    )
    assert page.status_code == 303
    batch = DocumentBatch.objects.get()
    assert page["Location"] == batch.get_absolute_url()
    assert batch.status == DocumentBatch.Status.DONE and batch.progress == 100, batch.error
    documents = services.batch_documents(batch)
    assert sorted(d.force.slug for d in documents) == sorted(SEED_FORCES)
    assert all(d.status == DocumentImport.Status.READY for d in documents), [d.error for d in documents]

    html = client.get(batch.get_absolute_url()).content.decode()
    for document in documents:
        assert document.force.name in html and document.get_absolute_url() in html
    assert "5 letters are ready to check" in html

    # Each letter's own preview is open to the administrator, under its force.
    preview = client.get(documents[0].get_absolute_url())
    assert preview.status_code == 200 and "Recommendation 18" in preview.content.decode()

    confirmed = client.post(reverse("history:batch-confirm", kwargs={"pk": batch.pk}))
    assert confirmed.status_code == 303
    for slug in SEED_FORCES:
        response = Response.objects.get(force__slug=slug, inspection=world.inspection)
        assert response.status == Response.Status.PUBLISHED and response.published_by == admin_user
        updates = ProgressUpdate.objects.filter(force__slug=slug, kind=ProgressUpdate.Kind.IMPORTED)
        assert updates.count() == 4
        expected = fixture_answers()[slug]["records"]
        for number in POLICE:
            update = updates.get(record__recommendation__number=number)
            assert similarity(update.text, expected[str(number)]["progress_text"]) >= 0.95
            # Credited to the letter's author, not to the administrator who confirmed it.
            assert update.author_name == expected_author(fixture_answers()[slug])
            assert update.voice == fixture_answers()[slug]["progress_voice"]
    assert all(d.status == DocumentImport.Status.CONFIRMED for d in services.batch_documents(batch))


def test_letters_naming_no_force_or_several_are_listed_and_write_nothing(
    world, admin_user, client_for, django_capture_on_commit_callbacks
):
    gwent_name, gwent = seed_bytes("gwent")
    data = make_zip(
        {
            gwent_name: gwent,
            "nobody.txt": b"Recommendation 18\n\nAll offender managers are trained.\n",
            "both.txt": (b"Gwent Police and Dyfed-Powys Police\n\nRecommendation 18\n\nA joint answer.\n"),
            "notes.csv": b"not,a,letter\n",
            "__MACOSX/._gwent.txt": b"resource fork",
        }
    )
    client = client_for(admin_user)
    upload_batch(client, world.inspection, "mixed.zip", data, django_capture_on_commit_callbacks)
    batch = DocumentBatch.objects.get()
    by_name = {entry["name"]: entry for entry in batch.letters}
    assert set(by_name) == {gwent_name, "nobody.txt", "both.txt"}
    assert by_name[gwent_name]["force"] == "gwent" and not by_name[gwent_name]["problem"]
    assert "No force" in by_name["nobody.txt"]["problem"]
    assert "more than one force" in by_name["both.txt"]["problem"]
    assert [d.force.slug for d in services.batch_documents(batch)] == ["gwent"]
    html = client.get(batch.get_absolute_url()).content.decode()
    assert "Not imported" in html and "1 letter is ready to check" in html


def test_a_zip_whose_path_leaves_the_folder_fails_with_a_clear_message(
    world, admin_user, client_for, django_capture_on_commit_callbacks
):
    name, data = seed_bytes("gwent")
    client = client_for(admin_user)
    upload_batch(
        client,
        world.inspection,
        "evil.zip",
        make_zip({f"../../{name}": data}),
        django_capture_on_commit_callbacks,
    )
    batch = DocumentBatch.objects.get()
    assert batch.status == DocumentBatch.Status.FAILED and "leaves the folder" in batch.error
    assert not services.batch_documents(batch)
    html = client.get(batch.get_absolute_url()).content.decode()
    assert "govuk-error-summary" in html and "leaves the folder" in html


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("letters.zip", b"PK not really a zip", "not a real zip file"),
        ("letters.rar", b"anything", "must be a zip file"),
        ("letters.zip", b"", "is empty"),
    ],
)
def test_a_file_that_is_not_a_zip_is_refused_on_the_form_and_nothing_kept(
    name, data, message, world, admin_user, client_for, django_capture_on_commit_callbacks
):
    page = upload_batch(
        client_for(admin_user), world.inspection, name, data, django_capture_on_commit_callbacks
    )
    assert page.status_code == 200
    html = page.content.decode()
    assert "govuk-error-summary" in html and message in html
    assert not DocumentBatch.objects.exists()


def test_the_same_batch_read_twice_keeps_each_letter_once(
    world, admin_user, client_for, django_capture_on_commit_callbacks
):
    upload_batch(
        client_for(admin_user), world.inspection, "mappa.zip", _seed_zip(), django_capture_on_commit_callbacks
    )
    batch = DocumentBatch.objects.get()
    DocumentBatch.objects.filter(pk=batch.pk).update(status=DocumentBatch.Status.READING)  # a redelivery
    services.run_batch(batch.pk)
    batch.refresh_from_db()
    assert len(services.batch_documents(batch)) == 5
    assert len(batch.letters) == 5 and all(entry["document"] for entry in batch.letters)


def test_a_letter_imported_already_is_not_imported_again(
    world, admin_user, client_for, django_capture_on_commit_callbacks
):
    client = client_for(admin_user)
    # Text letters: the same bytes each time (a PDF or DOCX made again carries a new timestamp).
    letters = _seed_zip(formats=("txt",) * len(SEED_FORCES))
    upload_batch(client, world.inspection, "one.zip", letters, django_capture_on_commit_callbacks)
    client.post(reverse("history:batch-confirm", kwargs={"pk": DocumentBatch.objects.get().pk}))
    upload_batch(client, world.inspection, "again.zip", letters, django_capture_on_commit_callbacks)
    again = DocumentBatch.objects.order_by("-pk").first()
    assert all("imported already" in entry["problem"] for entry in again.letters)
    assert not services.batch_documents(again)


@pytest.mark.parametrize("role", ["gwent_staff", "gwent_chief", "national"])
def test_only_administrators_start_or_confirm_a_batch(role, world, personas):
    with pytest.raises(PermissionDenied):
        services.start_batch(world.inspection, SimpleUploadedFile("a.zip", _seed_zip()), user=personas[role])
    batch = DocumentBatch.objects.create(
        inspection=world.inspection,
        uploaded_by=personas[role],
        original_name="a.zip",
        file="x",
        size=1,
        sha256="0" * 64,
    )
    with pytest.raises(PermissionDenied):
        services.confirm_batch(batch, user=personas[role])


def test_an_administrator_imports_one_forces_letter_on_its_own_page(
    world, admin_user, client_for, django_capture_on_commit_callbacks
):
    from tests.test_history_import import upload

    client = client_for(admin_user)
    name, data = seed_bytes("gwent")
    page = upload(client, world.gwent, world.inspection, name, data, django_capture_on_commit_callbacks)
    assert page.status_code == 303
    document = DocumentImport.objects.get(force=world.gwent)
    assert document.status == DocumentImport.Status.READY, document.error
    done = client.post(reverse("history:confirm", kwargs={"force_slug": "gwent", "pk": document.pk}))
    assert done.status_code == 303
    assert Response.objects.get(force=world.gwent, inspection=world.inspection).is_published


def _batch(world, user, **fields):
    return DocumentBatch.objects.create(
        inspection=world.inspection,
        uploaded_by=user,
        original_name="a.zip",
        file="history/batches/none.zip",
        size=1,
        sha256="0" * 64,
        **fields,
    )


def test_a_reading_whose_worker_died_is_marked_failed_by_the_sweep(world, admin_user, gwent_staff, settings):
    from datetime import timedelta

    from django.utils import timezone
    from django_scopes import scope

    from spreadsheets.recovery import sweep

    now = timezone.now()
    long_ago = now - timedelta(
        seconds=settings.HISTORY_BATCH_SOFT_TIME_LIMIT + 60 + settings.STUCK_WORK_AFTER_SECONDS + 1
    )
    dead = _batch(world, admin_user, status=DocumentBatch.Status.READING, started_at=long_ago)
    alive = _batch(world, admin_user, status=DocumentBatch.Status.READING, started_at=now)
    waiting = _batch(world, admin_user, status=DocumentBatch.Status.QUEUED)
    with scope(force=world.gwent.pk):
        document = DocumentImport.objects.create(
            force=world.gwent,
            inspection=world.inspection,
            uploaded_by=gwent_staff,
            original_name="r.txt",
            kind="txt",
            content_type="text/plain",
            file="history/gwent/none.txt",
            size=1,
            sha256="1" * 64,
            status=DocumentImport.Status.READING,
            started_at=long_ago,
        )
    outcome = sweep(now)
    assert outcome["history"] == {"documents": 1, "batches": 1}
    for batch, status in ((dead, "failed"), (alive, "reading"), (waiting, "queued")):
        batch.refresh_from_db()
        assert batch.status == status
    dead.refresh_from_db()
    assert "stopped before it finished" in dead.error
    with scope(force=world.gwent.pk):
        document.refresh_from_db()
    assert document.status == DocumentImport.Status.FAILED and "upload it again" in document.error


def test_a_batch_stopped_by_its_time_limit_is_failed_with_the_reason(world, admin_user, monkeypatch):
    from celery.exceptions import SoftTimeLimitExceeded

    from history import tasks

    batch = _batch(world, admin_user)

    def too_slow(batch_id):
        raise SoftTimeLimitExceeded()

    monkeypatch.setattr(services, "run_batch", too_slow)
    assert tasks.read_batch.apply(kwargs={"batch_id": batch.pk}).get() == "failed"
    batch.refresh_from_db()
    assert batch.status == DocumentBatch.Status.FAILED and "took too long" in batch.error


def test_administrator_deletes_a_read_zips_kept_file_and_its_letters_stay(
    world, admin_user, gwent_staff, client_for, django_capture_on_commit_callbacks, settings
):
    client = client_for(admin_user)
    upload_batch(client, world.inspection, "mappa.zip", _seed_zip(), django_capture_on_commit_callbacks)
    batch = DocumentBatch.objects.get()
    kept = settings.MEDIA_ROOT / batch.file
    assert kept.exists()
    page = client.get(batch.get_absolute_url()).content.decode()
    assert reverse("history:batch-delete-file", kwargs={"pk": batch.pk}) in page
    url = reverse("history:batch-delete-file", kwargs={"pk": batch.pk})
    assert client_for(gwent_staff).post(url).status_code == 404
    assert kept.exists()
    gone = client.post(url)
    assert gone.status_code == 303
    batch.refresh_from_db()
    assert not kept.exists() and batch.file == ""
    assert len(services.batch_documents(batch)) == 5  # each letter stays its force's upload
    again = client.post(url)
    assert again.status_code == 200
    assert "govuk-error-summary" in again.content.decode() and "deleted already" in again.content.decode()


def test_a_zip_still_being_read_cannot_be_deleted(world, admin_user):
    batch = DocumentBatch.objects.create(
        inspection=world.inspection,
        uploaded_by=admin_user,
        original_name="letters.zip",
        file="history/batches/reading.zip",
        size=1,
        sha256="0" * 64,
        status=DocumentBatch.Status.READING,
    )
    with pytest.raises(Exception, match="still being read"):
        services.delete_batch_file(batch, user=admin_user)
    batch.refresh_from_db()
    assert batch.file == "history/batches/reading.zip"
