"""A force's work pages reflow (WCAG 1.4.10) and look like GOV.UK, in English and Welsh, at 1280 and 320 px.

At both widths: every tag is one line high, the page never scrolls sideways, and body text, tags,
count cards and table cells are set in the GOV.UK font stack (Arial or Helvetica, not the browser's
serif). At 1280 px the national team's service navigation on a force page is one row.
"""

from datetime import date

import pytest
from django.urls import reverse

from recommendations.services import add_progress_update, record_hmicfrs_closure

from .conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTHS = (1280, 320)
LANGUAGES = ("en", "cy")

# Everything measured on one page, in one round trip: tags taller than one line, the page's width
# against the window's, and the font of each kind of text present.
MEASURE = """() => {
    const lines = (el) => {
        const cs = getComputedStyle(el);
        const inner = el.getBoundingClientRect().height
            - parseFloat(cs.paddingTop) - parseFloat(cs.paddingBottom)
            - parseFloat(cs.borderTopWidth) - parseFloat(cs.borderBottomWidth);
        return Math.round(inner / parseFloat(cs.lineHeight));
    };
    const tall = [...document.querySelectorAll(".govuk-tag")]
        .filter((el) => el.getClientRects().length && lines(el) > 1)
        .map((el) => `${el.innerText.trim()} (${lines(el)} lines)`);
    const fonts = {};
    for (const [kind, selector] of [
        ["body text", "main p, main li"],
        ["tag", ".govuk-tag"],
        ["count card", ".app-count-list__link"],
        ["table cell", "td.govuk-table__cell"],
    ]) {
        const el = document.querySelector(selector);
        if (el) fonts[kind] = getComputedStyle(el).fontFamily;
    }
    return {
        tall,
        fonts,
        pageWidth: document.documentElement.scrollWidth,
        windowWidth: document.documentElement.clientWidth,
    };
}"""


def _is_govuk_font(stack: str) -> bool:
    families = [name.strip().strip("\"'").lower() for name in stack.split(",")]
    return families[0] in {"gds transport", "arial", "helvetica"} and families[-1] == "sans-serif"


def _check(page, label, path, failures):
    response = page.goto(path)
    assert response is not None and response.status == 200, (
        f"{label}: {path} answered {response and response.status}"
    )
    found = page.evaluate(MEASURE)
    where = f"{label} at {page.viewport_size['width']} px"
    if found["tall"]:
        failures.append(f"{where}: tags on more than one line: {', '.join(found['tall'])}")
    if found["pageWidth"] > found["windowWidth"]:
        failures.append(
            f"{where}: the page is {found['pageWidth']} px wide in a {found['windowWidth']} px window"
        )
    for kind, stack in found["fonts"].items():
        if not _is_govuk_font(stack):
            failures.append(f"{where}: {kind} is set in {stack}, not the GOV.UK font stack")
    return found


def _busy_force(world, staff, chief):
    """Records with every tag a list shows: each status, each RAG rating, an HMICFRS closure."""
    steps = [
        (14, "in_progress", "red"),
        (15, "in_progress", "amber"),
        (18, "awaiting_sign_off", "green"),
        (19, "awaiting_sign_off", "green"),
    ]
    for number, status, rag in steps:
        add_progress_update(
            world.record(world.gwent, number), author=staff, text="Training booked.", status=status, rag=rag
        )
    closed = world.record(world.gwent, 19)
    from recommendations.services import sign_off

    sign_off(closed, acting_user=chief, text="Done.")
    closed.refresh_from_db()
    record_hmicfrs_closure(
        closed, user=staff, closed_on=date(2023, 6, 1), reference="REF-19", basis="Evidence seen."
    )
    return world.record(world.gwent, 14)


@pytest.mark.parametrize("language", LANGUAGES)
def test_force_pages_reflow_with_one_line_tags_in_the_govuk_font(
    world, gwent_staff, gwent_chief, national, new_page, language
):
    record = _busy_force(world, gwent_staff, gwent_chief)
    force = {"force_slug": "gwent"}
    pages = [
        ("home", reverse("recommendations:home", kwargs=force)),
        ("records", reverse("recommendations:record-list", kwargs=force)),
        (
            "records, awaiting sign-off",
            reverse("recommendations:record-list", kwargs=force) + "?status=awaiting_sign_off",
        ),
        ("overview", reverse("forces:overview", kwargs=force)),
        ("inspections", reverse("recommendations:inspection-list", kwargs=force)),
        ("record", reverse("recommendations:record-detail", kwargs={**force, "pk": record.pk})),
        ("record history", reverse("audit:record-history", kwargs={**force, "pk": record.pk})),
    ]
    failures = []
    for username, persona_pages in (("gwent.chief", pages), ("national", pages[3:4])):
        page = new_page()
        sign_in(page, username)
        if language == "cy":
            page.goto(reverse("frontend:language-switch", kwargs={"code": "cy"}) + "?next=/")
            assert page.locator("html").get_attribute("lang") == "cy"
        for width in WIDTHS:
            page.set_viewport_size({"width": width, "height": 900})
            tags = 0
            for label, path in persona_pages:
                found = _check(page, f"{label} as {username} ({language})", path, failures)
                tags += page.locator(".govuk-tag").count()
                assert found["fonts"], f"{label}: nothing measured"
            assert tags, "no tag was measured: the pages show none"
    assert not failures, "\n".join(failures)


def test_national_service_navigation_is_one_row_on_a_force_page(world, national, page):
    sign_in(page, "national")
    page.set_viewport_size({"width": 1280, "height": 900})
    for language in LANGUAGES:
        page.goto(reverse("frontend:language-switch", kwargs={"code": language}) + "?next=/")
        page.goto(reverse("forces:overview", kwargs={"force_slug": "gwent"}))
        tops = page.evaluate(
            """() => [...document.querySelectorAll(".govuk-service-navigation__item")]
                .map((el) => Math.round(el.getBoundingClientRect().top))"""
        )
        assert len(tops) >= 4, tops  # the force, all forces, dashboard, search, pack
        assert len(set(tops)) == 1, (
            f"the service navigation takes {len(set(tops))} rows in {language}: {tops}"
        )
