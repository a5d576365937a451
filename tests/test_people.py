"""A force's OPCC administrator manages its people: invitations, roles, deactivation, the audit trail.

Every refusal changes nothing and leaves an audit entry. Invitations are accepted through the real
e-mailed link (the locmem outbox), so the link's secret never comes from anywhere else.
"""

import re
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from rest_framework.authtoken.models import Token

from accounts.models import IdentityProvider, Invitation, User
from audit.models import AuditEvent
from forces.models import Membership

pytestmark = [pytest.mark.django_db, pytest.mark.shared_world]

PASSWORD = "a-long-new-pass-2026"


def _people_url(force, name="list", **kwargs):
    return reverse(f"people:{name}", kwargs={"force_slug": force.slug, **kwargs})


@pytest.fixture(autouse=True)
def _send_on_commit(django_capture_on_commit_callbacks, monkeypatch):
    """The outbox sends after commit; inside a test's transaction, each request's sends run when it ends."""
    original = Client.request

    def request(self, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return original(self, **kwargs)

    monkeypatch.setattr(Client, "request", request)


def _invite(client, force, email, role="opcc_staff"):
    return client.post(_people_url(force, "invite"), {"email": email, "role": role})


def _link(email: str) -> str:
    message = [m for m in mail.outbox if email in m.to][-1]
    return re.search(r"http\S+/invitations/\S+/", message.body).group(0)


def _path(link: str) -> str:
    return link.split("://", 1)[1].split("/", 1)[1].join(["/", ""])


def _accept(link: str, client=None, **extra):
    client = client or Client()
    data = {"first_name": "Nia", "last_name": "Jones", "password1": PASSWORD, "password2": PASSWORD, **extra}
    return client, client.post(_path(link), data)


def _refusals(force):
    return AuditEvent.objects.filter(force=force, data__area="people", data__refused=True)


def test_opcc_administrator_lists_the_force_users_with_role_last_sign_in_and_two_factor(
    world, gwent_opcc_admin, gwent_staff, gwent_chief, dyfed_staff, client_for
):
    page = client_for(gwent_opcc_admin).get(_people_url(world.gwent)).content.decode()
    assert "gwent.staff@example.org" in page and "gwent.chief@example.org" in page
    assert "Chief officer" in page and "OPCC staff" in page
    assert "Not set up" in page  # two-factor state
    assert "never" in page  # last sign-in
    assert "dyfed-powys" not in page


def test_gwent_administrator_invites_a_staff_member_who_accepts_signs_in_and_is_deactivated(
    world, gwent_opcc_admin, client_for
):
    """The journey of the issue: invite, accept, sign in; deactivate, and the session and token stop."""
    admin = client_for(gwent_opcc_admin)
    response = _invite(admin, world.gwent, "New.Starter@Gwent.example.org")
    assert response.status_code == 302
    invitation = Invitation.objects.get()
    assert (invitation.email, invitation.role, invitation.force) == (
        "new.starter@gwent.example.org",
        "opcc_staff",
        world.gwent,
    )
    assert invitation.expires_at - timezone.now() > timedelta(days=6, hours=23)
    message = mail.outbox[-1]
    assert "Gwent" in message.subject and "OPCC staff" in message.body
    assert invitation.token_sha256 and invitation.token_sha256 not in message.body

    link = _link("new.starter@gwent.example.org")
    newcomer, response = _accept(link)
    assert response.status_code == 302 and "two-factor/set-up" in response["Location"]
    user = User.objects.get(email="new.starter@gwent.example.org")
    assert user.username == "new.starter@gwent.example.org"
    assert Membership.objects.get(user=user).role == "opcc_staff"
    assert newcomer.get(world.gwent.get_absolute_url()).status_code in (200, 302)
    assert newcomer.get(reverse("recommendations:home", kwargs={"force_slug": "gwent"})).status_code == 200

    token = Token.objects.create(user=user)
    api = Client(HTTP_AUTHORIZATION=f"Token {token.key}")
    assert api.get("/api/forces/gwent/records/").status_code == 200

    admin.post(_people_url(world.gwent, "deactivate", pk=user.pk))
    user.refresh_from_db()
    assert not user.is_active
    home = reverse("recommendations:home", kwargs={"force_slug": "gwent"})
    after = newcomer.get(home)
    assert after.status_code == 403 and "has been deactivated" in after.content.decode()
    assert "/accounts/login/" in newcomer.get(home)["Location"]  # the old session is gone
    refused_api = api.get("/api/forces/gwent/records/")
    assert refused_api.status_code == 401 and "deactivated" in refused_api.json()["detail"]
    refusals = AuditEvent.objects.filter(user=user, data__refused=True)
    assert {e.summary for e in refusals} == {
        "Refused: a deactivated user's session",
        "Refused: a deactivated user's API token",
    }
    summaries = list(
        AuditEvent.objects.filter(force=world.gwent, data__area="people").values_list("summary", flat=True)
    )
    assert any(s.startswith("Invited new.starter") for s in summaries)
    assert any("accepted the invitation" in s for s in summaries)
    assert any(s.startswith("Deactivated") for s in summaries)
    audit_page = admin.get(_people_url(world.gwent, "audit")).content.decode()
    assert "Deactivated new.starter@gwent.example.org" in audit_page


def test_deactivation_ends_every_session_at_once(world, gwent_opcc_admin, gwent_staff, client_for):
    first, second = client_for(gwent_staff), client_for(gwent_staff)
    home = reverse("recommendations:home", kwargs={"force_slug": "gwent"})
    assert first.get(home).status_code == 200 and second.get(home).status_code == 200
    client_for(gwent_opcc_admin).post(_people_url(world.gwent, "deactivate", pk=gwent_staff.pk))
    for client in (first, second):
        assert client.get(home).status_code == 403
        assert "/accounts/login/" in client.get(home)["Location"]


def test_invitation_link_cannot_be_used_twice(world, gwent_opcc_admin, client_for):
    _invite(client_for(gwent_opcc_admin), world.gwent, "once@example.org")
    link = _link("once@example.org")
    _accept(link)
    _client, replay = _accept(link, first_name="Mallory")
    assert replay.status_code == 410
    assert "expired or has already been used" in replay.content.decode()
    assert User.objects.filter(email="once@example.org").count() == 1
    assert User.objects.get(email="once@example.org").first_name == "Nia"
    assert _refusals(world.gwent).filter(summary__contains="invitation link").exists()


def test_expired_invitation_link_is_refused(world, gwent_opcc_admin, client_for):
    _invite(client_for(gwent_opcc_admin), world.gwent, "late@example.org")
    link = _link("late@example.org")
    with time_machine.travel(timezone.now() + timedelta(days=8)):
        _client, response = _accept(link)
    assert response.status_code == 410
    assert not User.objects.filter(email="late@example.org").exists()
    assert _refusals(world.gwent).exists()


def test_sending_again_replaces_the_old_link(world, gwent_opcc_admin, client_for):
    admin = client_for(gwent_opcc_admin)
    _invite(admin, world.gwent, "again@example.org")
    old = _link("again@example.org")
    invitation = Invitation.objects.get()
    admin.post(_people_url(world.gwent, "invitation-resend", pk=invitation.pk))
    new = _link("again@example.org")
    assert new != old
    assert Client().get(_path(old)).status_code == 410
    assert Client().get(_path(new)).status_code == 200


def test_invitation_to_an_address_already_in_another_force_is_refused(
    world, gwent_opcc_admin, dyfed_staff, client_for
):
    response = _invite(client_for(gwent_opcc_admin), world.gwent, dyfed_staff.email)
    page = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in page and "another force" in page
    assert not Invitation.objects.exists() and not mail.outbox
    assert _refusals(world.gwent).filter(data__email=dyfed_staff.email).exists()
    assert Membership.objects.filter(user=dyfed_staff).get().force == world.dyfed


@pytest.mark.parametrize("role", ["opcc_admin", "national_team", "superuser"])
def test_force_administrator_cannot_give_a_role_above_their_own(world, gwent_opcc_admin, client_for, role):
    response = _invite(client_for(gwent_opcc_admin), world.gwent, "climber@example.org", role=role)
    assert response.status_code == 200
    assert "You cannot give that role." in response.content.decode()
    assert not Invitation.objects.exists()
    assert _refusals(world.gwent).filter(data__role=role).exists()


def test_force_administrator_cannot_promote_a_user_to_administrator(
    world, gwent_opcc_admin, gwent_staff, client_for
):
    response = client_for(gwent_opcc_admin).post(
        _people_url(world.gwent, "person", pk=gwent_staff.pk), {"role": "opcc_admin"}
    )
    assert "You cannot give that role." in response.content.decode()
    assert Membership.objects.get(user=gwent_staff).role == "opcc_staff"
    assert _refusals(world.gwent).exists()


def test_force_administrator_changes_a_role_and_the_permissions_follow(
    world, gwent_opcc_admin, gwent_staff, client_for
):
    client_for(gwent_opcc_admin).post(
        _people_url(world.gwent, "person", pk=gwent_staff.pk), {"role": "chief_officer"}
    )
    assert Membership.objects.get(user=gwent_staff).role == "chief_officer"
    assert gwent_staff.has_perm("forces.sign_off", world.gwent)


def test_administrator_cannot_deactivate_themself(world, gwent_opcc_admin, client_for):
    response = client_for(gwent_opcc_admin).post(
        _people_url(world.gwent, "deactivate", pk=gwent_opcc_admin.pk)
    )
    assert "You cannot deactivate your own account." in response.content.decode()
    gwent_opcc_admin.refresh_from_db()
    assert gwent_opcc_admin.is_active


def test_another_force_user_is_not_found(world, gwent_opcc_admin, dyfed_staff, client_for):
    admin = client_for(gwent_opcc_admin)
    assert admin.get(_people_url(world.gwent, "person", pk=dyfed_staff.pk)).status_code == 404
    assert admin.post(_people_url(world.gwent, "deactivate", pk=dyfed_staff.pk)).status_code == 404
    assert admin.get(_people_url(world.dyfed)).status_code == 404
    dyfed_staff.refresh_from_db()
    assert dyfed_staff.is_active


def test_administrators_manage_the_national_team(world, admin_user, client_for):
    admin = client_for(admin_user)
    admin.post(reverse("people:national-invite"), {"email": "analyst@example.org", "role": "national_team"})
    _client, response = _accept(_link("analyst@example.org"))
    assert response.status_code == 302
    user = User.objects.get(email="analyst@example.org")
    assert user.is_national_team and not user.memberships.exists()
    assert "analyst@example.org" in admin.get(reverse("people:national-list")).content.decode()


def test_administrator_can_make_a_force_administrator(world, admin_user, client_for):
    admin = client_for(admin_user)
    assert _invite(admin, world.gwent, "boss@example.org", role="opcc_admin").status_code == 302
    _accept(_link("boss@example.org"))
    assert Membership.objects.get(user__email="boss@example.org").role == "opcc_admin"


def test_password_sign_in_switched_off_for_the_force_is_refused(world, gwent_staff):
    IdentityProvider.objects.create(
        force=world.gwent,
        display_name="Gwent Police account",
        issuer="https://login.example.org/gwent",
        client_id="mappa",
        allowed_domains="example.org",
        password_sign_in=False,
    )
    response = Client().post(
        reverse("accounts:login"), {"username": "gwent.staff", "password": "test-pass-2022"}
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "signs in with its own accounts" in page
    assert "_auth_user_id" not in Client().session
    assert AuditEvent.objects.filter(force=world.gwent, data__refused=True, user=gwent_staff).exists()


def test_invitation_page_of_a_password_free_force_offers_single_sign_on_only(
    world, gwent_opcc_admin, client_for
):
    IdentityProvider.objects.create(
        force=world.gwent,
        display_name="Gwent Police account",
        issuer="https://login.example.org/gwent",
        client_id="mappa",
        allowed_domains="example.org",
        password_sign_in=False,
    )
    _invite(client_for(gwent_opcc_admin), world.gwent, "sso.only@example.org")
    link = _link("sso.only@example.org")
    page = Client().get(_path(link)).content.decode()
    assert "Sign in with Gwent Police account" in page and "Create a password" not in page
    _client, response = _accept(link)
    assert "single sign-on" in response.content.decode()
    assert not User.objects.filter(email="sso.only@example.org").exists()


def test_people_list_runs_a_bounded_number_of_queries(
    world, gwent_opcc_admin, client_for, django_assert_max_num_queries
):
    from tests.conftest import make_user

    admin = client_for(gwent_opcc_admin)
    admin.get(_people_url(world.gwent))
    with django_assert_max_num_queries(30) as few:
        assert admin.get(_people_url(world.gwent)).status_code == 200
    for n in range(15):
        make_user(f"gwent.extra{n}", force=world.gwent, role="opcc_staff")
        Invitation.objects.create(
            force=world.gwent, email=f"waiting{n}@example.org", role="opcc_staff",
            expires_at=timezone.now() + timedelta(days=7),
        )  # fmt: skip
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert admin.get(_people_url(world.gwent)).status_code == 200
