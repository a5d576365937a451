"""The progress workflow in headless Chromium: accessibility, the main journey, keyboard only."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from recommendations.models import Attachment, DueDateExtension, Record
from recommendations.services import add_progress_update, request_extension

from .conftest import assert_no_axe_violations, sign_in, tab_to

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def _path(name, **kwargs):
    return reverse(name, kwargs={"force_slug": "gwent", **kwargs})


def test_progress_pages_have_no_axe_violations(world, gwent_staff, gwent_chief, new_page):
    record = world.record(world.gwent, 14)
    other = world.record(world.gwent, 15)
    add_progress_update(other, author=gwent_staff, text="Implemented.", status="awaiting_sign_off")
    extension = request_extension(
        world.record(world.gwent, 18),
        requested_by=gwent_staff,
        new_due_on=timezone.localdate() + timedelta(days=200),
        reason="Training places run out.",
    )
    staff = new_page()
    sign_in(staff, "gwent.staff")
    staff_pages = [
        ("/forces/gwent/", "overview"),
        ("/forces/gwent/?status=in_progress&overdue=on&sort=due", "overview, filtered"),
        (_path("recommendations:record-detail", pk=record.pk), "record"),
        (_path("recommendations:update-create", pk=record.pk), "add an update"),
        (
            _path("recommendations:update-create", pk=record.pk) + f"?corrects={record.latest_update_id}",
            "correct",
        ),
        (_path("recommendations:record-owners", pk=record.pk), "record owners"),
        (_path("recommendations:owner-list"), "owners"),
        (_path("recommendations:owner-create"), "add an owner"),
        (_path("recommendations:closure-request", pk=record.pk), "mark as implemented"),
        (_path("recommendations:extension-create", pk=record.pk), "request an extension"),
    ]
    for path, label in staff_pages:
        response = staff.goto(path)
        assert response.status == 200, label
        assert_no_axe_violations(staff, context=label)

    # Error states: the update form posted empty, and an extension with a date in the past.
    staff.goto(_path("recommendations:update-create", pk=record.pk))
    staff.get_by_role("button", name="Save the update").click()
    assert staff.locator(".govuk-error-summary").is_visible()
    assert_no_axe_violations(staff, context="add an update, with errors")
    staff.goto(_path("recommendations:extension-create", pk=record.pk))
    past = timezone.localdate() - timedelta(days=3)
    date_group = staff.get_by_role("group", name="New due date")
    date_group.get_by_label("Day").fill(str(past.day))
    date_group.get_by_label("Month").fill(str(past.month))
    date_group.get_by_label("Year").fill(str(past.year))
    staff.get_by_role("button", name="Request the extension").click()
    assert staff.locator(".govuk-error-summary").is_visible()
    assert_no_axe_violations(staff, context="request an extension, with errors")

    chief = new_page()
    sign_in(chief, "gwent.chief")
    chief_pages = [
        (_path("recommendations:record-detail", pk=other.pk), "record awaiting sign-off"),
        (_path("recommendations:record-sign-off", pk=other.pk), "sign off or return"),
        (_path("recommendations:record-no-further-action", pk=record.pk), "no further action"),
        (_path("recommendations:extension-decide", pk=extension.pk), "decide on an extension"),
    ]
    for path, label in chief_pages:
        response = chief.goto(path)
        assert response.status == 200, label
        assert_no_axe_violations(chief, context=label)
    chief.goto(_path("recommendations:record-sign-off", pk=other.pk))
    chief.get_by_role("button", name="Confirm").click()
    assert chief.locator(".govuk-error-summary").is_visible()
    assert_no_axe_violations(chief, context="sign off, with errors")
    chief.get_by_label("Sign off as complete").check()
    chief.get_by_role("button", name="Confirm").click()
    assert chief.locator(".govuk-notification-banner--success").is_visible()
    assert_no_axe_violations(chief, context="record after sign-off, with banner")
    assert DueDateExtension.objects.filter(decision="pending").count() == 1


def test_journey_update_with_evidence_then_chief_signs_off(
    world, gwent_staff, gwent_chief, dyfed_staff, new_page, tmp_path
):
    record = world.record(world.gwent, 14)
    evidence = tmp_path / "training-register.pdf"
    evidence.write_bytes(PDF)

    staff = new_page()
    sign_in(staff, "gwent.staff")
    staff.goto("/forces/gwent/")
    staff.get_by_role("link", name="Recommendation 14").click()
    assert staff.get_by_role("heading", level=1).inner_text() == "Recommendation 14"
    staff.get_by_role("link", name="Add a progress update").click()
    staff.get_by_label("Progress update").fill("All MOSOVO staff trained on ARMS.\nRegister attached.")
    staff.get_by_label("Implemented, awaiting sign-off").check()
    staff.get_by_label("Green: on track or complete").check()
    staff.get_by_label("Evidence (optional)").set_input_files(str(evidence))
    staff.get_by_role("button", name="Save the update").click()

    assert (
        staff.locator(".govuk-notification-banner--success").inner_text().count("Progress update added") == 1
    )
    first = staff.locator(".moj-timeline__item").first
    assert "All MOSOVO staff trained on ARMS." in first.inner_text()
    assert "training-register.pdf" in first.inner_text()
    assert "Implemented, awaiting sign-off" in first.inner_text()
    attachment = Attachment.objects.get()
    with staff.expect_download() as download:
        first.get_by_role("link", name="training-register.pdf").click()
    assert download.value.suggested_filename == "training-register.pdf"
    assert attachment.update.record_id == record.pk

    chief = new_page()
    sign_in(chief, "gwent.chief")
    chief.goto(record.get_absolute_url())
    chief.get_by_role("link", name="Sign off or return").click()
    chief.get_by_label("Sign off as complete").check()
    chief.get_by_role("button", name="Confirm").click()
    assert "Signed off as complete" in chief.locator(".govuk-notification-banner").inner_text()
    assert chief.locator(".govuk-summary-list .govuk-tag").first.inner_text() == "Complete"
    record.refresh_from_db()
    assert record.status == Record.Status.COMPLETE

    other = new_page()
    sign_in(other, "dyfed-powys.staff")
    assert other.goto(record.get_absolute_url()).status == 404
    assert other.goto(attachment.get_absolute_url()).status == 404


def test_add_update_with_the_keyboard_only(world, gwent_staff, new_page, tmp_path):
    record = world.record(world.gwent, 14)
    evidence = tmp_path / "minutes.txt"
    evidence.write_text("SMB minutes, March.\n")
    page = new_page()

    page.goto("/accounts/login/")
    tab_to(page, "input[name=username]")
    page.keyboard.type("gwent.staff")
    page.keyboard.press("Tab")
    page.keyboard.type("test-pass-2022")
    page.keyboard.press("Enter")
    page.wait_for_url("**/forces/gwent/home/")
    tab_to(page, 'a[href="/forces/gwent/records/"]')
    page.keyboard.press("Enter")
    page.wait_for_url("**/forces/gwent/records/")

    tab_to(page, f'a[href="{record.get_absolute_url()}"]')
    page.keyboard.press("Enter")
    page.wait_for_url(f"**{record.get_absolute_url()}")
    tab_to(page, 'a[href$="/updates/new/"]')
    page.keyboard.press("Enter")
    page.wait_for_url("**/updates/new/")

    tab_to(page, "textarea[name=text]")
    page.keyboard.type("Keyboard-only update: panel met in March.")
    tab_to(page, "input[name=status]")
    for _ in range(5):
        if page.evaluate("() => document.activeElement.value") == "awaiting_sign_off":
            break
        page.keyboard.press("ArrowDown")
    assert (
        page.evaluate("() => document.activeElement.checked && document.activeElement.value")
        == "awaiting_sign_off"
    )
    tab_to(page, "input[type=file]")
    choose_file_with_keyboard(page, evidence)
    tab_to(page, "button[type=submit]")
    page.keyboard.press("Enter")
    page.wait_for_url(f"**{record.get_absolute_url()}")

    first = page.locator(".moj-timeline__item").first
    assert "Keyboard-only update: panel met in March." in first.inner_text()
    assert "minutes.txt" in first.inner_text()
    record.refresh_from_db()
    assert record.status == Record.Status.AWAITING_SIGN_OFF


def test_axe_check_reports_a_violation(page):
    """The check itself works: an image without alternative text and an unlabelled input fail it."""
    page.set_content(
        '<html lang="en"><title>t</title><main><img src="x.png"><input type="text"></main></html>'
    )
    with pytest.raises(pytest.fail.Exception, match=r"image-alt(.|\n)*label"):
        assert_no_axe_violations(page, context="a broken page")


def choose_file_with_keyboard(page, path) -> None:
    """Open the focused file input's chooser with the keyboard and pick `path`.

    Headless Chromium on a loaded machine sometimes drops the chooser event of the first key press;
    a person would press again, so the test does too (Space, then Enter). The operating system's
    file dialog itself is outside the page, so the file is handed to the chooser Playwright catches.
    """
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    assert page.evaluate("() => document.activeElement.type") == "file"
    for key in ("Space", "Enter", "Space"):
        try:
            with page.expect_file_chooser(timeout=5_000) as chooser:
                page.keyboard.press(key)
        except PlaywrightTimeout:
            continue
        chooser.value.set_files(str(path))
        return
    raise AssertionError("The file input did not open a file chooser from the keyboard.")
