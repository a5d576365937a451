"""Upload a published response, preview and correct it, confirm: all or nothing, once per file."""

import difflib
import io
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils.html import escape

from forces.models import Force, Membership
from history import services
from history.models import DocumentImport, ImportedAnswer
from recommendations.models import ProgressUpdate
from responses.models import Response
from tests import history_formats
from tests.conftest import make_user
from tests.test_history_engine import SEEDS, fixture_answers

pytestmark = [pytest.mark.django_db, pytest.mark.shared_world]
POLICE = (14, 15, 18, 19)


def seed_bytes(force_slug: str, fmt: str = "txt") -> tuple[str, bytes]:
    text = (SEEDS / fixture_answers()[force_slug]["seed_file"]).read_text(encoding="utf-8")
    data = {
        "txt": lambda: text.encode("utf-8"),
        "docx": lambda: history_formats.to_docx(text),
        "pdf": lambda: history_formats.to_pdf(text),
        "html": lambda: history_formats.to_html(text).encode("utf-8"),
    }[fmt]()
    return f"{force_slug}-response.{fmt}", data


def upload(client, force, inspection, name, data, capture):
    with capture(execute=True):
        return client.post(
            reverse("history:upload", kwargs={"force_slug": force.slug}),
            {"inspection": inspection.pk, "document": SimpleUploadedFile(name, data)},
        )


def similarity(a, b):
    return difflib.SequenceMatcher(None, " ".join(a.split()), " ".join(b.split())).ratio()


def staff_of(slug):
    force = Force.objects.get(slug=slug)
    return force, make_user(f"{slug}.importer", force=force, role=Membership.Role.OPCC_STAFF)


def expected_author(expected: dict) -> str:
    """The author an imported update should show: the person (if the document names them), then
    their title, of the voice the fixture credits the answers to."""
    if expected["progress_voice"] == "pcc":
        parts = (expected["signatory_name"], expected["signatory_title"])
    else:
        parts = (expected["chief_officer_name"], expected["chief_officer_title"])
    return ", ".join(p for p in parts if p)


def named_person(progress_author: str) -> str:
    """ "T/ACC Richard Ocone" or "Chris Noble, Chief Constable": the person's name (last two words)."""
    return " ".join(progress_author.split(",")[0].split()[-2:])


@pytest.mark.parametrize("fmt", ["txt", "docx", "pdf", "html"])
@pytest.mark.parametrize(
    "slug", ["dyfed-powys", "gwent", "avon-and-somerset", "staffordshire", "gloucestershire"]
)
def test_each_seed_previews_and_confirms_into_a_published_response_and_four_attributed_updates(
    slug, fmt, world, client_for, django_capture_on_commit_callbacks
):
    force, user = staff_of(slug)
    client = client_for(user)
    name, data = seed_bytes(slug, fmt)
    response = upload(client, force, world.inspection, name, data, django_capture_on_commit_callbacks)
    assert response.status_code == 303
    document = DocumentImport.objects.get(force=force)
    assert document.status == DocumentImport.Status.READY, document.error
    page = client.get(document.get_absolute_url())
    assert page.status_code == 200
    for number in POLICE:
        assert f"Recommendation {number}" in page.content.decode()
    before = ProgressUpdate.objects.filter(force=force).count()
    confirmed = client.post(reverse("history:confirm", kwargs={"force_slug": slug, "pk": document.pk}))
    assert confirmed.status_code == 303
    document.refresh_from_db()
    assert document.status == DocumentImport.Status.CONFIRMED
    expected = fixture_answers()[slug]
    published = Response.objects.get(force=force, inspection=world.inspection)
    assert published.is_published and published.status == Response.Status.PUBLISHED
    assert published.published_on == (
        date.fromisoformat(expected["published_on"]) if expected["published_on"] else None
    )
    assert ProgressUpdate.objects.filter(force=force).count() == before + 4
    want_dated = date.fromisoformat(expected["progress_dated"]) if expected["progress_dated"] else None
    version = published.published_version
    assert version.addressee == expected["addressee"]
    for part in ("pcc_initial_comments", "pcc_overall_comments", "chief_officer_comments"):
        assert similarity(getattr(version, part), expected[part]) >= 0.95, part
    ledger = expected["ledger"]
    for name in ("pcc_signed_on", "chief_comments_received_on"):
        want = date.fromisoformat(ledger[name]) if ledger.get(name) else None
        assert getattr(published, name) == want, name
    for number in POLICE:
        answer = ImportedAnswer.objects.get(document=document, recommendation__number=number)
        update = answer.progress_update
        assert update.kind == ProgressUpdate.Kind.IMPORTED
        assert similarity(update.text, expected["records"][str(number)]["progress_text"]) >= 0.95
        # Who wrote it and when, as the fixture credits it.
        assert update.voice == expected["progress_voice"], (number, update.voice)
        assert update.dated == want_dated and update.source_document == document.original_name
        assert update.author_name == expected_author(expected)
        if expected["progress_author"]:
            assert named_person(expected["progress_author"]) in update.author_name
    if slug == "gloucestershire":
        answer = ImportedAnswer.objects.get(document=document, recommendation__number=18)
        assert answer.voice == "chief_officer" and answer.author_name == "Richard Ocone"
        assert answer.dated == date(2022, 9, 2) and answer.progress_update.dated == date(2022, 9, 2)
        assert "printed:19:18" in answer.flags
    if slug == "staffordshire":
        assert ImportedAnswer.objects.filter(document=document, dated__isnull=True).count() == 4


