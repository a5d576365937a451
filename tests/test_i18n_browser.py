"""The Welsh-language journey in a real browser: switch on the sign-in page, sign in, stay Welsh."""

import os
import shutil
from pathlib import Path

import pytest
from django.conf import settings

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CHROMIUM = "/usr/bin/chromium"
AXE = Path(settings.BASE_DIR) / "node_modules" / "axe-core" / "axe.min.js"
# The accessibility rules the language machinery is answerable for.
LANGUAGE_RULES = ["html-has-lang", "html-lang-valid", "valid-lang", "link-name", "aria-allowed-attr"]


@pytest.fixture
def browser_page():
    if not (Path(CHROMIUM).exists() and shutil.which("chromedriver")):
        if os.environ.get("REQUIRE_BROWSER"):
            pytest.fail("Debian's chromium is required (REQUIRE_BROWSER is set).")
        pytest.skip("Debian's chromium is not installed.")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        try:
            yield browser.new_page()
        finally:
            browser.close()


@pytest.fixture
def server(transactional_db, settings):
    """A live server of its own: with MEDIA_URL = None (settings.py) Django's live-server media
    handler cannot start, so the URL is blanked before the server is built."""
    from pytest_django.live_server_helper import LiveServer

    settings.MEDIA_URL = ""
    live = LiveServer("127.0.0.1:0")
    try:
        yield live
    finally:
        live.stop()


def _axe_violations(page) -> list[str]:
    # Evaluated through the DevTools protocol: the page's CSP forbids injected <script> tags.
    page.evaluate(AXE.read_text())
    result = page.evaluate(
        "rules => axe.run(document, {runOnly: {type: 'rule', values: rules}})", LANGUAGE_RULES
    )
    return [f"{v['id']}: {v['help']}" for v in result["violations"]]


def test_welsh_user_switches_on_sign_in_page_and_the_account_remembers(
    server, world, gwent_staff, browser_page
):
    page = browser_page
    page.goto(f"{server.url}/accounts/login/")
    page.get_by_role("link", name="Newid yr iaith i’r Gymraeg").click()
    assert page.locator("html").get_attribute("lang") == "cy"
    assert page.get_by_role("heading", level=1).inner_text() == "Mewngofnodi i Draciwr MAPPA"
    assert not _axe_violations(page)

    page.fill("#id_username", gwent_staff.username)
    page.fill("#id_password", "test-pass-2022")
    page.get_by_role("button", name="Mewngofnodi").click()
    # Signed in, the account's preference (English) applies until the user switches.
    assert page.locator("html").get_attribute("lang") == "en"
    page.get_by_role("link", name="Newid yr iaith i’r Gymraeg").click()
    assert page.url.endswith(world.gwent.get_absolute_url())
    assert page.get_by_text("Cyhoeddwyd 14 Gorffennaf 2022").is_visible()
    assert not _axe_violations(page)

    page.get_by_role("button", name="Allgofnodi").click()
    page.context.clear_cookies()
    page.goto(f"{server.url}/accounts/login/")
    page.fill("#id_username", gwent_staff.username)
    page.fill("#id_password", "test-pass-2022")
    page.get_by_role("button", name="Sign in").click()
    assert page.locator("html").get_attribute("lang") == "cy"
    assert page.get_by_role("link", name="Change the language to English").is_visible()
