"""Sign-in hardening, headers and production settings."""

import os
import re
import secrets
import subprocess
import sys

import pytest
from django.apps import apps
from django.conf import settings as django_settings
from django.core import mail
from django.test import Client
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from audit.models import AuditEvent

pytestmark = [pytest.mark.django_db, pytest.mark.shared_world]


@pytest.fixture
def axes_on(settings):
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = 3
    from axes.handlers.proxy import AxesProxyHandler

    AxesProxyHandler.implementation = None  # pick up the enabled handler
    yield
    AxesProxyHandler.implementation = None


def _sign_in(client, username, password):
    return client.post("/accounts/login/", {"username": username, "password": password})


def test_repeated_failures_lock_the_account_with_a_govuk_page(world, gwent_staff, axes_on):
    client = Client()
    for _ in range(2):
        assert _sign_in(client, "gwent.staff", "wrong-password").status_code == 200
    assert _sign_in(client, "gwent.staff", "wrong-password").status_code == 429  # the third failure
    locked = _sign_in(client, "gwent.staff", "test-pass-2022")  # even the right password now
    assert locked.status_code == 429
    page = locked.content.decode()
    assert "You cannot sign in at the moment" in page and "govuk-heading-l" in page
    assert "_auth_user_id" not in client.session
    assert AuditEvent.objects.filter(action="locked_out", username="gwent.staff").exists()
    assert AuditEvent.objects.filter(action="sign_in_failed", username="gwent.staff").count() >= 3


def test_a_good_password_signs_in_and_is_audited(world, gwent_staff, axes_on):
    client = Client()
    response = _sign_in(client, "gwent.staff", "test-pass-2022")
    assert response.status_code == 302
    event = AuditEvent.objects.get(action="signed_in", user=gwent_staff)
    assert event.ip_address == "127.0.0.1" and event.request_id


@pytest.fixture
def otp_on(settings):
    settings.OTP_REQUIRED = True


def _signed_in(user, password="test-pass-2022"):  # noqa: S107 - the test personas
    client = Client()
    assert _sign_in(client, user.username, password).status_code == 302
    return client


def test_chief_officer_must_set_up_two_factor_before_any_page(world, gwent_chief, otp_on):
    client = _signed_in(gwent_chief)
    response = client.get("/forces/gwent/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/two-factor/set-up/")
    setup = client.get(response["Location"])
    assert setup.status_code == 200 and "<svg" in setup.content.decode()
    # The API refuses a session that has not passed the check, in JSON.
    assert client.get("/api/forces/gwent/records/").status_code == 403

    device = TOTPDevice.objects.get(user=gwent_chief, confirmed=False)
    wrong = client.post("/accounts/two-factor/set-up/", {"otp_token": "000000", "next": "/forces/gwent/"})
    assert wrong.status_code == 200 and "govuk-error-summary" in wrong.content.decode()
    device.refresh_from_db()
    assert device.throttling_failure_count == 1  # django-otp slows down guessing
    device.throttle_reset()
    code = f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"
    done = client.post("/accounts/two-factor/set-up/", {"otp_token": code, "next": "/forces/gwent/"})
    assert done.status_code == 302 and done["Location"] == "/forces/gwent/"
    assert client.get("/forces/gwent/").status_code == 200
    assert AuditEvent.objects.filter(action="two_factor_set_up", user=gwent_chief).exists()


def test_national_team_with_a_device_is_asked_for_a_code(world, national, otp_on):
    device = TOTPDevice.objects.create(user=national, name="phone", confirmed=True)
    client = _signed_in(national)
    response = client.get("/forces/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/two-factor/?next=")
    assert client.post("/accounts/two-factor/", {"otp_token": "12345"}).status_code == 200  # 5 digits
    code = f"{totp(device.bin_key):06d}"
    assert client.post("/accounts/two-factor/", {"otp_token": code, "next": "/forces/"}).status_code == 302
    assert client.get("/forces/").status_code == 200


