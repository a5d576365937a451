"""Sign-in hardening: lock-out by account and address together, limited reset e-mails, API tokens
that expire and need two-factor, request ids of the app's own making, a language switch that
saves nothing."""

from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone
from rest_framework.authtoken.models import Token

pytestmark = [pytest.mark.django_db, pytest.mark.shared_world]


@pytest.fixture
def axes_on(settings):
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = 3
    from axes.handlers.proxy import AxesProxyHandler

    AxesProxyHandler.implementation = None
    yield
    AxesProxyHandler.implementation = None


def _sign_in(client, username, password, ip):
    return client.post("/accounts/login/", {"username": username, "password": password}, REMOTE_ADDR=ip)


def test_lock_out_is_by_account_and_address_together(world, gwent_staff, dyfed_staff, axes_on):
    attacker = Client()
    for _ in range(3):
        _sign_in(attacker, "gwent.staff", "wrong-password", "10.0.0.1")
    locked = _sign_in(attacker, "gwent.staff", "test-pass-2022", "10.0.0.1")
    assert locked.status_code == 429
    page = locked.content.decode()
    assert "Only this account is locked" in page and "/accounts/password-reset/" in page
    # Everyone else behind the same address (a proxy) still signs in ...
    assert _sign_in(Client(), "dyfed-powys.staff", "test-pass-2022", "10.0.0.1").status_code == 302
    # ... and so does the account's owner from elsewhere.
    assert _sign_in(Client(), "gwent.staff", "test-pass-2022", "10.0.0.2").status_code == 302


def test_resetting_the_password_ends_the_lock(
    world, gwent_staff, axes_on, django_capture_on_commit_callbacks
):
    import re

    client = Client()
    for _ in range(3):
        _sign_in(client, "gwent.staff", "wrong-password", "10.0.0.1")
    assert _sign_in(client, "gwent.staff", "test-pass-2022", "10.0.0.1").status_code == 429
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/accounts/password-reset/", {"email": "gwent.staff@example.org"}, REMOTE_ADDR="10.0.0.1")
    link = re.search(r"https?://[^/\s]+(/accounts/password-reset/\S+/)", mail.outbox[-1].body).group(1)
    form = client.get(link, follow=True)
    set_url = form.redirect_chain[-1][0]
    done = client.post(
        set_url, {"new_password1": "Lantern-Orchard-1987", "new_password2": "Lantern-Orchard-1987"}
    )
    assert done.status_code == 302
    assert _sign_in(Client(), "gwent.staff", "Lantern-Orchard-1987", "10.0.0.1").status_code == 302


def test_password_reset_is_limited_per_address(
    world, gwent_staff, settings, django_capture_on_commit_callbacks
):
    settings.PASSWORD_RESET_PER_EMAIL_PER_HOUR = 3
    client = Client()
    answers = []
    with django_capture_on_commit_callbacks(execute=True):
        for n in range(9):
            answers.append(
                client.post(
                    "/accounts/password-reset/",
                    {"email": "gwent.staff@example.org"},
                    REMOTE_ADDR=f"10.1.0.{n}",
                )
            )
    assert [a.status_code for a in answers] == [302] * 3 + [200] * 6
    assert len(mail.outbox) == 3
    assert "Too many password reset e-mails" in answers[-1].content.decode()


def test_password_reset_is_limited_per_client_address(world, gwent_staff, settings):
    settings.PASSWORD_RESET_PER_IP_PER_HOUR = 4
    client = Client()
    codes = [
        client.post(
            "/accounts/password-reset/", {"email": f"someone{n}@example.org"}, REMOTE_ADDR="10.2.0.1"
        ).status_code
        for n in range(6)
    ]
    assert codes == [302] * 4 + [200] * 2


def _token_client(user, *, age_days=0):
    token = Token.objects.create(user=user)
    Token.objects.filter(pk=token.pk).update(created=timezone.now() - timedelta(days=age_days))
    return Client(HTTP_AUTHORIZATION=f"Token {token.key}")


def test_api_token_expires(world, gwent_staff, settings):
    settings.API_TOKEN_MAX_AGE_DAYS = 90
    assert _token_client(gwent_staff, age_days=89).get("/api/forces/gwent/records/").status_code == 200
    Token.objects.all().delete()
    old = _token_client(gwent_staff, age_days=91).get("/api/forces/gwent/records/")
    assert old.status_code == 401 and "expired" in old.json()["detail"]


def test_api_token_is_refused_until_two_factor_is_set_up(world, gwent_chief, settings):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    settings.OTP_REQUIRED = True
    client = _token_client(gwent_chief)
    refused = client.get("/api/forces/gwent/records/")
    assert refused.status_code == 401 and "two-factor" in refused.json()["detail"]
    TOTPDevice.objects.create(user=gwent_chief, name="phone", confirmed=True)
    assert client.get("/api/forces/gwent/records/").status_code == 200


