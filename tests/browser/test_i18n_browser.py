"""The Welsh-language journey in a real browser: switch on the sign-in page, sign in, save the preference."""

import pytest
from django.urls import reverse

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
    # A single-force user lands on their role's home page.
    home = reverse("recommendations:home", kwargs={"force_slug": world.gwent.slug})
    page.wait_for_url(f"**{home}")
    # Signed in, the account's preference (English) applies until the user switches.
    assert page.locator("html").get_attribute("lang") == "en"
    # The header link (a GET) switches this sign-in to Welsh but saves nothing on the account.
    page.get_by_role("link", name="Newid yr iaith i’r Gymraeg").click()
    assert page.url.endswith(home)
    assert page.locator("html").get_attribute("lang") == "cy"
    page.goto(world.gwent.get_absolute_url())
    assert page.locator("html").get_attribute("lang") == "cy"
    assert page.get_by_text("Cyhoeddwyd 14 Gorffennaf 2022").is_visible()
    assert_no_axe_violations(page)
    gwent_staff.refresh_from_db()
    assert gwent_staff.preferred_language in ("", "en")

    # The preference is saved on the language page, a POST form, confirmed in the new language.
    page.get_by_role("link", name="Iaith", exact=True).click()
    page.wait_for_url(f"**{reverse('frontend:language-preference')}")
    assert_no_axe_violations(page)
    page.get_by_label("Cymraeg").check()
    page.get_by_role("button", name="Cadw’r iaith").click()
    assert "Mae eich dewis iaith wedi’i gadw." in page.locator(".govuk-notification-banner").inner_text()
    assert page.get_by_label("Cymraeg").is_checked()
    assert_no_axe_violations(page)
    gwent_staff.refresh_from_db()
    assert gwent_staff.preferred_language == "cy"

    # A later sign-in in a clean browser, started in English: the saved preference (Welsh) applies.
    page.get_by_role("button", name="Allgofnodi").click()
    page.context.clear_cookies()
    page.goto("/accounts/login/")
    assert page.locator("html").get_attribute("lang") == "en"
    page.fill("#id_username", gwent_staff.username)
    page.fill("#id_password", "test-pass-2022")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"**{home}")
    assert page.locator("html").get_attribute("lang") == "cy"
    assert page.get_by_role("link", name="Change the language to English").is_visible()