def test_two_factor_next_does_not_redirect_off_site(world, national, otp_on):
    device = TOTPDevice.objects.create(user=national, name="phone", confirmed=True)
    client = _signed_in(national)
    code = f"{totp(device.bin_key):06d}"
    response = client.post("/accounts/two-factor/", {"otp_token": code, "next": "https://evil.example/"})
    assert response.status_code == 302 and response["Location"] == "/"


def test_opcc_staff_do_not_need_two_factor(world, gwent_staff, otp_on):
    assert _signed_in(gwent_staff).get("/forces/gwent/").status_code == 200


def test_demo_users_are_exempt_when_debug(world, gwent_chief, settings):
    settings.OTP_REQUIRED = False  # what settings.py derives from DEBUG=1
    assert _signed_in(gwent_chief).get("/forces/gwent/").status_code == 200


def test_password_reset_by_email_with_validators(world, gwent_staff, django_capture_on_commit_callbacks):
    client = Client()
    assert client.get("/accounts/password-reset/").status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/accounts/password-reset/", {"email": "gwent.staff@example.org"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    link = re.search(r"https?://[^/\s]+(/accounts/password-reset/\S+/)", mail.outbox[0].body).group(1)
    form = client.get(link, follow=True)
    assert form.status_code == 200
    set_url = form.redirect_chain[-1][0] if form.redirect_chain else link
    weak = client.post(set_url, {"new_password1": "password", "new_password2": "password"})
    assert weak.status_code == 200 and "govuk-error-summary" in weak.content.decode()
    strong = client.post(
        set_url, {"new_password1": "Lantern-Orchard-1987", "new_password2": "Lantern-Orchard-1987"}
    )
    assert strong.status_code == 302
    gwent_staff.refresh_from_db()
    assert gwent_staff.check_password("Lantern-Orchard-1987")


def test_unknown_email_gives_the_same_answer_and_no_mail(world):
    response = Client().post("/accounts/password-reset/", {"email": "nobody@example.org"})
    assert response.status_code == 302 and not mail.outbox


def test_session_expires_after_inactivity():
    assert django_settings.SESSION_COOKIE_AGE <= 60 * 60
    # The expiry is pushed back at most a minute after each use (tests/test_page_cache.py).
    assert django_settings.SESSION_REFRESH_SECONDS <= 60
    assert len(django_settings.AUTH_PASSWORD_VALIDATORS) >= 4


def test_security_headers(world, gwent_staff, client_for):
    response = client_for(gwent_staff).get("/forces/gwent/")
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp and "frame-ancestors 'none'" in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Request-ID"]


def test_hsts_and_secure_cookies_in_production_settings(world, gwent_staff, settings):
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SESSION_COOKIE_SECURE = True
    client = Client()
    response = client.post(
        "/accounts/login/", {"username": "gwent.staff", "password": "test-pass-2022"}, secure=True
    )
    assert response.cookies["sessionid"]["secure"] and response.cookies["sessionid"]["httponly"]
    assert response["Strict-Transport-Security"].startswith("max-age=31536000")


TEMPLATES_ROOT = django_settings.BASE_DIR / "templates"
# Every folder of templates/ (and the top level, "."), found afresh: a new folder is checked too.
TEMPLATE_DIRS = [".", *sorted(p.name for p in TEMPLATES_ROOT.iterdir() if p.is_dir())]
# Rendered to PDF by WeasyPrint (letters, quarterly packs), never served to a browser, so the page CSP does not apply.
NOT_SERVED = {"responses/letter_pdf.html", "national/pack_pdf.html"}


@pytest.mark.parametrize("folder", TEMPLATE_DIRS)
def test_templates_have_no_inline_script_or_style(folder):
    root = TEMPLATES_ROOT / folder
    paths = sorted(root.glob("*.html") if folder == "." else root.rglob("*.html"))
    assert paths, f"no template in {root}"
    for path in paths:
        if path.relative_to(TEMPLATES_ROOT).as_posix() in NOT_SERVED:
            continue
        text = path.read_text()
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", text), path
        assert "<style" not in text and "style=" not in text, path


