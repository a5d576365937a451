"""Single sign-on in a real browser: Debian's Chromium, this service on the live server, and the
real OpenID provider (npm's oidc-provider) on loopback. Nothing is mocked: the browser follows the
authorisation-code flow with PKCE through the provider's own sign-in page and back.
"""

import re

import pytest
from django.core import mail
from django.urls import reverse

from accounts.models import User
from tests.oidc.server import make_identity_provider, start_provider

from .conftest import assert_no_axe_violations, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def issuer(live_server):
    running = start_provider([f"{live_server.url}/accounts/sso/callback/"])
    yield running.issuer
    running.stop()


@pytest.fixture
def gwent_idp(world, issuer):
    from django.core.cache import cache

    from accounts.oidc import discovery_key

    # Only the provider's discovery document: clearing the whole cache would empty the Redis
    # database that the Celery queues share in CI, losing another test process's queued task.
    cache.delete(discovery_key(issuer))
    return make_identity_provider(world.gwent, issuer)


def _sign_in_at_provider(page, login: str) -> None:
    page.get_by_label("Username").fill(login)
    page.get_by_label("Password").fill("anything")
    page.get_by_role("button", name="Sign in").click()


def test_staff_member_signs_in_through_the_force_provider_and_lands_on_gwent(
    gwent_idp, gwent_staff, page, live_server
):
    page.goto("/accounts/login/")
    page.get_by_role("link", name="Sign in with your force's account").click()
    assert_no_axe_violations(page, context="choose a force's provider")
    page.get_by_role("link", name="Sign in with Gwent Police account (Gwent Police)").click()
    page.wait_for_url(re.compile(r"^http://127\.0\.0\.1:\d+/interaction/"))
    _sign_in_at_provider(page, "gwent.staff")
    page.wait_for_url(f"{live_server.url}/forces/gwent/**")
    assert "Gwent" in page.locator("h1, .govuk-caption-l, .govuk-caption-xl").first.inner_text()
    assert page.get_by_role("button", name=re.compile("Sign out \\(gwent.staff\\)")).count() == 1


def test_gwent_administrator_invites_newcomer_who_signs_in_with_sso_and_is_then_deactivated(
    gwent_idp, gwent_opcc_admin, new_page, live_server
):
    """The whole journey: invite by e-mail, accept through single sign-on, deactivate, signed out."""
    admin = new_page()
    sign_in(admin, "gwent.opcc-admin")
    admin.goto(reverse("people:list", kwargs={"force_slug": "gwent"}))
    admin.get_by_role("link", name="Invite a person").click()
    admin.get_by_label("E-mail address").fill("new.starter@example.org")
    admin.get_by_label("OPCC staff").check()
    admin.get_by_role("button", name="Send the invitation").click()
    admin.wait_for_load_state()
    assert "Invitation sent to new.starter@example.org" in admin.content()

    link = re.search(r"http\S+/invitations/\S+/", mail.outbox[-1].body).group(0)
    newcomer = new_page()
    newcomer.goto(link.split("/invitations/", 1)[1].join(["/invitations/", ""]))
    assert_no_axe_violations(newcomer, context="accept an invitation (single sign-on offered)")
    newcomer.get_by_role("link", name="Sign in with Gwent Police account").click()
    _sign_in_at_provider(newcomer, "new.starter")
    newcomer.wait_for_url(f"{live_server.url}/forces/gwent/**")
    user = User.objects.get(email="new.starter@example.org")
    assert user.memberships.get().role == "opcc_staff"

    admin.goto(reverse("people:deactivate", kwargs={"force_slug": "gwent", "pk": user.pk}))
    admin.get_by_role("button", name="Deactivate").click()
    admin.wait_for_load_state()
    assert "is deactivated and signed out everywhere" in admin.content()

    newcomer.reload()
    newcomer.wait_for_load_state()
    assert newcomer.get_by_role("heading", name="Your account has been deactivated").count() == 1
    assert_no_axe_violations(newcomer, context="a deactivated user's old session")
    newcomer.reload()
    newcomer.wait_for_load_state()
    assert "/accounts/login/" in newcomer.url
