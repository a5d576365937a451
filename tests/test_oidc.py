"""Single sign-on against a real OpenID provider (npm's oidc-provider, started on loopback).

Every test here talks to that provider: the authorisation-code flow with PKCE is driven from
Python (its sign-in page filled in over HTTP, the Django test client for this service), and the
service's back end fetches discovery, tokens, keys and userinfo from it over loopback. Where the
provider cannot be made to misbehave (a token for another audience, a bad signature, an expired
token), the test takes a genuine token from it and presents it as an attacker or a slow clock
would: another client's token, the same token with its signature altered, the clock moved past
its expiry. No token is made up by the tests.
"""

from datetime import timedelta
from urllib.parse import parse_qs, urlparse

import pytest
import time_machine
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import Invitation, User
from accounts.oidc import IDP_TWO_FACTOR_SESSION_KEY, ForceOIDCBackend, SignInRefused, discovery_key
from audit.models import AuditEvent
from forces.models import Membership

from .oidc.server import (
    CLIENT_SECRET,
    OTHER_CLIENT_ID,
    make_identity_provider,
    real_id_token,
    sign_in_at_provider,
    start_provider,
)

pytestmark = [pytest.mark.django_db, pytest.mark.shared_world]

CALLBACK = "http://testserver/accounts/sso/callback/"


@pytest.fixture(scope="module")
def issuer():
    running = start_provider([CALLBACK])
    yield running.issuer
    running.stop()


@pytest.fixture
def gwent_idp(world, issuer):
    # Only the provider's discovery document: clearing the whole cache would empty the Redis
    # database that the Celery queues share in CI, losing another test process's queued task.
    cache.delete(discovery_key(issuer))
    return make_identity_provider(world.gwent, issuer, two_factor_amr="mfa")


def _sso(client, login, *, mfa=False):
    start = client.get(reverse("oidc:start", kwargs={"provider": "gwent"}))
    assert start.status_code == 302, start.content[:300]
    back = sign_in_at_provider(start["Location"], login, mfa=mfa, stop_at="http://testserver/")
    return start, back, client.get(back.removeprefix("http://testserver"))


def _refusal(reason):
    return AuditEvent.objects.filter(action="sign_in_failed", data__reason=reason)


def _signed_in_user(client):
    return User.objects.filter(pk=client.session.get("_auth_user_id")).first()


def test_staff_member_signs_in_with_the_code_flow_and_pkce_and_lands_on_their_force(
    gwent_idp, gwent_staff, world
):
    client = Client()
    start, _back, response = _sso(client, "gwent.staff")
    sent = parse_qs(urlparse(start["Location"]).query)
    assert start["Location"].startswith(gwent_idp.issuer + "/auth?")
    assert sent["code_challenge_method"] == ["S256"] and sent["code_challenge"][0]
    assert sent["response_type"] == ["code"] and sent["client_id"] == ["mappa-tracker"] and sent["nonce"][0]
    assert response.status_code == 302
    assert _signed_in_user(client) == gwent_staff
    home = client.get(response["Location"])
    assert home.status_code == 302 and home["Location"] == reverse(
        "recommendations:home", kwargs={"force_slug": "gwent"}
    )
    # Roles come from this service, never from the provider's "roles" claim.
    assert Membership.objects.get(user=gwent_staff).role == "opcc_staff"
    assert not client.session.get(IDP_TWO_FACTOR_SESSION_KEY)


def test_invited_person_signs_in_and_gets_the_invited_role_not_the_claimed_one(
    gwent_idp, world, gwent_opcc_admin
):
    Invitation.objects.create(
        force=world.gwent, email="new.starter@example.org", role="opcc_staff",
        invited_by=gwent_opcc_admin, expires_at=timezone.now() + timedelta(days=7),
    )  # fmt: skip
    client = Client()
    _start, _back, response = _sso(client, "new.starter")
    user = _signed_in_user(client)
    assert response.status_code == 302 and user.email == "new.starter@example.org"
    assert (user.first_name, user.last_name) == ("Nia", "Jones")
    assert not user.has_usable_password()
    assert Membership.objects.get(user=user).role == "opcc_staff"
    assert not user.is_superuser and not user.is_national_team
    assert Invitation.objects.get().accepted_by == user