def test_same_file_twice_is_recognised_and_not_imported_again(
    world, gwent_staff, client_for, django_capture_on_commit_callbacks
):
    client = client_for(gwent_staff)
    name, data = seed_bytes("gwent")
    upload(client, world.gwent, world.inspection, name, data, django_capture_on_commit_callbacks)
    document = DocumentImport.objects.get(force=world.gwent)
    services.confirm_import(document, user=gwent_staff)
    again = upload(
        client, world.gwent, world.inspection, "renamed.txt", data, django_capture_on_commit_callbacks
    )
    assert again.status_code == 200
    assert "imported already" in again.content.decode()
    assert DocumentImport.objects.filter(force=world.gwent).count() == 1


def test_abandoned_preview_writes_nothing_and_its_file_can_be_deleted(
    world, gwent_staff, client_for, django_capture_on_commit_callbacks, settings
):
    client = client_for(gwent_staff)
    before = (ProgressUpdate.objects.count(), Response.objects.count())
    name, data = seed_bytes("gwent")
    upload(client, world.gwent, world.inspection, name, data, django_capture_on_commit_callbacks)
    document = DocumentImport.objects.get(force=world.gwent)
    assert (ProgressUpdate.objects.count(), Response.objects.count()) == before
    kept = settings.MEDIA_ROOT / document.file
    assert kept.exists()
    gone = client.post(reverse("history:delete", kwargs={"force_slug": "gwent", "pk": document.pk}))
    assert gone.status_code == 303
    assert not kept.exists()
    assert not DocumentImport.objects.exists()


def test_correction_moves_a_paragraph_marks_text_not_an_answer_and_sets_the_date(
    world, gwent_staff, client_for, django_capture_on_commit_callbacks
):
    client = client_for(gwent_staff)
    name, data = seed_bytes("gwent")
    upload(client, world.gwent, world.inspection, name, data, django_capture_on_commit_callbacks)
    document = DocumentImport.objects.get(force=world.gwent)
    payload = document.reading
    first_of_15 = services.answer_lines(payload, 15)[0]
    only_of_19 = services.answer_lines(payload, 19)[0]
    form = {f"line_{i}": "" if n is None else str(n) for i, n in payload["assign"].items()}
    form.update({f"line_{first_of_15}": "14", f"line_{only_of_19}": "", "response_date": "2022-09-06"})
    form.update({"pcc_name": "Jeff Cuthbert", "pcc_title": "Police and Crime Commissioner for Gwent"})
    saved = client.post(reverse("history:correct", kwargs={"force_slug": "gwent", "pk": document.pk}), form)
    assert saved.status_code == 303
    document.refresh_from_db()
    assert first_of_15 in services.answer_lines(document.reading, 14)
    assert services.answer_lines(document.reading, 19) == []
    services.confirm_import(document, user=gwent_staff)
    assert not ImportedAnswer.objects.filter(document=document, recommendation__number=19).exists()
    update = ImportedAnswer.objects.get(document=document, recommendation__number=14).progress_update
    assert update.dated == date(2022, 9, 6)
    assert Response.objects.get(force=world.gwent).published_on == date(2022, 9, 6)


