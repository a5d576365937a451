"""Every HTML page of the service passes axe-core (WCAG 2.0, 2.1 and 2.2, A and AA) in headless Chromium.

The pages come from the tenancy table (tests/tenancy.py ROUTES: each GET route, visited as the first
persona that gets a 200), plus the pages outside it: home, sign-in, the force list, the 404 page, the
public responses pages, password reset, two-factor set-up and check, the lock-out page, and the error
states of the main forms. One test per persona: the world is built and the persona signs in once, then
every page is checked and all violations are reported together. A11Y_LIST=1 prints the pages checked.
"""

import io
import os
import re
import sys
from datetime import date

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from tests.tenancy import ROUTES, response_kwargs
from tests.test_cache_outage import redis_down

from .conftest import assert_no_axe_violations, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Who visits a tenancy-table page: the first of these that gets a 200.
PERSONAS = ("gwent_staff", "gwent_chief", "national", "admin")
USERNAMES = {
    "gwent_staff": "gwent.staff",
    "gwent_chief": "gwent.chief",
    "national": "national",
    "admin": "admin",
}

# GET routes that answer a file or JSON, not a page: nothing for axe to check.
NOT_HTML = {
    "recommendations:attachment-download",  # the evidence file
    "history:download",  # an imported response's own document
    "spreadsheets:progress-job-status",  # JSON polled by the job page
    "spreadsheets:inspection-job-status",
    "spreadsheets:progress-template",  # CSV/XLSX
    "spreadsheets:inspection-template",
    "spreadsheets:force-export",
    "spreadsheets:inspection-export",
    "national:dashboard-export",
    "national:compare-export",
    "national:force-answers-export",
    "national:search-export",
    "national:pack-docx",  # DOCX
    "national:pack-pdf-download",  # PDF
    "national:force-pack-docx",
    "national:force-pack-pdf-download",
    "responses:letter-status",  # JSON
    "responses:letter-download",  # PDF
    "responses:public-letter",
    "responses:public-data",  # CSV and JSON open data
    "responses:public-feed",  # Atom
    "responses:public-force-feed",
    "healthz",  # JSON for the container's health check
    # Single sign-on's callback answers 400 without this browser's state; that refusal page is
    # checked in _visit_signed_out.
    "oidc:callback",
}


# The API answers JSON; of its named URLs only the token page is a page of the service (the Swagger
# UI at api:docs is drf-spectacular's, outside our templates).
API_PAGES = {"api:token"}


def _is_page(route) -> bool:
    if route.name.startswith("api:") and route.name not in API_PAGES:
        return False
    return route.method == "get" and route.name not in NOT_HTML


def _persona_for(route) -> str | None:
    return next((role for role in PERSONAS if route.expect.get(role) == 200), None)


def _route_pages(world, persona):
    """(label, path) of each tenancy-table page this persona is the first to read."""
    pages, seen = [], set()
    for route in ROUTES:
        if not _is_page(route) or _persona_for(route) != persona:
            continue
        path = reverse(route.name, kwargs=route.kwargs(world, world.gwent, world.gwent))
        if path not in seen:
            seen.add(path)
            pages.append((route.name, path))
    return pages


def test_the_table_yields_every_page_to_some_persona(world):
    """Guards the derivation: an HTML GET route that nobody may read would be silently left out."""
    unchecked = [r.name for r in ROUTES if _is_page(r) and _persona_for(r) is None]
    assert unchecked == []