def test_unknown_person_is_told_to_ask_their_administrator_and_gets_no_account(gwent_idp):
    client = Client()
    _start, _back, response = _sso(client, "stranger")
    assert response.status_code == 403
    assert "Ask your OPCC administrator to invite you" in response.content.decode()
    assert not User.objects.filter(email="stranger@example.org").exists()
    assert _signed_in_user(client) is None
    assert _refusal("unknown").exists()


def test_user_of_another_force_cannot_sign_in_through_gwents_provider(gwent_idp, dyfed_staff):
    client = Client()
    _start, _back, response = _sso(client, "dyfed.staff")
    assert response.status_code == 403 and _signed_in_user(client) is None
    assert _refusal("unknown").exists()


def test_unverified_email_is_refused(gwent_idp, gwent_staff):
    client = Client()
    _start, _back, response = _sso(client, "unverified")
    assert response.status_code == 403
    assert "not verified" in response.content.decode()
    assert _signed_in_user(client) is None
    assert _refusal("unverified").filter(force=gwent_idp.force).exists()


def test_domain_the_force_did_not_allow_is_refused(gwent_idp, gwent_staff):
    client = Client()
    _start, _back, response = _sso(client, "outsider")
    assert response.status_code == 403
    assert "not one that Gwent Police allows" in response.content.decode()
    assert _signed_in_user(client) is None
    assert _refusal("domain").filter(force=gwent_idp.force).exists()


def test_replayed_state_is_refused(gwent_idp, gwent_staff):
    """The provider's genuine answer, sent a second time (e.g. from history, or by an attacker)."""
    client = Client()
    _start, back, response = _sso(client, "gwent.staff")
    assert response.status_code == 302
    client.post(reverse("accounts:logout"))
    again = client.get(back.removeprefix("http://testserver"))
    assert again.status_code == 400
    assert "already been used" in again.content.decode()
    assert _signed_in_user(client) is None
    assert _refusal("state").exists()


def test_answer_for_another_browser_is_refused(gwent_idp, gwent_staff):
    """A state started in one browser and brought back in another finds nothing (login CSRF)."""
    _start, back, _response = _sso(Client(), "stranger")
    victim = Client()
    response = victim.get(back.removeprefix("http://testserver"))
    assert response.status_code == 400 and _signed_in_user(victim) is None


def test_deactivated_user_cannot_sign_in(gwent_idp, gwent_staff):
    gwent_staff.is_active = False
    gwent_staff.save()
    client = Client()
    _start, _back, response = _sso(client, "gwent.staff")
    assert response.status_code == 403 and _signed_in_user(client) is None
    assert _refusal("deactivated").exists()


def _backend(provider):
    backend = ForceOIDCBackend().configure(provider)
    backend.request = None
    return backend


def test_token_for_another_audience_is_refused(gwent_idp):
    """A genuine token the real provider issued to another service, presented to this one."""
    token, nonce = real_id_token(gwent_idp.issuer, CALLBACK, client=OTHER_CLIENT_ID)
    with pytest.raises(SignInRefused) as refused:
        _backend(gwent_idp).verify_token(token, nonce=nonce)
    assert refused.value.reason == "audience"


def test_token_with_a_bad_signature_is_refused(gwent_idp):
    """A genuine token from the real provider with its claims changed: the signature no longer fits."""
    import base64
    import json

    token, nonce = real_id_token(gwent_idp.issuer, CALLBACK)
    assert _backend(gwent_idp).verify_token(token, nonce=nonce)["sub"] == "gwent.staff"
    header, payload, signature = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims["sub"] = "gwent.chief"
    forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    with pytest.raises(SignInRefused) as refused:
        _backend(gwent_idp).verify_token(f"{header}.{forged}.{signature}", nonce=nonce)
    assert refused.value.reason == "signature"


def test_expired_token_is_refused(gwent_idp):
    """A genuine token from the real provider, checked after it expired (the clock moved 2 hours on)."""
    token, nonce = real_id_token(gwent_idp.issuer, CALLBACK)
    with time_machine.travel(timezone.now() + timedelta(hours=2)), pytest.raises(SignInRefused) as refused:
        _backend(gwent_idp).verify_token(token, nonce=nonce)
    assert refused.value.reason == "expired"


def test_token_for_another_sign_in_is_refused_by_its_nonce(gwent_idp):
    token, _nonce = real_id_token(gwent_idp.issuer, CALLBACK)
    with pytest.raises(SignInRefused) as refused:
        _backend(gwent_idp).verify_token(token, nonce="another-sign-in")
    assert refused.value.reason == "nonce"


