"""The national pages in a real browser, with the site's CSP enforced: no axe-core violations and
nothing blocked by the Content Security Policy."""

import pytest

from tests.test_national import publish_responses

from .conftest import AXE_PATH, assert_no_axe_violations, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_national_pages_pass_axe_and_break_no_csp_rule(world, national, browser, live_server):
    publish_responses(world)
    # Unlike the shared `page` fixture, this context keeps the CSP on, so a violation shows up.
    context = browser.new_context(base_url=live_server.url, locale="en-GB")
    try:
        page = context.new_page()
        errors = []
        page.on("console", lambda msg: msg.type == "error" and errors.append(msg.text))
        sign_in(page, national.username)
        rec = world.record(world.gwent, 14).recommendation_id
        for path in ("/national/", f"/national/recommendations/{rec}/", "/national/search/?q=training"):
            page.goto(path)
            assert "Gloucestershire" in page.content()
            # Evaluated through the DevTools protocol, which the CSP does not govern (a <script> tag would be).
            page.evaluate(AXE_PATH.read_text(encoding="utf-8"))
            assert_no_axe_violations(page, context=path)
        assert [e for e in errors if "Content Security Policy" in e] == []
    finally:
        context.close()


def _demo_page(browser, live_server, national, width, height=800):
    from django.core.management import call_command

    call_command("load_demo", "--no-users", verbosity=0)
    context = browser.new_context(
        base_url=live_server.url, locale="en-GB", viewport={"width": width, "height": height}
    )
    page = context.new_page()
    sign_in(page, national.username)
    return context, page


def _wide_inspection(count: int):
    """A newer inspection than the demo's, with `count` police recommendations and a record of each
    for every force (statuses in turn, some overdue), as the bench's inspections have."""
    from datetime import date, timedelta

    from forces.models import Force
    from recommendations.models import Addressee, Inspection, Recommendation, Record

    police = Addressee.objects.filter(is_police=True).first()
    inspection = Inspection.objects.create(
        title=f"Wide inspection with {count} recommendations",
        slug=f"wide-{count}",
        kind=Inspection.Kind.THEMATIC,
        published_on=date(2025, 1, 15),
        timescale_months=12,
    )
    recs = Recommendation.objects.bulk_create(
        [
            Recommendation(inspection=inspection, number=n, text=f"Recommendation {n}.")
            for n in range(1, count + 1)
        ]
    )
    for rec in recs:
        rec.addressees.add(police)
    statuses = [value for value, _label in Record.Status.choices]
    due = date(2026, 1, 15)
    Record.objects.bulk_create(
        [
            Record(
                force=force,
                recommendation=rec,
                status=statuses[(i + j) % len(statuses)],
                original_due_on=due,
                current_due_on=due - timedelta(days=(i + j) % 3),
            )
            for i, force in enumerate(Force.objects.order_by("pk"))
            for j, rec in enumerate(recs)
        ]
    )
    return inspection


# The columns after the recommendations: four counts, overdue and the response's timeliness.
END_COLUMNS = ("Complete", "In progress", "Not started", "No further action", "Overdue", "Response")

HEADINGS_JS = (
    "[...document.querySelectorAll('.app-matrix thead th')].map(th => {"
    " const r = th.getBoundingClientRect(); return [th.textContent.trim(), r.left, r.right]; })"
)


def _assert_every_column_in_view(page, region, rec_count, *, numbered=True):
    """Every heading inside the window; the force and end columns inside the matrix's box; each
    recommendation column shown, after scrolling the box sideways if need be, between them and
    not under them."""
    assert page.evaluate("document.documentElement.scrollWidth") <= 1280
    box = region.evaluate("el => { const r = el.getBoundingClientRect(); return [r.left, r.right]; }")
    heads = page.evaluate(HEADINGS_JS)
    assert len(heads) == 1 + rec_count + len(END_COLUMNS)
    force, ends = heads[0], heads[1 + rec_count :]
    assert force[0] == "Force"
    assert [h[0] for h in ends] == list(END_COLUMNS)
    for text, left, right in [force, *ends]:
        assert box[0] - 1 <= left and right <= box[1] + 1, (text, left, right, box)
    # The counts never overlap each other (each sticks at its own offset).
    for (a, _al, a_right), (b, b_left, _br) in zip(ends, ends[1:], strict=False):
        assert a_right <= b_left + 1, (a, b)
    first_end_left = ends[0][1]
    for index in range(rec_count):
        selector = f".app-matrix thead th:nth-child({index + 2})"
        region.evaluate(
            "(el, sel) => { const th = el.querySelector(sel);"
            " el.scrollLeft = th.offsetLeft - el.querySelector('.app-matrix__force').offsetWidth; }",
            selector,
        )
        text, left, right = page.evaluate(
            "sel => { const th = document.querySelector(sel); const r = th.getBoundingClientRect();"
            " return [th.textContent.trim(), r.left, r.right]; }",
            selector,
        )
        force_right = page.evaluate(
            "document.querySelector('.app-matrix thead .app-matrix__force').getBoundingClientRect().right"
        )
        ends_left = page.evaluate(
            "document.querySelector('.app-matrix thead .app-matrix__end--6').getBoundingClientRect().left"
        )
        assert force_right - 1 <= left and right <= ends_left + 1, (text, left, right, force_right, ends_left)
        assert text.startswith(f"R{index + 1}" if numbered else "R"), text
    region.evaluate("el => el.scrollLeft = 0")
    return first_end_left