# Beyond the WCAG-tagged rules: axe's structure rules (tagged best-practice, but they are how
# 1.3.1 Info and relationships and 2.4.6 Headings show up on a GOV.UK page), and ids used twice
# (a label or aria-describedby pointing at the wrong element), and a page with errors whose title
# does not say so (GOV.UK: "Error: " before the title, 2.4.2 and 3.3.1). "region" is left out on purpose:
# GOV.UK puts the back link before <main>, outside any landmark, so "skip to main content" skips it.
EXTRA_RULES = [
    "heading-order",
    "page-has-heading-one",
    "landmark-one-main",
    "landmark-unique",
    "empty-heading",
]
# The rules run with the WCAG ones in one axe run; these checks read the page's own markup.
EXTRA_CHECKS = """() => {
    const problems = [];
    const seen = new Map();
    for (const el of document.querySelectorAll("[id]")) seen.set(el.id, (seen.get(el.id) || 0) + 1);
    for (const [id, n] of seen) if (n > 1) problems.push(`duplicate id "${id}" (${n} times)`);
    for (const el of document.querySelectorAll("label[for]"))
        if (!document.getElementById(el.htmlFor)) problems.push(`label for missing id "${el.htmlFor}"`);
    for (const el of document.querySelectorAll("[aria-describedby]"))
        for (const id of el.getAttribute("aria-describedby").split(/\\s+/))
            if (id && !document.getElementById(id)) problems.push(`aria-describedby names missing id "${id}"`);
    for (const el of document.querySelectorAll(".app-card-table [data-label]"))
        if (!el.dataset.label.trim()) problems.push(`a card-table cell names no column: ${el.outerHTML.slice(0, 80)}`);
    if (document.querySelector(".govuk-error-summary") && !document.title.startsWith("Error:"))
        problems.push(`the page shows errors but its title does not start with "Error:": ${document.title}`);
    return problems;
}"""


REFLOW_CHECKED: set[str] = set()
# The page's width at 320px, and the outermost elements that stick out past the window's right edge.
REFLOW_CHECK = """() => {
    const width = window.innerWidth;
    if (document.documentElement.scrollWidth <= width) return null;
    const out = [];
    for (const el of document.body.querySelectorAll("*")) {
        if (el.getBoundingClientRect().right <= width + 1) continue;
        if (out.some((outer) => outer.contains(el))) continue;
        out.push(el);
    }
    return {scrollWidth: document.documentElement.scrollWidth, width,
            elements: out.slice(0, 5).map((el) => el.tagName.toLowerCase()
                + (el.id ? "#" + el.id : "") + (el.className ? "." + String(el.className).split(/\\s+/).join(".") : ""))};
}"""


class Checker:
    """Visits pages in one signed-in context and collects the axe report of each, failing at the end."""

    def __init__(self, page):
        self.page = page
        self.failures = []
        self.checked = []

    def check(self, label, path=None, *, status=200):
        if path is not None:
            response = self.page.goto(path)
            if response is None or response.status != status:
                got = response.status if response else None
                self.failures.append(f"{label}: {path} answered {got}, expected {status}")
                return
            content_type = response.headers.get("content-type", "")
            if not content_type.startswith("text/html"):
                self.failures.append(f"{label}: {path} is {content_type}, not a page (add it to NOT_HTML)")
                return
        self.checked.append(label)
        try:
            assert_no_axe_violations(self.page, context=f"{label} ({self.page.url})", extra_rules=EXTRA_RULES)
        except pytest.fail.Exception as failure:
            self.failures.append(str(failure))
        problems = self.page.evaluate(EXTRA_CHECKS)
        if problems:
            self.failures.append(f"{label} ({self.page.url}):\n" + "\n".join(f"- {p}" for p in problems))
        self._check_reflow(label)

    def _check_reflow(self, label):
        """WCAG 1.4.10 Reflow: at 320 CSS pixels wide the page never scrolls sideways. A table too
        wide for the screen scrolls inside its own region or stacks as cards, never the window.
        Once a page: the personas that read it again see the same layout."""
        if label in REFLOW_CHECKED:
            return
        REFLOW_CHECKED.add(label)
        size = self.page.viewport_size
        self.page.set_viewport_size({"width": 320, "height": 640})
        try:
            wide = self.page.evaluate(REFLOW_CHECK)
        finally:
            self.page.set_viewport_size(size)
        if wide:
            self.failures.append(f"{label} ({self.page.url}) scrolls sideways at 320px: {wide}")

    def done(self):
        if os.environ.get("A11Y_LIST"):
            print("\nCHECKED:", *self.checked, sep="\n  ", file=sys.stderr)
        assert self.checked, "no page was checked"
        if self.failures:
            pytest.fail("\n\n".join(self.failures), pytrace=False)