def test_two_factor_is_left_to_the_provider_when_its_amr_says_so(gwent_idp, gwent_chief, settings):
    settings.OTP_REQUIRED = True
    home = reverse("recommendations:home", kwargs={"force_slug": "gwent"})
    with_mfa = Client()
    _sso(with_mfa, "gwent.chief", mfa=True)
    assert with_mfa.session.get(IDP_TWO_FACTOR_SESSION_KEY) is True
    assert with_mfa.get(home).status_code == 200
    without = Client()
    _sso(without, "gwent.chief")
    assert not without.session.get(IDP_TWO_FACTOR_SESSION_KEY)
    assert "two-factor" in without.get(home)["Location"]


def test_force_with_password_sign_in_off_still_signs_in_through_its_provider(gwent_idp, gwent_staff):
    gwent_idp.password_sign_in = False
    gwent_idp.save()
    password = Client().post(
        reverse("accounts:login"), {"username": "gwent.staff", "password": "test-pass-2022"}
    )
    assert password.status_code == 200 and "signs in with its own accounts" in password.content.decode()
    client = Client()
    _sso(client, "gwent.staff")
    assert _signed_in_user(client) == gwent_staff


def test_sign_in_page_links_to_single_sign_on_for_forces_that_have_it(gwent_idp):
    login = Client().get(reverse("accounts:login")).content.decode()
    assert reverse("oidc:choose") in login
    choose = Client().get(reverse("oidc:choose")).content.decode()
    assert "Sign in with Gwent Police account (Gwent Police)" in choose


def test_invitation_cannot_be_taken_by_another_address(gwent_idp, world, gwent_opcc_admin):
    """An invitation to one address is not accepted by a different person signing in."""
    invitation = Invitation.objects.create(
        force=world.gwent, email="new.starter@example.org", role="chief_officer",
        invited_by=gwent_opcc_admin, expires_at=timezone.now() + timedelta(days=7),
    )  # fmt: skip
    client = Client()
    _start, _back, response = _sso(client, "stranger")
    assert response.status_code == 403 and _signed_in_user(client) is None
    invitation.refresh_from_db()
    assert invitation.is_pending and invitation.accepted_by is None


def test_administrator_keeps_identity_providers_in_the_admin(gwent_idp, admin_user, client_for):
    admin = client_for(admin_user)
    page = admin.get(reverse("admin:accounts_identityprovider_change", args=[gwent_idp.pk]))
    assert page.status_code == 200 and "OIDC_TEST_GWENT_CLIENT_SECRET" in page.content.decode()
    assert CLIENT_SECRET not in page.content.decode()


@pytest.mark.parametrize("reach", ["superuser", "national team", "another force"])
def test_an_account_reaching_beyond_the_force_cannot_sign_in_through_its_provider(
    gwent_idp, gwent_staff, world, reach
):
    """Gwent's provider speaks for Gwent only: it must not open every force an administrator, the
    national team or a member of two forces can reach (nor stand in for their two-factor)."""
    from forces.services import set_membership

    if reach == "superuser":
        User.objects.filter(pk=gwent_staff.pk).update(is_superuser=True)
    elif reach == "national team":
        User.objects.filter(pk=gwent_staff.pk).update(is_national_team=True)
    else:
        set_membership(gwent_staff, world.dyfed, Membership.Role.OPCC_STAFF)
    client = Client()
    _start, _back, response = _sso(client, "gwent.staff")
    assert response.status_code == 403
    assert _signed_in_user(client) is None
    assert _refusal("reaches_further").filter(force=gwent_idp.force).exists()


def test_a_cancelled_invitation_cannot_be_sent_again(world, gwent_opcc_admin, client_for):
    from accounts import people

    invitation = people.invite(
        force=world.gwent,
        email="new.person@example.org",
        role=Membership.Role.OPCC_STAFF,
        acting_user=gwent_opcc_admin,
    )
    people.cancel(invitation, acting_user=gwent_opcc_admin)
    invitation.refresh_from_db()
    with pytest.raises(ValidationError):
        people.resend(invitation, acting_user=gwent_opcc_admin)
    invitation.refresh_from_db()
    assert invitation.revoked_at is not None
