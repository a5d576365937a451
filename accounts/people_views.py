"""Pages where a team's administrators manage its people, and where an invited person accepts.

A team is the force of the URL (ForceScopeMiddleware has checked the user may read it) or the
national team. To anyone who may not manage the team's people every page here answers 404.
Views parse, call accounts.people and render.
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from . import people
from .forms import AcceptInvitationForm, ConfirmForm, InviteForm, RoleForm
from .models import IdentityProvider, Invitation


class TeamMixin:
    """Resolves the team and refuses (404) anyone who may not manage its people."""

    national = False

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.force = None if self.national else getattr(request, "force", None)
        if not self.national and self.force is None:
            raise Http404
        if not people.can_manage(request.user, self.force):
            raise Http404

    def url(self, name: str, **kwargs) -> str:
        if self.national:
            return reverse(f"people:national-{name}", kwargs=kwargs)
        return reverse(f"people:{name}", kwargs={"force_slug": self.force.slug, **kwargs})

    def team_context(self, **extra) -> dict:
        return {
            "force": self.force,
            "team_name": self.force.local_name if self.force else _("National team"),
            "list_url": self.url("list"),
            "invite_url": self.url("invite"),
            "audit_url": self.url("audit"),
            **extra,
        }

    def roles(self):
        return people.grantable_roles(self.request.user, self.force)


class PeopleListView(TeamMixin, TemplateView):
    template_name = "accounts/people_list.html"

    def get_context_data(self, **kwargs):
        rows = [(person, self.url("person", pk=person.user.pk)) for person in people.people(self.force)]
        invitations = [
            (
                invitation,
                self.url("invitation-resend", pk=invitation.pk),
                self.url("invitation-cancel", pk=invitation.pk),
            )
            for invitation in Invitation.objects.for_team(self.force).filter(
                accepted_at__isnull=True, revoked_at__isnull=True
            )
        ]
        return super().get_context_data(**self.team_context(rows=rows, invitations=invitations), **kwargs)


class InviteView(TeamMixin, View):
    template_name = "accounts/people_invite.html"

    def get(self, request, *args, **kwargs):
        return self.show(InviteForm(roles=self.roles()))

    def post(self, request, *args, **kwargs):
        form = InviteForm(request.POST, roles=self.roles())
        if not form.is_valid():
            # A role outside the offered ones is a refusal too: the audit trail keeps it.
            if "role" in form.errors and request.POST.get("role"):
                people.record_refusal(
                    request,
                    self.force,
                    _("You cannot give that role."),
                    role=request.POST.get("role", "")[:40],
                )
            return self.show(form)
        try:
            invitation = people.invite(
                force=self.force,
                email=form.cleaned_data["email"],
                role=form.cleaned_data["role"],
                acting_user=request.user,
                request=request,
            )
        except people.Refused as refusal:
            _add_errors(form, refusal)
            return self.show(form)
        messages.success(request, _("Invitation sent to %(email)s.") % {"email": invitation.email})
        return redirect(self.url("list"))

    def show(self, form):
        return render(
            self.request,
            self.template_name,
            self.team_context(form=form, invitation_days=settings.INVITATION_DAYS),
        )


class PersonView(TeamMixin, View):
    """One member: their role (with a form to change it) and a link to deactivate them."""

    template_name = "accounts/people_person.html"

    def dispatch(self, request, *args, **kwargs):
        self.target = people.member(self.force, kwargs["pk"])
        if self.target is None:
            raise Http404
        return super().dispatch(request, *args, **kwargs)

    def get(self, request, *args, **kwargs):
        current = people.role_of(self.target, self.force)
        return self.show(RoleForm(roles=self.roles(), initial={"role": current}))

    def post(self, request, *args, **kwargs):
        if self.force is None:  # the national team has one role: nothing to change
            raise Http404
        form = RoleForm(request.POST, roles=self.roles())
        if not form.is_valid():
            if "role" in form.errors and request.POST.get("role"):
                people.record_refusal(
                    request,
                    self.force,
                    _("You cannot give that role."),
                    role=request.POST.get("role", "")[:40],
                )
            return self.show(form)
        try:
            people.change_role(
                self.target,
                force=self.force,
                role=form.cleaned_data["role"],
                acting_user=request.user,
                request=request,
            )
        except people.Refused as refusal:
            _add_errors(form, refusal)
            return self.show(form)
        messages.success(request, _("The role of %(name)s is saved.") % {"name": self.target})
        return redirect(self.url("list"))

    def show(self, form):
        context = self.team_context(
            form=form,
            person=self.target,
            role_label=dict(self.roles()).get(people.role_of(self.target, self.force), ""),
            deactivate_url=self.url("deactivate", pk=self.target.pk),
        )
        return render(self.request, self.template_name, context)


class DeactivateView(PersonView):
    template_name = "accounts/people_deactivate.html"

    def get(self, request, *args, **kwargs):
        return self.show(ConfirmForm())

    def post(self, request, *args, **kwargs):
        form = ConfirmForm(request.POST)
        form.is_valid()
        try:
            people.deactivate(self.target, force=self.force, acting_user=request.user, request=request)
        except people.Refused as refusal:
            _add_errors(form, refusal)
            return self.show(form)
        messages.success(
            request, _("%(name)s is deactivated and signed out everywhere.") % {"name": self.target}
        )
        return redirect(self.url("list"))


class InvitationActionView(TeamMixin, View):
    """POST only: send an invitation again (a new link replaces the old one) or cancel it."""

    action = "resend"

    def post(self, request, *args, **kwargs):
        invitation = Invitation.objects.for_team(self.force).filter(pk=kwargs["pk"]).first()
        if invitation is None:
            raise Http404
        try:
            if self.action == "resend":
                people.resend(invitation, acting_user=request.user, request=request)
                messages.success(
                    request, _("A new link was sent to %(email)s.") % {"email": invitation.email}
                )
            else:
                people.cancel(invitation, acting_user=request.user, request=request)
                messages.success(
                    request, _("The invitation to %(email)s is cancelled.") % {"email": invitation.email}
                )
        except people.Refused as refusal:
            messages.error(request, " ".join(refusal.messages))
        except PermissionDenied:
            raise Http404 from None
        return redirect(self.url("list"))


class PeopleAuditView(TeamMixin, TemplateView):
    template_name = "accounts/people_audit.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(**self.team_context(events=people.audit_trail(self.force)), **kwargs)


def _add_errors(form, refusal: people.Refused) -> None:
    if hasattr(refusal, "error_dict"):
        for field, errors in refusal.error_dict.items():
            for error in errors:
                form.add_error(field if field in form.fields else None, error)
    else:
        for message in refusal.messages:
            form.add_error(None, message)


@method_decorator(login_not_required, name="dispatch")
class AcceptInvitationView(View):
    """The invitation link: set a name and password (or use single sign-on), then two-factor."""

    template_name = "accounts/invitation_accept.html"

    def dispatch(self, request, *args, **kwargs):
        self.token = kwargs["token"]
        self.invitation = people.invitation_for_link(self.token)
        if self.invitation is None:
            people.refuse_link(request, self.token)
            return render(request, "accounts/invitation_invalid.html", status=410)
        return super().dispatch(request, *args, **kwargs)

    def get(self, request, *args, **kwargs):
        return self.show(AcceptInvitationForm(email=self.invitation.email))

    def post(self, request, *args, **kwargs):
        form = AcceptInvitationForm(request.POST, email=self.invitation.email)
        if not form.is_valid():
            return self.show(form)
        if not self.password_allowed():
            message = _("Your force signs in with its own accounts: use the single sign-on button.")
            people.record_refusal(request, self.invitation.force, message, email=self.invitation.email)
            form.add_error(None, message)
            return self.show(form)
        try:
            user = people.accept_with_password(
                self.token,
                first_name=form.cleaned_data["first_name"],
                last_name=form.cleaned_data["last_name"],
                password=form.cleaned_data["password1"],
                request=request,
            )
        except people.Refused:
            return render(request, "accounts/invitation_invalid.html", status=410)
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(request, _("Your account is ready. Now set up two-factor sign-in."))
        return redirect(f"{reverse('accounts:two-factor-setup')}?next={reverse('home')}")

    def provider(self):
        if not self.invitation.force_id:
            return None
        return IdentityProvider.objects.filter(force=self.invitation.force, enabled=True).first()

    def password_allowed(self) -> bool:
        provider = self.provider()
        return provider is None or provider.password_sign_in

    def show(self, form):
        provider = self.provider()
        return render(
            self.request,
            self.template_name,
            {
                "form": form,
                "invitation": self.invitation,
                "provider": provider,
                "password_allowed": self.password_allowed(),
            },
        )