def _bad_progress_preview(world, user):
    """A progress import previewed through the real services, with row errors."""
    from spreadsheets import services
    from spreadsheets.models import ImportJob

    data = b"Recommendation,Progress,Due date\n14,Training booked.,31/02/2023\n21,No such one.,\n"
    job, table = services.store_upload(
        kind=ImportJob.Kind.PROGRESS,
        user=user,
        upload=SimpleUploadedFile("progress.csv", data),
        force=world.gwent,
        inspection=world.inspection,
    )
    job = services.run(job, commit=False, table=table)
    assert job.status == ImportJob.Status.INVALID, job.result
    return job


def _inspection_preview(admin_user):
    import openpyxl

    from spreadsheets import services
    from spreadsheets.models import ImportJob

    book = openpyxl.Workbook()
    book.active.append(["Number", "Recommendation", "Addressed to"])
    book.active.append(["1", "Forces should train staff.", "Martians"])
    buffer = io.BytesIO()
    book.save(buffer)
    job, table = services.store_upload(
        kind=ImportJob.Kind.INSPECTION,
        user=admin_user,
        upload=SimpleUploadedFile("inspection.xlsx", buffer.getvalue()),
    )
    return services.run(job, commit=False, table=table)


def _visit_gwent_staff(checker, world, personas, new_page, settings):
    user = personas["gwent_staff"]
    page = checker.page
    checker.check("home, signed in", "/")
    checker.check("force list", reverse("forces:list"))
    checker.check("404 page, signed in", "/no-such-page/", status=404)
    job = _bad_progress_preview(world, user)
    checker.check("progress import preview with row errors", job.get_absolute_url())
    # Error states of the main forms.
    overview = reverse("forces:overview", kwargs={"force_slug": "gwent"})
    checker.check("overview, filtered", overview + "?status=in_progress&overdue=on&sort=due")
    import_path = reverse("spreadsheets:progress-import", kwargs={"force_slug": "gwent"})
    page.goto(import_path)
    page.get_by_role("button", name="Check the file").click()
    page.wait_for_load_state()
    checker.check("progress import, posted empty")
    edit = reverse("responses:edit", kwargs=response_kwargs(world, world.gwent, world.gwent))
    page.goto(edit)
    page.locator("[name=signatory_name]").fill("")
    page.get_by_role("button", name="Save", exact=True).click()
    page.wait_for_load_state()
    assert page.locator(".govuk-error-summary").count(), "the response edit form showed no errors"
    checker.check("response edit, with errors")
    page.goto(reverse("responses:letterhead", kwargs={"force_slug": "gwent"}))
    page.locator("[name=logo]").set_input_files(
        files=[
            {
                "name": "crest.svg",
                "mimeType": "image/svg+xml",
                "buffer": b"<svg xmlns='http://www.w3.org/2000/svg' onload='x()'/>",
            }
        ]
    )
    page.get_by_role("button", name="Save the letterhead").click()
    page.wait_for_load_state()
    assert page.locator(".govuk-error-summary").count(), "a logo with an event handler showed no error"
    checker.check("letterhead, bad logo")
    page.goto(reverse("reminders:force-settings", kwargs={"force_slug": "gwent"}))
    page.locator("main input[type=text], main input[type=number]").first.fill("ninety")
    page.get_by_role("button", name="Save settings").click()
    page.wait_for_load_state()
    checker.check("reminder settings, with errors")
    # The page a change gets while Redis is down (mappa_tracker.cache): the same form, filled in well.
    page.goto(reverse("reminders:force-settings", kwargs={"force_slug": "gwent"}))
    page.locator("main input[type=text], main input[type=number]").first.fill("90")
    with redis_down():
        page.get_by_role("button", name="Save settings").click()
        page.wait_for_load_state()
        assert "cannot save changes just now" in page.title(), page.title()
        checker.check("a change refused while Redis is down (503)")
    page.goto(reverse("recommendations:owner-create", kwargs={"force_slug": "gwent"}))
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_load_state()
    checker.check("add an owner, posted empty")
    # Staff's home in Welsh too (the tenancy table visits it in English).
    page.goto(reverse("frontend:language-switch", kwargs={"code": "cy"}) + "?next=/")
    checker.check("staff home (Cymraeg)", reverse("recommendations:home", kwargs={"force_slug": "gwent"}))
    assert page.locator("html").get_attribute("lang") == "cy"
    page.goto(reverse("frontend:language-switch", kwargs={"code": "en"}) + "?next=/")