def test_dashboard_fits_at_1280_px_with_every_column_visible_and_sticky_headings(
    world, national, browser, live_server
):
    context, page = _demo_page(browser, live_server, national, 1280)
    try:
        ten = _wide_inspection(10)
        page.goto(f"/national/?inspection={ten.pk}")
        assert page.locator(".app-matrix tbody tr").count() == 43
        region = page.locator(".app-matrix-scroll")
        _assert_every_column_in_view(page, region, 10)
        # Ten recommendations fit whole: the box has nothing to scroll sideways.
        assert page.evaluate("el => el.scrollWidth <= el.clientWidth", region.element_handle())
        # Scrolled down inside its box, the heading row stays at the top of the box.
        region.evaluate("el => el.scrollTop = 600")
        box_top = region.evaluate("el => el.getBoundingClientRect().top")
        head_top = page.evaluate("document.querySelector('.app-matrix thead th').getBoundingClientRect().top")
        assert abs(head_top - box_top) <= 2, (box_top, head_top)
        # The abbreviated tags carry the full status for screen readers.
        first_tag = page.locator(".app-matrix tbody .app-matrix__tag").first
        assert first_tag.locator(".govuk-visually-hidden").text_content() in {
            "Not started",
            "In progress",
            "Implemented, awaiting sign-off",
            "Complete",
            "No further action",
        }
        # Sorting by a heading keeps the sort in the URL and in the export links.
        page.get_by_role("link", name="Overdue").first.click()
        assert "sort=overdue" in page.url
        assert "sort=overdue" in page.locator("a[href*='export.csv']").get_attribute("href")
    finally:
        context.close()


def test_dashboard_at_1280_px_with_20_recommendations_keeps_force_and_counts_in_view(
    world, national, browser, live_server
):
    context, page = _demo_page(browser, live_server, national, 1280)
    try:
        twenty = _wide_inspection(20)
        page.goto(f"/national/?inspection={twenty.pk}")
        region = page.locator(".app-matrix-scroll")
        # Twenty do not fit whole: the recommendation columns scroll between the force names and
        # the counts, which stay where they are.
        before = _assert_every_column_in_view(page, region, 20)
        region.evaluate("el => el.scrollLeft = el.scrollWidth")
        after = page.evaluate(
            "document.querySelector('.app-matrix thead .app-matrix__end--6').getBoundingClientRect().left"
        )
        assert abs(after - before) <= 1
        # The demo's own inspection still fits.
        page.goto(f"/national/?inspection={world.inspection.pk}")
        _assert_every_column_in_view(page, region, 4, numbered=False)
    finally:
        context.close()


def test_dashboard_reflows_at_320_px_with_the_force_column_sticky(world, national, browser, live_server):
    context, page = _demo_page(browser, live_server, national, 320, 640)
    try:
        page.goto("/national/")
        assert page.evaluate("document.documentElement.scrollWidth") <= 320
        region = page.locator(".app-matrix-scroll")
        region.evaluate("el => el.scrollLeft = 400")
        left = page.evaluate(
            "document.querySelector('.app-matrix tbody th').getBoundingClientRect().left"
            " - document.querySelector('.app-matrix-scroll').getBoundingClientRect().left"
        )
        assert abs(left) <= 2  # the force names stay in view as the matrix scrolls sideways
    finally:
        context.close()


def test_compare_page_for_recommendation_19_is_shorter_than_three_screens(
    world, national, browser, live_server
):
    from recommendations.models import Recommendation

    context, page = _demo_page(browser, live_server, national, 1280, 800)
    try:
        rec = Recommendation.objects.get(inspection=world.inspection, number=19)
        for view in ("update", "response"):
            page.goto(f"/national/recommendations/{rec.pk}/?view={view}")
            assert page.locator(".app-answer").count() >= 1
            height = page.evaluate("document.documentElement.scrollHeight")
            assert height < 3 * 800, (view, height)
        assert page.get_by_text("Show full answer").count() >= 1
    finally:
        context.close()
