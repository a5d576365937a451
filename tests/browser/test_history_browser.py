"""Bringing in a published response in headless Chromium: upload, correct in the preview, confirm."""

import pytest
from django.urls import reverse

from history.models import DocumentImport, ImportedAnswer
from history.services import answer_lines
from recommendations.models import ProgressUpdate
from responses.models import Response
from tests.test_history_engine import SEEDS, fixture_answers

from .conftest import assert_no_axe_violations, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_upload_correct_and_confirm_a_published_response(world, gwent_staff, page, tmp_path):
    seed = tmp_path / "gwent-response.txt"
    seed.write_bytes((SEEDS / fixture_answers()["gwent"]["seed_file"]).read_bytes())
    imported = ProgressUpdate.objects.filter(force=world.gwent, kind=ProgressUpdate.Kind.IMPORTED)

    sign_in(page, "gwent.staff")
    page.goto(reverse("history:upload", kwargs={"force_slug": "gwent"}))
    assert_no_axe_violations(page, context="upload")
    page.set_input_files("#id_document", str(seed))
    page.get_by_role("button", name="Upload and read").click()
    page.wait_for_selector("text=Answers found")
    assert_no_axe_violations(page, context="preview")

    # Abandoned here, nothing outside the import itself is written.
    document = DocumentImport.objects.get(force=world.gwent)
    assert not imported.exists() and not Response.objects.filter(force=world.gwent).exists()

    # The first paragraph found for 15 is really part of 14; the date is corrected.
    moved = answer_lines(document.reading, 15)[0]
    page.select_option(f"#id_line_{moved}", "14")
    page.fill("#id_response_date_day", "6")
    page.fill("#id_response_date_month", "9")
    page.fill("#id_response_date_year", "2022")
    page.get_by_role("button", name="Save corrections").click()
    page.wait_for_selector("text=Your corrections are saved")
    document.refresh_from_db()
    assert moved in answer_lines(document.reading, 14)

    page.get_by_role("button", name="Confirm and import").click()
    page.wait_for_selector("text=Imported on")
    assert imported.count() == 4
    moved_text = document.reading["lines"][moved]["text"]
    answer_14 = ImportedAnswer.objects.get(document=document, recommendation__number=14).progress_update
    answer_15 = ImportedAnswer.objects.get(document=document, recommendation__number=15).progress_update
    assert moved_text in answer_14.text and moved_text not in answer_15.text
    assert answer_14.dated.isoformat() == "2022-09-06"
    assert Response.objects.get(force=world.gwent).is_published