def _visit_gwent_chief(checker, world, personas, new_page, settings):
    """The states a chief officer acts on: a record awaiting sign-off, a response awaiting sign-off."""
    from recommendations.services import add_progress_update
    from responses import services

    staff = personas["gwent_staff"]
    record = world.record(world.gwent, 15)
    add_progress_update(record, author=staff, text="Implemented.", status="awaiting_sign_off")
    checker.check(
        "record awaiting sign-off", reverse("recommendations:record-detail", kwargs=_record(record))
    )
    kwargs = response_kwargs(world, world.gwent, world.gwent)
    response = services.save_draft(
        world.gwent.responses.get(pk=kwargs["pk"]),
        user=staff,
        fields={"pcc_overall_comments": "Changed."},
        sections={},
    ).response
    checker.check("response draft", reverse("responses:detail", kwargs=kwargs))
    services.submit_for_sign_off(response, user=staff)
    checker.check("response awaiting sign-off", reverse("responses:detail", kwargs=kwargs))
    # The chief officer's work pages with something in each queue, in English and then in Welsh.
    extension_record = world.record(world.gwent, 19)
    from recommendations.services import request_extension

    request_extension(extension_record, requested_by=staff, new_due_on=date(2099, 1, 31), reason="Late.")
    number = response.current_version.number
    work_pages = [
        ("chief's home with a queue", reverse("recommendations:home", kwargs={"force_slug": "gwent"})),
        (
            "records, filtered",
            reverse("recommendations:record-list", kwargs={"force_slug": "gwent"})
            + "?stale=on&q=training&page=99",
        ),
        ("inspections", reverse("recommendations:inspection-list", kwargs={"force_slug": "gwent"})),
        ("sign off a record", reverse("recommendations:record-sign-off", kwargs=_record(record))),
        ("read and sign off a response", reverse("responses:sign-off", kwargs=kwargs)),
        ("changes in a version", reverse("responses:version-changes", kwargs={**kwargs, "number": number})),
    ]
    for label, path in work_pages:
        checker.check(label, path)
    checker.page.goto(reverse("responses:sign-off", kwargs=kwargs))
    checker.page.get_by_role("button", name="Sign off this version").click()
    checker.page.wait_for_load_state()
    assert checker.page.locator(".govuk-error-summary").count(), "signing off unconfirmed showed no error"
    checker.check("response sign-off, not confirmed")
    checker.check("response versions", reverse("responses:history", kwargs=kwargs))
    checker.page.goto(reverse("frontend:language-switch", kwargs={"code": "cy"}) + "?next=/")
    for label, path in work_pages:
        checker.check(f"{label} (Cymraeg)", path)
    assert checker.page.locator("html").get_attribute("lang") == "cy"
    checker.page.goto(reverse("frontend:language-switch", kwargs={"code": "en"}) + "?next=/")


def _record(record):
    return {"force_slug": record.force.slug, "pk": record.pk}


def _visit_national(checker, world, personas, new_page, settings):
    checker.check("national search with a query", reverse("national:search") + "?q=training")
    checker.check(
        "national search, responses, filtered",
        reverse("national:search") + f"?q=training&in=responses&force=gwent&inspection={world.inspection.pk}",
    )
    checker.check("national search, bad input", reverse("national:search") + "?q=the+and&page=99")
    checker.check("national dashboard, sorted", reverse("national:dashboard") + "?sort=-timeliness")
    rec = world.record(world.gwent, 14).recommendation_id
    checker.check(
        "compare, published responses", reverse("national:compare", kwargs={"pk": rec}) + "?view=response"
    )
    checker.check("national pack, a quarter", reverse("national:pack") + "?quarter=2022-Q3")
    checker.check("national pack, a future quarter", reverse("national:pack") + "?quarter=2099-Q1")
    checker.check("force list, national", reverse("forces:list"))


def _visit_admin(checker, world, personas, new_page, settings):
    job = _inspection_preview(personas["admin"])
    checker.check("inspection import preview", job.get_absolute_url())
    read, failed = _read_batches(world, personas["admin"])
    checker.check("zip of responses, read: letters, problems, confirm", read.get_absolute_url())
    checker.check("zip of responses, failed: error summary", failed.get_absolute_url())
    # People: the invitation form posted empty shows the error summary.
    checker.page.goto(reverse("people:invite", kwargs={"force_slug": "gwent"}))
    checker.page.get_by_role("button", name="Send the invitation").click()
    checker.page.wait_for_load_state()
    assert checker.page.locator(".govuk-error-summary").count(), "the empty invitation showed no errors"
    checker.check("invite a person, posted empty")


