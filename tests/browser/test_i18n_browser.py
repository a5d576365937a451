"""The Welsh-language journey in a real browser: switch on the sign-in page, sign in, stay Welsh."""

import pytest

from .conftest import assert_no_axe_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_welsh_user_switches_on_sign_in_page_and_the_account_remembers(live_server, world, gwent_staff, page):
    page.goto("/accounts/login/")
    page.get_by_role("link", name="Newid yr iaith i’r Gymraeg").click()
    assert page.locator("html").get_attribute("lang") == "cy"
    assert page.get_by_role("heading", level=1).inner_text() == "Mewngofnodi i Draciwr MAPPA"
    assert_no_axe_violations(page)

    page.fill("#id_username", gwent_staff.username)
    page.fill("#id_password", "test-pass-2022")
    page.get_by_role("button", name="Mewngofnodi").click()
    # Signed in, the account's preference (English) applies until the user switches.
    assert page.locator("html").get_attribute("lang") == "en"
    page.get_by_role("link", name="Newid yr iaith i’r Gymraeg").click()
    assert page.url.endswith(world.gwent.get_absolute_url())
    assert page.get_by_text("Cyhoeddwyd 14 Gorffennaf 2022").is_visible()
    assert_no_axe_violations(page)

    page.get_by_role("button", name="Allgofnodi").click()
    page.context.clear_cookies()
    page.goto("/accounts/login/")
    page.fill("#id_username", gwent_staff.username)
    page.fill("#id_password", "test-pass-2022")
    page.get_by_role("button", name="Sign in").click()
    assert page.locator("html").get_attribute("lang") == "cy"
    assert page.get_by_role("link", name="Change the language to English").is_visible()
