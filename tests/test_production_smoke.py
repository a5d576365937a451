"""The production smoke test: the app built and served the way the image does, DEBUG off.

The checkout is copied into a temporary directory with the frontend's built assets, built by
scripts/build-production.sh (the Dockerfile's own build step), and served by gunicorn on a free
loopback port. Sign-in, a force page, a public page, a 404, a 500, /healthz and the static files
must all answer as they should. A wrapper URLconf adds one view that raises, so the real 500
handler and template are exercised; everything else is the real app.
"""

import http.cookiejar
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
BUILT_ASSETS = ("static/dist", "static/govuk", "static/moj")

SMOKE_SETTINGS = """
from mappa_tracker.settings import *  # noqa: F403

ROOT_URLCONF = "smoke_urls"
"""
SMOKE_URLS = """
from django.contrib.auth.decorators import login_not_required
from django.urls import path

from mappa_tracker.urls import *  # noqa: F403
from mappa_tracker.urls import urlpatterns as _real


@login_not_required
def boom(request):
    raise RuntimeError("The smoke test's deliberate server error.")


urlpatterns = [path("smoke-test-server-error/", boom), *_real]
"""

pytestmark = pytest.mark.skipif(
    not (ROOT / "static/dist/css/app.css").exists(), reason="the frontend is not built (scripts/bootstrap.sh)"
)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _copy_checkout(target: Path) -> None:
    files = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        check=True,
        capture_output=True,
    ).stdout.split(b"\0")
    for name in filter(None, files):
        source = ROOT / name.decode()
        if source.is_file():
            (target / name.decode()).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name.decode())
    for assets in BUILT_ASSETS:
        if (ROOT / assets).exists():
            shutil.copytree(ROOT / assets, target / assets, dirs_exist_ok=True)


@pytest.fixture(scope="module")
def production(tmp_path_factory):
    app = tmp_path_factory.mktemp("production-app")
    _copy_checkout(app)
    python = sys.executable
    env = {
        key: value
        for key, value in os.environ.items()
        # The browser tests' DJANGO_ALLOW_ASYNC_UNSAFE (set in this process when they share a run)
        # is not what the image has, and check --deploy rightly refuses it.
        if key
        not in {
            "DEBUG",
            "DATABASE_URL",
            "REDIS_URL",
            "CELERY_BROKER_URL",
            "DJANGO_SETTINGS_MODULE",
            "DJANGO_ALLOW_ASYNC_UNSAFE",
        }
    }
    env |= {
        "PYTHON": python,
        "PATH": f"{Path(python).parent}:{env.get('PATH', '')}",
        "DEBUG": "0",
        "SECRET_KEY": "smoke-test-" + "k" * 50,
        "MAPPA_VAR_DIR": str(app / "var"),
        "STATIC_ROOT": str(app / "staticfiles"),
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "0",
        "SECURE_COOKIES": "0",
        "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
        # The build's processes share the copy's compiled bytecode instead of each compiling the
        # project again (about half a second a process).
        "PYTHONDONTWRITEBYTECODE": "",
    }
    run = dict(cwd=app, env=env, check=True, capture_output=True, text=True, timeout=600)
    try:
        subprocess.run(["scripts/build-production.sh"], **run)
        subprocess.run([python, "manage.py", "migrate", "--no-input", "--verbosity", "0"], **run)
        subprocess.run([python, "manage.py", "load_demo", "--force"], **run)
    except subprocess.CalledProcessError as exc:
        pytest.fail(f"The production build failed:\n{exc.stdout}\n{exc.stderr}")
    (app / "smoke_settings.py").write_text(SMOKE_SETTINGS)
    (app / "smoke_urls.py").write_text(SMOKE_URLS)
    port = _free_port()
    log = open(app / "gunicorn.log", "w")  # noqa: SIM115 - closed below
    server = subprocess.Popen(
        [python, "-m", "gunicorn", "mappa_tracker.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", "1"],
        cwd=app,
        env=env | {"DJANGO_SETTINGS_MODULE": "smoke_settings"},
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        # A shared, loaded machine can take many seconds to import the app and answer the first
        # request: a read that times out is retried like a refused connection, up to a deadline.
        deadline = time.monotonic() + 120
        while True:
            try:
                urllib.request.urlopen(f"{base}/healthz", timeout=15)
                break
            except (urllib.error.URLError, OSError):
                if server.poll() is not None:
                    break
                if time.monotonic() > deadline:
                    pytest.fail(
                        f"gunicorn did not answer /healthz within 120 seconds:\n{(app / 'gunicorn.log').read_text()}"
                    )
                time.sleep(0.25)
        if server.poll() is not None:
            pytest.fail(f"gunicorn stopped:\n{(app / 'gunicorn.log').read_text()}")
        yield base, app
    finally:
        server.terminate()
        server.wait(timeout=20)
        log.close()


class Browser:
    """Just enough of a browser: cookies, no redirects followed, status and body returned."""

    def __init__(self, base):
        self.base = base
        self.jar = http.cookiejar.CookieJar()

        class NoRedirect(urllib.request.HTTPRedirectHandler):
            def redirect_request(self, *args, **kwargs):
                return None

        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar), NoRedirect)

    def request(self, path, data=None):
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        try:
            with self.opener.open(self.base + path, data=body, timeout=30) as answer:
                return answer.status, answer.headers, answer.read().decode("utf-8", "replace")
        except urllib.error.HTTPError as error:
            return error.code, error.headers, error.read().decode("utf-8", "replace")