def _read_batches(world, admin):
    """A zip read with one letter matched and one naming no force, and one refused as unsafe."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from history import services as history_services
    from tests.test_history_batch import make_zip
    from tests.test_history_import import seed_bytes

    name, data = seed_bytes("gwent")
    batches = []
    for members in ({name: data, "nobody.txt": b"Recommendation 18\n\nDone.\n"}, {f"../{name}": data}):
        batch = history_services.start_batch(
            world.inspection, SimpleUploadedFile("letters.zip", make_zip(members)), user=admin
        )
        batches.append(history_services.run_batch(batch.pk))
    return batches


def _visit_signed_out(checker, world, personas, new_page, settings):
    from axes.handlers.proxy import AxesProxyHandler

    gwent_staff = personas["gwent_staff"]
    page = checker.page
    public = response_kwargs(world, world.gwent, world.gwent)
    checker.check("home, signed out", "/")
    checker.check("sign in", reverse("accounts:login"))
    checker.check("public responses", reverse("responses:public-list", kwargs={"slug": "gwent"}))
    checker.check(
        "public response", reverse("responses:public-detail", kwargs={"slug": "gwent", "pk": public["pk"]})
    )
    checker.check("404 page", "/no-such-page/", status=404)
    checker.check("public front door", reverse("responses:public-index"))
    checker.check("public 404, unknown force", "/public/no-such-force/responses/", status=404)
    # The public pages in Welsh, chosen with the header's language link as a visitor would.
    page.goto(reverse("frontend:language-switch", kwargs={"code": "cy"}) + "?next=/public/")
    assert page.locator("html").get_attribute("lang") == "cy"
    checker.check("public front door, Welsh")
    checker.check("home, signed out, Welsh", "/")
    checker.check("public responses, Welsh", reverse("responses:public-list", kwargs={"slug": "gwent"}))
    checker.check(
        "public response, Welsh",
        reverse("responses:public-detail", kwargs={"slug": "gwent", "pk": public["pk"]}),
    )
    checker.check("404 page, Welsh", "/no-such-page/", status=404)
    page.goto(reverse("frontend:language-switch", kwargs={"code": "en"}) + "?next=/")
    _check_hash_wraps_on_a_phone(checker, world, public["pk"])
    checker.check(
        "invitation link, expired or used", reverse("people:accept", args=["no-such-link"]), status=410
    )
    checker.check("single sign-on refused", reverse("oidc:callback") + "?state=replayed&code=x", status=400)
    checker.check("password reset", reverse("accounts:password-reset"))
    page.get_by_label(re.compile("mail", re.I)).fill("gwent.staff@example.org")
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()
    checker.check("password reset sent")
    token = default_token_generator.make_token(gwent_staff)
    uid = urlsafe_base64_encode(force_bytes(gwent_staff.pk))
    page.goto(reverse("accounts:password-reset-confirm", kwargs={"uidb64": uid, "token": token}))
    checker.check("choose a new password")
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()
    checker.check("choose a new password, posted empty")
    checker.check("password reset, bad link", reverse("accounts:password-reset-confirm", args=["MQ", "x-y"]))
    checker.check("password reset complete", reverse("accounts:password-reset-complete"))
    page.goto(reverse("accounts:login"))
    page.get_by_label("Username").fill("gwent.staff")
    page.get_by_label("Password").fill("wrong-password")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()
    checker.check("sign in, wrong password")

    # The lock-out page (django-axes) after repeated failures.
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = 1
    AxesProxyHandler.implementation = None
    try:
        page.goto(reverse("accounts:login"))
        page.get_by_label("Username").fill("gwent.staff")
        page.get_by_label("Password").fill("wrong-password")
        response_info = page.expect_response(lambda r: r.request.method == "POST")
        with response_info as info:
            page.get_by_role("button", name="Sign in").click()
        assert info.value.status == 429, "the lock-out page did not show"
        page.wait_for_load_state()
        checker.check("locked out")
    finally:
        AxesProxyHandler.implementation = None


def _check_hash_wraps_on_a_phone(checker, world, pk):
    """A published letter's SHA-256 stays inside a 320-pixel-wide screen (WCAG 1.4.10 Reflow)."""
    import hashlib

    from responses.models import LetterRender
    from tests.tenancy import _done_letter

    _done_letter(world, world.gwent)
    LetterRender.objects.filter(force=world.gwent, is_current=True).update(
        sha256=hashlib.sha256(b"letter").hexdigest()
    )
    page = checker.page
    page.set_viewport_size({"width": 320, "height": 640})
    try:
        page.goto(reverse("responses:public-detail", kwargs={"slug": "gwent", "pk": pk}))
        overflow = page.evaluate(
            """() => {
                const code = document.getElementById("published-sha256");
                return {scroll: document.documentElement.scrollWidth, width: window.innerWidth,
                        right: code ? code.getBoundingClientRect().right : null};
            }"""
        )
        if (
            overflow["right"] is None
            or overflow["right"] > overflow["width"]
            or overflow["scroll"] > overflow["width"]
        ):
            checker.failures.append(f"the SHA-256 does not wrap on a 320px screen: {overflow}")
    finally:
        page.set_viewport_size({"width": 1280, "height": 800})