def test_correction_without_a_date_shows_a_govuk_error(
    world, gwent_staff, client_for, django_capture_on_commit_callbacks
):
    client = client_for(gwent_staff)
    name, data = seed_bytes("gwent")
    upload(client, world.gwent, world.inspection, name, data, django_capture_on_commit_callbacks)
    document = DocumentImport.objects.get(force=world.gwent)
    page = client.post(reverse("history:correct", kwargs={"force_slug": "gwent", "pk": document.pk}), {})
    assert page.status_code == 200
    assert "govuk-error-summary" in page.content.decode()


def test_confirm_is_all_or_nothing(
    world, gwent_staff, client_for, django_capture_on_commit_callbacks, monkeypatch
):
    client = client_for(gwent_staff)
    name, data = seed_bytes("gwent")
    upload(client, world.gwent, world.inspection, name, data, django_capture_on_commit_callbacks)
    document = DocumentImport.objects.get(force=world.gwent)
    before = ProgressUpdate.objects.count()
    calls = []

    def failing(*args, **kwargs):
        calls.append(1)
        if len(calls) == 3:
            raise RuntimeError("disk full")
        return real(*args, **kwargs)

    real = services.add_progress_update
    monkeypatch.setattr(services, "add_progress_update", failing)
    with pytest.raises(RuntimeError):
        services.confirm_import(document, user=gwent_staff)
    assert ProgressUpdate.objects.count() == before
    assert not Response.objects.filter(force=world.gwent).exists()
    document.refresh_from_db()
    assert document.status == DocumentImport.Status.READY


def _bad(world, client, capture, name, data):
    response = upload(client, world.gwent, world.inspection, name, data, capture)
    return response


@pytest.mark.parametrize(
    ("name", "data", "words"),
    [
        ("letter.pdf", b"PK\x03\x04 not a pdf at all", "not a real .pdf"),
        ("letter.docx", b"%PDF-1.7 pretending", "not a real .docx"),
        ("letter.txt", b"\x00\x01\x02binary", "not a real .txt"),
        ("letter.exe", b"MZ", "must be a PDF"),
        ("letter.txt", b"", "empty"),
    ],
)
def test_file_that_lies_about_its_type_is_refused_and_nothing_kept(
    name, data, words, world, gwent_staff, client_for, django_capture_on_commit_callbacks, settings
):
    response = _bad(world, client_for(gwent_staff), django_capture_on_commit_callbacks, name, data)
    assert response.status_code == 200
    body = response.content.decode()
    assert "govuk-error-summary" in body and words in body
    assert not DocumentImport.objects.exists()
    assert not (settings.MEDIA_ROOT / "history").exists()


def test_a_200_mb_file_is_refused_in_the_upload_forms_error_summary(
    world, gwent_staff, client_for, django_capture_on_commit_callbacks, settings, tmp_path
):
    big = tmp_path / "big.pdf"
    with big.open("wb") as handle:
        handle.write(b"%PDF-1.7\n")
        handle.truncate(200 * 1024 * 1024)  # sparse: 200 MB on the wire, not on the disk
    with big.open("rb") as handle, django_capture_on_commit_callbacks(execute=True):
        response = client_for(gwent_staff).post(
            reverse("history:upload", kwargs={"force_slug": "gwent"}),
            {"inspection": world.inspection.pk, "document": handle},
        )
    assert response.status_code == 200
    body = response.content.decode()
    summary = body[body.index("govuk-error-summary") :]
    assert "big.pdf must be smaller than 20" in summary
    assert not DocumentImport.objects.exists()
    assert not (settings.MEDIA_ROOT / "history").exists()


def test_oversized_file_is_refused(world, gwent_staff, settings):
    huge = SimpleUploadedFile("big.pdf", b"%PDF-1.7")
    huge.size = 200 * 1024 * 1024  # what Django reports for a 200 MB upload, without writing one

    with pytest.raises(Exception, match="smaller than"):
        services.start_import(world.gwent, world.inspection, huge, user=gwent_staff)
    assert not DocumentImport.objects.exists()


