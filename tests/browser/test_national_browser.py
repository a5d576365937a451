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


def test_dashboard_fits_at_1280_px_with_every_column_visible_and_sticky_headings(
    world, national, browser, live_server
):
    context, page = _demo_page(browser, live_server, national, 1280)
    try:
        page.goto("/national/")
        assert page.locator(".app-matrix tbody tr").count() == 43
        # No sideways scroll of the page, and every heading lies inside the window.
        assert page.evaluate("document.documentElement.scrollWidth") <= 1280
        boxes = page.evaluate(
            "[...document.querySelectorAll('.app-matrix thead th')].map(th => {"
            " const r = th.getBoundingClientRect(); return [th.textContent.trim(), r.left, r.right]; })"
        )
        assert len(boxes) == 11  # force, four recommendations, four counts, overdue, response
        for text, left, right in boxes:
            assert left >= 0 and right <= 1280, (text, left, right)
        region = page.locator(".app-matrix-scroll")
        assert page.evaluate("el => el.scrollWidth <= el.clientWidth", region.element_handle())
        # Scrolled down inside its box, the heading row stays at the top of the box.
        top_before = page.evaluate(
            "document.querySelector('.app-matrix thead th').getBoundingClientRect().top"
        )
        region.evaluate("el => el.scrollTop = 600")
        box_top = region.evaluate("el => el.getBoundingClientRect().top")
        head_top = page.evaluate("document.querySelector('.app-matrix thead th').getBoundingClientRect().top")
        assert abs(head_top - box_top) <= 2, (top_before, box_top, head_top)
        # Sorting by a heading keeps the sort in the URL and in the export links.
        page.get_by_role("link", name="Overdue").first.click()
        assert "sort=overdue" in page.url
        assert "sort=overdue" in page.locator("a[href*='export.csv']").get_attribute("href")
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
