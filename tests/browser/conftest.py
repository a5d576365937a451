"""Real-browser tests: Debian's headless Chromium driven by Playwright against pytest-django's live server.

Reusable by every page of the service:
- `page` (fixture): a fresh browser context on the live server (relative URLs work).
- `new_page()` (fixture): another isolated context, for a second user in the same test.
- `sign_in(page, username)`: signs in through the real login form.
- `assert_no_axe_violations(page)`: runs axe-core (WCAG 2.0/2.1/2.2 A and AA) and fails with a readable list.
- `tab_to(page, selector)`: keyboard-only navigation, pressing Tab until the selector has focus.

`live_server` is transactional: build the world inside the test or its fixtures (the `world` and persona
fixtures of tests/conftest.py do). Without chromium or playwright the tests are skipped, unless
REQUIRE_BROWSER=1 (set in CI), where they fail instead.
"""

import functools
import os
import shutil
from pathlib import Path

import pytest
from django.conf import settings

# Playwright's sync API runs an event loop in this thread; the ORM calls made by fixtures are still
# plain synchronous code, so Django's async-safety guard is told so.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
# Chromium keeps only the last --disable-features switch, so ours repeats Playwright's own list
# (playwright-core's chromiumSwitches) before adding two: without a new renderer document and
# browsing instance for every navigation, a page load costs the browser about a sixth less CPU
# (20 loads of the sign-in page: 4.0 s of Chromium's CPU with Playwright's list, 3.3 s with this).
PLAYWRIGHT_DISABLED_FEATURES = (
    "AvoidUnnecessaryBeforeUnloadCheckSync,DestroyProfileOnBrowserClose,HttpsUpgrades,"
    "HttpsFirstBalancedModeAutoEnable,LensOverlay,MediaRouter,PaintHolding,ThirdPartyStoragePartitioning,"
    "AvoidCorsURLLoaderRestartOnRedirect,TcpPortRandomizationWin,OptimizationHints,"
    "NetworkTimeServiceQuerying,AimEnabled,PreconnectToSearch"
)
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    f"--disable-features={PLAYWRIGHT_DISABLED_FEATURES},ProactivelySwapBrowsingInstance,RenderDocument",
]
AXE_PATH = Path(settings.BASE_DIR) / "node_modules" / "axe-core" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]
PASSWORD = "test-pass-2022"  # tests/conftest.py make_user


def _unavailable(reason: str):
    if os.environ.get("REQUIRE_BROWSER") == "1":
        pytest.fail(f"REQUIRE_BROWSER=1 but {reason}", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def _playwright():
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("the playwright package is not installed")
    if not (Path(CHROMIUM).exists() or shutil.which(CHROMIUM)):
        _unavailable(f"no chromium at {CHROMIUM}")
    with sync_playwright() as playwright:
        yield playwright


@pytest.fixture(scope="session")
def browser(_playwright):
    try:
        browser = _playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
    except Exception as error:  # a broken browser install is "unavailable", not a test failure
        _unavailable(f"chromium did not start: {error}")
    yield browser
    browser.close()


@pytest.fixture(scope="session")
def _media_not_served():
    """MEDIA_URL is None (private files are served only through views), which Django's live-server
    media handler cannot parse; a URL on another host makes that handler step aside."""
    from django.test import override_settings

    with override_settings(MEDIA_URL="https://private.invalid/"):
        yield


@pytest.fixture(scope="session")
def _static_files_cached():
    """The live server's static files carry a max-age, as whitenoise's do in production, so the
    browser takes them from its cache instead of asking again on every page (four or five
    conditional requests a page, each a round trip through the live server and the browser's
    network service)."""
    from django.contrib.staticfiles import handlers

    plain = handlers.StaticFilesHandler

    class CachedStaticFilesHandler(plain):
        def serve(self, request):
            response = super().serve(request)
            if response.status_code == 200:
                response["Cache-Control"] = "max-age=3600"
            return response

    handlers.StaticFilesHandler = CachedStaticFilesHandler
    yield
    handlers.StaticFilesHandler = plain


@pytest.fixture(scope="session")
def live_server(_media_not_served, _static_files_cached, live_server):
    return live_server


@pytest.fixture
def new_page(browser, live_server):
    contexts = []

    def make():
        # axe is injected as a script tag; the site's CSP (rightly) forbids that, so only the test bypasses it.
        context = browser.new_context(base_url=live_server.url, bypass_csp=True, locale="en-GB")
        context.set_default_timeout(15_000)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_page):
    return new_page()


@functools.cache
def _axe_source() -> str:
    return AXE_PATH.read_text(encoding="utf-8")


def sign_in(page, username: str, password: str = PASSWORD) -> None:
    """Sign in through the login form, as a person would."""
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()
    assert "/accounts/login/" not in page.url, f"{username} could not sign in"


def assert_no_axe_violations(page, *, context: str = "", extra_rules: tuple = ()) -> None:
    """Run axe-core over the page (WCAG 2.0, 2.1, 2.2 A and AA, and `extra_rules` by id in the same
    run); fail listing every violation."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(content=_axe_source())
        # Sending axe's half a megabyte into each page took as long as running it: from now on the
        # browser context loads it into every page itself.
        page.context.add_init_script(script=_axe_source())
    result = page.evaluate(
        """async ([tags, extra]) => {
            const known = new Set(axe.getRules().map(r => r.ruleId));
            const rules = Object.fromEntries(extra.filter(id => known.has(id)).map(id => [id, {enabled: true}]));
            const r = await axe.run(document, {runOnly: {type: "tag", values: tags}, rules, resultTypes: ["violations"]});
            return r.violations.map(v => ({
                id: v.id, impact: v.impact, help: v.help, url: v.helpUrl,
                nodes: v.nodes.map(n => ({target: n.target.join(" "), summary: n.failureSummary}))
            }));
        }""",
        [AXE_TAGS, list(extra_rules)],
    )
    if result:
        lines = [f"axe found {len(result)} violation(s) on {context or page.url}:"]
        for violation in result:
            lines.append(
                f"- [{violation['impact']}] {violation['id']}: {violation['help']} ({violation['url']})"
            )
            for node in violation["nodes"][:5]:
                summary = (node["summary"] or "").replace("\n", " ")
                lines.append(f"    at {node['target']}: {summary}")
        pytest.fail("\n".join(lines), pytrace=False)


def tab_to(page, selector: str, *, max_presses: int = 80, key: str = "Tab") -> None:
    """Press Tab until an element matching `selector` has the focus (keyboard-only navigation)."""
    for _ in range(max_presses):
        if page.evaluate("(s) => !!document.activeElement && document.activeElement.matches(s)", selector):
            return
        page.keyboard.press(key)
    focused = page.evaluate("() => document.activeElement && document.activeElement.outerHTML.slice(0, 200)")
    pytest.fail(f"could not reach {selector!r} with {key}; focus is on {focused}", pytrace=False)