@pytest.mark.parametrize("kind", ["scan", "corrupt", "encrypted", "bomb", "other_force", "nothing"])
def test_unreadable_document_fails_with_a_clear_message_and_writes_nothing(
    kind, world, gwent_staff, client_for, django_capture_on_commit_callbacks
):
    from tests.test_history_engine import _pdf_without_text, zip_bomb
    from tests.test_history_engine import document as seed_doc

    if kind == "scan":
        name, data = "scan.pdf", _pdf_without_text()
    elif kind == "corrupt":
        name, data = "broken.pdf", b"%PDF-1.7\n" + b"\x00garbage" * 200
    elif kind == "encrypted":
        from pypdf import PdfReader, PdfWriter

        writer = PdfWriter()
        for page in PdfReader(io.BytesIO(seed_doc("gwent", "pdf"))).pages:
            writer.add_page(page)
        writer.encrypt(user_password="secret", owner_password="owner")
        buf = io.BytesIO()
        writer.write(buf)
        name, data = "locked.pdf", buf.getvalue()
    elif kind == "bomb":
        name, data = "bomb.docx", zip_bomb()
    elif kind == "other_force":
        name, data = seed_bytes("dyfed-powys")
    else:
        name, data = "note.txt", b"Dear Sir\n\nThank you for your letter.\n\nYours faithfully\n"
    client = client_for(gwent_staff)
    before = (ProgressUpdate.objects.count(), Response.objects.count())
    response = upload(client, world.gwent, world.inspection, name, data, django_capture_on_commit_callbacks)
    if kind == "bomb":
        # Measured before it is opened (the zip guard every upload shares): refused at the door,
        # with the error summary, and nothing kept.
        assert response.status_code == 200 and "There is a problem" in response.content.decode()
        assert not DocumentImport.objects.filter(force=world.gwent).exists()
        assert (ProgressUpdate.objects.count(), Response.objects.count()) == before
        return
    assert response.status_code == 303
    document = DocumentImport.objects.get(force=world.gwent)
    assert document.status == DocumentImport.Status.FAILED
    page = client.get(document.get_absolute_url()).content.decode()
    assert "govuk-error-summary" in page and escape(document.error) in page
    assert (ProgressUpdate.objects.count(), Response.objects.count()) == before
    with pytest.raises(Exception, match="not waiting"):
        services.confirm_import(document, user=gwent_staff)


def test_other_forces_preview_by_id_is_not_found(
    world, gwent_staff, dyfed_staff, client_for, django_capture_on_commit_callbacks
):
    name, data = seed_bytes("gwent")
    upload(
        client_for(gwent_staff), world.gwent, world.inspection, name, data, django_capture_on_commit_callbacks
    )
    document = DocumentImport.objects.get(force=world.gwent)
    dyfed = client_for(dyfed_staff)
    for url_name in ("history:preview",):
        assert (
            dyfed.get(reverse(url_name, kwargs={"force_slug": "dyfed-powys", "pk": document.pk})).status_code
            == 404
        )
        assert (
            dyfed.get(reverse(url_name, kwargs={"force_slug": "gwent", "pk": document.pk})).status_code == 404
        )
    for url_name in ("history:confirm", "history:delete", "history:correct"):
        assert (
            dyfed.post(reverse(url_name, kwargs={"force_slug": "dyfed-powys", "pk": document.pk})).status_code
            == 404
        )
    document.refresh_from_db()
    assert document.status == DocumentImport.Status.READY


def test_list_page_query_count_is_constant(
    world, gwent_staff, client_for, django_assert_max_num_queries, django_capture_on_commit_callbacks
):
    client = client_for(gwent_staff)
    for i in range(3):
        name, data = seed_bytes("gwent")
        upload(
            client,
            world.gwent,
            world.inspection,
            f"copy{i}.txt",
            data + b" " * (i + 1),
            django_capture_on_commit_callbacks,
        )
    with django_assert_max_num_queries(20):
        assert client.get(reverse("history:list", kwargs={"force_slug": "gwent"})).status_code == 200


def test_imported_response_page_names_its_source_document(
    world, gwent_staff, client_for, django_capture_on_commit_callbacks
):
    client = client_for(gwent_staff)
    name, data = seed_bytes("gwent")
    upload(client, world.gwent, world.inspection, name, data, django_capture_on_commit_callbacks)
    document = services.confirm_import(DocumentImport.objects.get(force=world.gwent), user=gwent_staff)
    page = client.get(document.response.get_absolute_url()).content.decode()
    assert "Imported from" in page and document.sha256 in page


def _upload_text(client, world, text, capture, name="response.txt"):
    upload(client, world.gwent, world.inspection, name, text.encode(), capture)
    return DocumentImport.objects.get(force=world.gwent, original_name=name)