def _static_urls(html: str) -> list[str]:
    return re.findall(r'(?:href|src)="(/static/[^"]+)"', html)


def _assert_static_served(browser, html):
    urls = _static_urls(html)
    assert urls, "the page links no static files"
    css = [url for url in urls if url.endswith(".css")]
    assert css, urls
    # Hashed names from the manifest: proof that collectstatic ran with DEBUG off.
    assert all(re.search(r"\.[0-9a-f]{12}\.\w+$", url) for url in css), css
    for url in {css[0], *[u for u in urls if u.endswith(".ico")]}:
        status, headers, _ = browser.request(url)
        assert status == 200, url
        if url.endswith(".css"):
            assert headers["Content-Type"].startswith("text/css")
    _assert_module_imports_served(browser, [url for url in urls if url.endswith(".mjs")])


def _assert_module_imports_served(browser, modules):
    """Each JavaScript module the page loads, and each module it imports by a relative path, is
    served under its hashed name (only hashed files are shipped)."""
    assert modules, "the page loads no JavaScript module"
    for module in modules:
        status, _, source = browser.request(module)
        assert status == 200, module
        for imported in re.findall(r"""\bfrom\s*["'](\.{1,2}/[^"']+)["']""", source):
            url = urllib.parse.urljoin(module, imported)
            assert re.search(r"\.[0-9a-f]{12}\.m?js$", url), (
                f"{module} imports {imported} by its unhashed name"
            )
            status, headers, _ = browser.request(url)
            assert status == 200, f"{module} imports {url}, which answers {status}"
            assert "javascript" in headers["Content-Type"], headers["Content-Type"]


def test_health_check_says_ok_and_nothing_secret(production):
    base, _ = production
    status, headers, body = Browser(base).request("/healthz")
    assert status == 200
    assert headers["Content-Type"] == "application/json"
    assert '"database": "ok"' in body and '"broker": "ok"' in body
    assert "smoke-test-" not in body and "sqlite" not in body.lower()


def test_sign_in_then_a_force_page(production):
    base, _ = production
    browser = Browser(base)
    status, _, html = browser.request("/accounts/login/")
    assert status == 200
    _assert_static_served(browser, html)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
    status, headers, _ = browser.request(
        "/accounts/login/",
        {"csrfmiddlewaretoken": token, "username": "gwent.staff", "password": "demo-pass-2022"},
    )
    assert status == 302, "sign-in was refused"
    status, _, html = browser.request("/forces/gwent/")
    assert status == 200
    assert "Gwent" in html
    _assert_static_served(browser, html)


def test_public_page_without_signing_in(production):
    base, _ = production
    browser = Browser(base)
    status, _, html = browser.request("/public/gwent/responses/")
    assert status == 200
    assert "Gwent" in html
    _assert_static_served(browser, html)


def test_not_found_page(production):
    base, _ = production
    browser = Browser(base)
    status, _, html = browser.request("/public/no-such-force/responses/")
    assert status == 404
    assert "Page not found" in html
    _assert_static_served(browser, html)


def test_server_error_page(production):
    base, app = production
    browser = Browser(base)
    status, _, html = browser.request("/smoke-test-server-error/")
    assert status == 500
    assert "Sorry, there is a problem with the service" in html
    assert "RuntimeError" not in html and "Traceback" not in html
    _assert_static_served(browser, html)


def test_the_image_builds_with_the_same_script():
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "RUN scripts/build-production.sh" in dockerfile
    assert "DEBUG=1" not in dockerfile, "the image must be built with DEBUG off"
    compose = (ROOT / "docker-compose.yml").read_text()
    assert "/healthz" in compose