def test_token_page_shows_expiry_and_revokes(world, gwent_staff, client_for):
    client = client_for(gwent_staff)
    client.post("/api/token/")
    assert Token.objects.filter(user=gwent_staff).exists()
    page = client.get("/api/token/").content.decode()
    assert "Your token expires on" in page and "Revoke my token" in page
    key = Token.objects.get(user=gwent_staff).key
    client.post("/api/token/", {"action": "revoke"})
    assert not Token.objects.filter(user=gwent_staff).exists()
    assert Client(HTTP_AUTHORIZATION=f"Token {key}").get("/api/forces/gwent/records/").status_code == 401


def test_client_request_id_is_never_the_audit_id(world, gwent_staff, client_for):
    from audit.models import AuditEvent

    client = client_for(gwent_staff)
    response = client.post("/api/token/", HTTP_X_REQUEST_ID="forged-id-123")
    assert response["X-Request-ID"] != "forged-id-123"
    event = AuditEvent.objects.filter(action="api_token_created").latest("pk")
    assert event.request_id != "forged-id-123" and event.request_id == response["X-Request-ID"]


def test_language_switch_by_get_saves_no_preference(world, gwent_staff, client_for):
    client = client_for(gwent_staff)
    client.get("/language/cy/")
    gwent_staff.refresh_from_db()
    assert gwent_staff.preferred_language != "cy"


PROXY = "10.9.0.1"  # the service's own reverse proxy: every request reaches the app from it


def _reset(client, n, forwarded):
    return client.post(
        "/accounts/password-reset/",
        {"email": f"someone{n}@example.org"},
        REMOTE_ADDR=PROXY,
        HTTP_X_FORWARDED_FOR=forwarded,
    ).status_code


def test_reset_limit_behind_a_proxy_counts_each_client_not_the_proxy(world, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    settings.PASSWORD_RESET_PER_IP_PER_HOUR = 3
    client = Client()
    # One client asking again and again is limited, even when it makes up the left of the header ...
    codes = [_reset(client, n, f"203.0.113.{n}, 198.51.100.7") for n in range(5)]
    assert codes == [302] * 3 + [200] * 2
    # ... while other people behind the same proxy still get their e-mail.
    assert _reset(client, 10, "198.51.100.8") == 302
    assert _reset(client, 11, "198.51.100.9") == 302


def test_without_trusted_proxies_the_forwarded_header_is_ignored(world, settings):
    settings.TRUSTED_PROXY_COUNT = 0
    settings.PASSWORD_RESET_PER_IP_PER_HOUR = 2
    client = Client()
    codes = [_reset(client, n, f"198.51.100.{n}") for n in range(3)]
    assert codes == [302, 302, 200]  # a client cannot escape the limit by writing the header


@pytest.mark.parametrize(
    ("count", "forwarded", "expected"),
    [
        (0, "198.51.100.7", PROXY),
        (1, "198.51.100.7", "198.51.100.7"),
        (1, "6.6.6.6, 198.51.100.7", "198.51.100.7"),
        (2, "6.6.6.6, 198.51.100.7, 10.9.0.2", "198.51.100.7"),
        (2, "198.51.100.7", PROXY),  # shorter than the chain of proxies: not vouched for
        (1, "not-an-address", PROXY),
        (1, "", PROXY),
        (1, "2001:db8::1", "2001:db8::1"),
    ],
)
def test_client_ip_trusts_exactly_the_configured_proxies(settings, count, forwarded, expected):
    from django.test import RequestFactory

    from accounts.client_ip import client_ip

    settings.TRUSTED_PROXY_COUNT = count
    request = RequestFactory().get("/", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=forwarded)
    assert client_ip(request) == expected


def test_lock_out_behind_a_proxy_is_by_the_client_address(world, gwent_staff, axes_on, settings):
    """The sign-in lock-out reads the address through the same helper: the attacker behind the proxy
    is locked out of the account, its owner (another client of the same proxy) is not."""
    settings.TRUSTED_PROXY_COUNT = 1

    def sign_in(password, client_address):
        return Client().post(
            "/accounts/login/",
            {"username": "gwent.staff", "password": password},
            REMOTE_ADDR=PROXY,
            HTTP_X_FORWARDED_FOR=client_address,
        )

    for _ in range(3):
        sign_in("wrong-password", "203.0.113.66")
    assert sign_in("test-pass-2022", "203.0.113.66").status_code == 429
    assert sign_in("test-pass-2022", "198.51.100.7").status_code == 302
