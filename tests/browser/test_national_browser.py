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