def _visit_two_factor(checker, world, personas, new_page, settings):
    """With two-factor required (as in production): a chief officer sets it up, the national team checks."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    settings.OTP_REQUIRED = True
    page = checker.page
    sign_in(page, "gwent.chief")
    page.goto(reverse("forces:overview", kwargs={"force_slug": "gwent"}))
    assert "/accounts/two-factor/set-up/" in page.url
    checker.check("two-factor set-up")
    page.locator("[name=otp_token]").fill("000000")
    page.get_by_role("button", name="Confirm").click()
    page.wait_for_load_state()
    assert page.locator(".govuk-error-summary").count()
    checker.check("two-factor set-up, wrong code")

    TOTPDevice.objects.create(user=personas["national"], name="phone", confirmed=True)
    other = Checker(new_page())
    sign_in(other.page, "national")
    other.page.goto(reverse("forces:list"))
    assert "/accounts/two-factor/" in other.page.url
    other.check("two-factor check")
    other.page.locator("[name=otp_token]").fill("12345")
    other.page.get_by_role("button", name="Continue").click()
    other.page.wait_for_load_state()
    other.check("two-factor check, wrong code")
    checker.failures += other.failures
    checker.checked += other.checked


VISITS = {
    "gwent_staff": _visit_gwent_staff,
    "gwent_chief": _visit_gwent_chief,
    "national": _visit_national,
    "admin": _visit_admin,
    "signed_out": _visit_signed_out,
    "two_factor": _visit_two_factor,
}


@pytest.mark.parametrize("persona", [*PERSONAS, "signed_out", "two_factor"])
def test_every_page_has_no_axe_violations(persona, world, personas, new_page, settings):
    """One browser context per persona, signed in once: every page it reads, then its extra states."""
    checker = Checker(new_page())
    if persona in USERNAMES:
        sign_in(checker.page, USERNAMES[persona])
    for label, path in _route_pages(world, persona):
        checker.check(label, path)
    if persona in VISITS:
        VISITS[persona](checker, world, personas, new_page, settings)
    checker.done()


def test_the_checker_reports_violations(page):
    """The harness itself: a page with an unlabelled input and an image without text fails."""
    page.set_content('<html lang="en"><title>t</title><main><img src="x.png"><input></main></html>')
    checker = Checker(page)
    checker.check("a bad page")
    assert "image-alt" in checker.failures[0] and "label" in checker.failures[0]


def test_the_structure_rules_run_in_the_same_axe_run_as_the_wcag_ones(page):
    """The extra rules are enabled beside the WCAG tags in one run: a skipped heading level fails."""
    page.set_content(
        '<html lang="en"><head><title>Headings</title></head>'
        "<body><main><h1>Records</h1><h3>Gwent</h3></main></body></html>"
    )
    assert_no_axe_violations(page)  # heading-order is not a WCAG-tagged rule
    with pytest.raises(pytest.fail.Exception, match="heading-order"):
        assert_no_axe_violations(page, extra_rules=EXTRA_RULES)