def test_a_response_to_another_inspection_is_refused_at_preview(
    world, gwent_staff, client_for, django_capture_on_commit_callbacks
):
    # Gwent's own letter shape, but its headings quote another inspection's recommendations.
    other = (
        "Gwent\n\nDear Home Secretary\n\n"
        "Recommendation 14: By 31 March 2024, chief constables should review every vetting decision made since 2020.\n\n"
        "Every decision since 2020 is being reviewed.\n\n"
        "Recommendation 15: Forces should make sure that all vetting files are kept for ten years after a decision.\n\n"
        "Vetting files are kept for ten years.\n\n"
        "Recommendation 18: Chief constables should publish their vetting appeal outcomes every quarter of the year.\n\n"
        "Outcomes are published every quarter.\n"
    )
    client = client_for(gwent_staff)
    document = _upload_text(client, world, other, django_capture_on_commit_callbacks)
    assert document.status == DocumentImport.Status.FAILED
    assert "another inspection" in document.error
    page = client.get(document.get_absolute_url()).content.decode()
    assert "govuk-error-summary" in page and "another inspection" in page
    assert not Response.objects.filter(force=world.gwent).exists()


def test_answers_found_by_number_only_are_flagged_at_preview(
    world, gwent_staff, client_for, django_capture_on_commit_callbacks
):
    text = "Gwent\n\nRecommendation 18\n\nAll are trained.\n\nRecommendation 19\n\nWorkloads are reviewed.\n"
    client = client_for(gwent_staff)
    document = _upload_text(client, world, text, django_capture_on_commit_callbacks)
    assert document.status == DocumentImport.Status.READY
    assert document.reading["warnings"] == ["number_only"]
    page = client.get(document.get_absolute_url()).content.decode()
    assert "quotes none of this inspection" in page


def test_set_aside_text_and_answers_to_other_agencies_are_shown_and_can_be_rescued(
    world, gwent_staff, client_for, django_capture_on_commit_callbacks
):
    text = (
        "Gwent\n\nRecommendation 17\n\nOur prison liaison officer covers this too.\n\n"
        "Recommendation 18\n\nAll are trained.\n"
    )
    client = client_for(gwent_staff)
    document = _upload_text(client, world, text, django_capture_on_commit_callbacks)
    payload = document.reading
    aside = dict(services.set_aside_lines(payload))
    rescued = next(i for i in aside if "prison liaison" in payload["lines"][i]["text"])
    assert aside[rescued] == "other_agency:17"
    heading = next(i for i in aside if payload["lines"][i]["text"] == "Recommendation 18")
    assert aside[heading] == "set_aside"
    page = client.get(document.get_absolute_url()).content.decode()
    assert "Our prison liaison officer covers this too." in page and f'name="line_{rescued}"' in page
    assert "not addressed to police forces" in page
    form = {f"line_{i}": "" if n is None else str(n) for i, n in payload["assign"].items()}
    form.update({f"line_{rescued}": "18", "date_unknown": "on"})
    saved = client.post(reverse("history:correct", kwargs={"force_slug": "gwent", "pk": document.pk}), form)
    assert saved.status_code == 303
    document.refresh_from_db()
    assert "prison liaison" in services.answer_text(document.reading, 18)


def test_the_kept_original_is_downloaded_by_its_force_only(
    world, gwent_staff, dyfed_staff, client_for, django_capture_on_commit_callbacks
):
    name, data = seed_bytes("gwent", "docx")
    client = client_for(gwent_staff)
    upload(client, world.gwent, world.inspection, name, data, django_capture_on_commit_callbacks)
    document = DocumentImport.objects.get(force=world.gwent)
    url = reverse("history:download", kwargs={"force_slug": "gwent", "pk": document.pk})
    assert url in client.get(document.get_absolute_url()).content.decode()
    response = client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == data
    assert (
        response["Content-Disposition"].startswith("attachment") and name in response["Content-Disposition"]
    )
    assert response["Content-Type"] == services.DOCUMENT_TYPES["docx"]
    other = client_for(dyfed_staff)
    assert other.get(url).status_code == 404
    assert (
        other.get(
            reverse("history:download", kwargs={"force_slug": "dyfed-powys", "pk": document.pk})
        ).status_code
        == 404
    )
