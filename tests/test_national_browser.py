"""The national pages in a real browser: no axe-core violations, nothing blocked by the CSP.

Chromium's requests are answered by Django's test client through Playwright's request routing,
so no server thread is needed (Playwright's greenlet gets its own connection: hence transaction=True).
"""

import mimetypes
import os
from pathlib import Path

import pytest
from django import db
from django.conf import settings

from .test_national import publish_responses

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE = Path(settings.BASE_DIR) / "node_modules" / "axe-core" / "axe.min.js"
HOST = "http://testserver"


@pytest.fixture
def browser_page(national, client_for, monkeypatch):
    # Playwright's sync API keeps an event loop on this thread; the test client is still synchronous.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    sync_api = pytest.importorskip("playwright.sync_api")
    if not Path("/usr/bin/chromium").exists():
        pytest.skip("Debian chromium is not installed")
    client = client_for(national)

    def answer(route):
        path = route.request.url.removeprefix(HOST)
        if path.startswith(settings.STATIC_URL):
            file = Path(settings.BASE_DIR) / "static" / path.removeprefix(settings.STATIC_URL).split("?")[0]
            if file.is_file():
                kind = mimetypes.guess_type(file.name)[0] or "application/octet-stream"
                if file.suffix == ".mjs":
                    kind = "text/javascript"
                return route.fulfill(status=200, body=file.read_bytes(), content_type=kind)
            return route.fulfill(status=404, body=b"")
        try:
            response = client.get(path)
        finally:
            # Playwright's greenlet has its own database connection: close it, or it outlives the test.
            db.connection.close()
        headers = dict(response.items())
        return route.fulfill(status=response.status_code, body=response.content, headers=headers)

    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path="/usr/bin/chromium",
            args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        page = browser.new_page()
        page.route(f"{HOST}/**", answer)
        errors = []
        page.on("console", lambda msg: msg.type == "error" and errors.append(msg.text))
        yield page, errors
        browser.close()


def test_national_pages_pass_axe_and_break_no_csp_rule(world, browser_page):
    page, errors = browser_page
    publish_responses(world)
    rec = world.record(world.gwent, 14).recommendation_id
    for path in ("/national/", f"/national/recommendations/{rec}/", "/national/search/?q=training"):
        page.goto(HOST + path)
        assert "Gloucestershire" in page.content()
        if os.environ.get("NATIONAL_SCREENSHOT_DIR"):
            name = path.strip("/").replace("/", "_").replace("?", "_") or "home"
            page.screenshot(path=f"{os.environ['NATIONAL_SCREENSHOT_DIR']}/{name}.png", full_page=True)
        page.evaluate(AXE.read_text(encoding="utf-8"))
        result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
        violations = [(v["id"], v["impact"], len(v["nodes"])) for v in result["violations"]]
        assert violations == [], (path, violations)
    assert [e for e in errors if "Content Security Policy" in e] == []