def _scanned_templates():
    """Every template file the inline-script check above reads."""
    scanned = set()
    for folder in TEMPLATE_DIRS:
        root = TEMPLATES_ROOT / folder
        scanned.update(root.glob("*.html") if folder == "." else root.rglob("*.html"))
    return {path.resolve() for path in scanned}


def _templates_django_can_load():
    """Every HTML template of the project that Django's loaders can find: the TEMPLATES dirs and
    the project's own apps' templates/ folders (installed libraries' templates are theirs)."""
    from pathlib import Path

    roots = [Path(folder) for engine in django_settings.TEMPLATES for folder in engine.get("DIRS", [])]
    base = Path(django_settings.BASE_DIR).resolve()
    roots += [
        Path(app.path) / "templates"
        for app in apps.get_app_configs()
        if Path(app.path).resolve().parent == base and (Path(app.path) / "templates").is_dir()
    ]
    return {path.resolve() for root in roots for path in Path(root).rglob("*.html")}


def test_every_template_django_can_load_is_checked_for_inline_script():
    missed = _templates_django_can_load() - _scanned_templates()
    assert not missed, f"templates the inline-script check does not read: {sorted(map(str, missed))}"
    assert len(_scanned_templates()) > 100


def test_check_deploy_reports_nothing_with_production_settings(tmp_path):
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DJANGO_", "DEBUG", "SECURE_", "OTP_", "AXES_"))
    }
    env.update(
        DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(64),
        ALLOWED_HOSTS="example.org",
        DJANGO_SETTINGS_MODULE="mappa_tracker.settings",
        MAPPA_VAR_DIR=str(tmp_path),
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=django_settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues (0 silenced)" in result.stdout


def test_force_pages_use_the_one_permission_guard():
    """ "May edit, else 404" is decided in forces.permissions only, never hand-rolled in a view."""
    import re
    from pathlib import Path

    from django.conf import settings

    hand_rolled = re.compile(r"if [^\n]*\.can_(edit|sign_off)[^\n]*:\n\s+raise Http404")
    offenders = []
    for path in sorted(Path(settings.BASE_DIR).glob("*/*.py")):
        if path.parts[-2] in {"tests", "forces", ".venv", "node_modules"} or path.name == "permissions.py":
            continue
        if hand_rolled.search(path.read_text(encoding="utf-8")):
            offenders.append(str(path.relative_to(settings.BASE_DIR)))
    assert offenders == []


def test_api_hmicfrs_closure_requires_the_version_read_like_the_page(world, gwent_staff, client_for):
    """Left out, the stale-change check would be skipped: the API refuses it, as the page does."""
    import json

    from recommendations.models import Record
    from recommendations.services import add_progress_update, system_access

    record = world.record(world.gwent, 18)
    add_progress_update(
        record,
        author=None,
        text="Work started.",
        status=Record.Status.IN_PROGRESS,
        access=system_access(world.gwent),
    )
    record.refresh_from_db()
    url = f"/api/forces/gwent/records/{record.pk}/hmicfrs-closure/"
    body = {"closed_on": "2024-02-01", "basis": "Authorised for closure on the basis of the audit."}
    client = client_for(gwent_staff)
    missing = client.post(url, json.dumps(body), content_type="application/json")
    assert missing.status_code == 400 and "expected_version" in missing.content.decode(), missing.content
    stale = client.post(
        url, json.dumps({**body, "expected_version": record.version - 1}), content_type="application/json"
    )
    assert stale.status_code == 409, stale.content
    unchanged = Record.objects.get(pk=record.pk)
    assert (unchanged.version, unchanged.hmicfrs_closed_on) == (record.version, None)
    current = client.post(
        url, json.dumps({**body, "expected_version": record.version}), content_type="application/json"
    )
    assert current.status_code == 200, current.content
