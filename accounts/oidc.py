"""Single sign-on with each force's own OpenID Connect provider, on top of mozilla-django-oidc.

The library does the protocol's moving parts: state, nonce and PKCE in the session, the token
request, the JWKS look-up and the userinfo call. This module adds what one global provider cannot:
a provider per force (accounts.IdentityProvider, endpoints found by discovery), and stricter
checks than the library's defaults: the ID token's audience, issuer, expiry and signature
algorithm are all checked, the e-mail must be verified and in one of the force's domains, and the
person must already be a user of that force or hold a pending invitation to it. Roles are never
taken from claims. Every refusal is shown plainly and written to the audit trail.
"""

import logging
from urllib.parse import parse_qs, urlparse

import jwt
import requests
from django.conf import settings
from django.contrib.auth import get_user_model, login
from django.contrib.auth.decorators import login_not_required
from django.core.cache import cache
from django.core.exceptions import SuspiciousOperation
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views import View
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.utils import absolutify
from mozilla_django_oidc.views import OIDCAuthenticationRequestView

from audit.models import AuditEvent
from audit.services import record_event
from forces.models import Membership

from . import people
from .models import IdentityProvider, Invitation

log = logging.getLogger(__name__)

BACKEND = "accounts.oidc.ForceOIDCBackend"
# Set in the session when the force's provider said it did two-factor (amr/acr); the two-factor
# middleware then does not ask for this service's own code.
IDP_TWO_FACTOR_SESSION_KEY = "two_factor_by_identity_provider"
SIGN_ALGORITHMS = ("RS256", "PS256", "ES256")


class SignInRefused(Exception):
    """Single sign-on said no; `reason` is a short code for the audit trail and the tests."""

    def __init__(self, reason: str, message: str):
        super().__init__(message)
        self.reason = reason
        self.message = message


def discovery_key(issuer: str) -> str:
    return f"oidc-discovery:{issuer}"


def discover(provider: IdentityProvider) -> dict:
    """The provider's endpoints from its discovery document, kept for an hour."""
    key = discovery_key(provider.issuer)
    config = cache.get(key)
    if config is None:
        url = provider.issuer.rstrip("/") + "/.well-known/openid-configuration"
        response = requests.get(url, timeout=settings.OIDC_TIMEOUT, verify=settings.OIDC_VERIFY_SSL)
        response.raise_for_status()
        config = response.json()
        if config.get("issuer") != provider.issuer:
            raise SignInRefused("issuer", _("The identity provider is not set up correctly."))
        cache.set(key, config, 3600)
    return config


def provider_for(slug: str) -> IdentityProvider | None:
    return IdentityProvider.objects.select_related("force").filter(force__slug=slug, enabled=True).first()


def idp_did_two_factor(provider: IdentityProvider, claims: dict) -> bool:
    """True when the ID token's amr or acr names a method the force counts as two-factor."""
    amr = claims.get("amr") or []
    amr = {str(value).lower() for value in (amr if isinstance(amr, list) else [amr])}
    acr = str(claims.get("acr") or "").lower()
    return bool(amr & provider.amr_values) or bool(acr and acr in provider.acr_values)


class ForceOIDCBackend(OIDCAuthenticationBackend):
    """Signs in through the provider named by the callback's state; answers nothing else.

    Unlike the library's backend it reads no global OIDC_* endpoints: `configure` sets them from
    the force's provider for one sign-in.
    """

    def __init__(self, *args, **kwargs):
        self.UserModel = get_user_model()
        self.provider = None

    def configure(self, provider: IdentityProvider) -> "ForceOIDCBackend":
        config = discover(provider)
        self.provider = provider
        self.OIDC_OP_TOKEN_ENDPOINT = config["token_endpoint"]
        self.OIDC_OP_USER_ENDPOINT = config["userinfo_endpoint"]
        self.OIDC_OP_JWKS_ENDPOINT = config["jwks_uri"]
        self.OIDC_RP_CLIENT_ID = provider.client_id
        self.OIDC_RP_CLIENT_SECRET = provider.client_secret
        self.OIDC_RP_SIGN_ALGO = "RS256"
        self.OIDC_RP_IDP_SIGN_KEY = None
        return self

    def get_user(self, user_id):
        """A deactivated user's old session finds no user: they are signed out at once."""
        return self.UserModel.objects.filter(pk=user_id, is_active=True).first()

    def authenticate(self, request, oidc_provider=None, nonce=None, code_verifier=None, **kwargs):
        if oidc_provider is None or request is None:
            return None  # a password sign-in: not for this backend
        self.request = request
        self.configure(oidc_provider)
        code = request.GET.get("code")
        token_info = self.get_token(
            {
                "client_id": self.OIDC_RP_CLIENT_ID,
                "client_secret": self.OIDC_RP_CLIENT_SECRET,
                "grant_type": "authorization_code",
                "code": code,
                "redirect_uri": absolutify(request, reverse("oidc:callback")),
                "code_verifier": code_verifier,
            }
        )
        id_token, access_token = token_info.get("id_token"), token_info.get("access_token")
        if not id_token:
            raise SignInRefused("token", _("The identity provider did not send an ID token."))
        claims = self.verify_token(id_token, nonce=nonce)
        userinfo = self.get_userinfo(access_token, id_token, claims) if access_token else {}
        if userinfo and userinfo.get("sub") != claims.get("sub"):
            raise SignInRefused("subject", _("The identity provider's answers did not agree."))
        self.claims = {**userinfo, **claims}
        return self.match(self.claims)

    # The checks the library leaves out (it decodes with verify_aud off and lets expiry errors through).

    def retrieve_matching_jwk(self, token):
        try:
            return super().retrieve_matching_jwk(token)
        except SuspiciousOperation:
            raise SignInRefused(
                "signature", _("The sign-in could not be checked: its signature is wrong.")
            ) from None

    def get_payload_data(self, token, key):
        try:
            algorithm = jwt.get_unverified_header(token).get("alg")
        except jwt.InvalidTokenError:
            raise SignInRefused(
                "token", _("The identity provider sent a token that could not be read.")
            ) from None
        if algorithm not in SIGN_ALGORITHMS:
            raise SignInRefused("signature", _("The sign-in could not be checked: its signature is wrong."))
        try:
            return jwt.decode(
                token,
                key,
                algorithms=[algorithm],
                audience=self.OIDC_RP_CLIENT_ID,
                issuer=self.provider.issuer,
                leeway=60,
                options={"require": ["exp", "iat", "iss", "aud", "sub"]},
            )
        except jwt.ExpiredSignatureError:
            raise SignInRefused("expired", _("The sign-in has expired. Sign in again.")) from None
        except jwt.InvalidAudienceError:
            raise SignInRefused("audience", _("The sign-in was meant for another service.")) from None
        except jwt.InvalidIssuerError:
            raise SignInRefused("issuer", _("The sign-in came from another identity provider.")) from None
        except (jwt.InvalidSignatureError, jwt.DecodeError):
            raise SignInRefused(
                "signature", _("The sign-in could not be checked: its signature is wrong.")
            ) from None
        except jwt.InvalidTokenError:
            raise SignInRefused(
                "token", _("The identity provider sent a token that could not be read.")
            ) from None

    def verify_token(self, token, **kwargs):
        try:
            return super().verify_token(token, **kwargs)
        except SuspiciousOperation:  # the nonce does not match this browser's sign-in
            raise SignInRefused("nonce", _("The sign-in did not start here. Sign in again.")) from None

    def match(self, claims: dict):
        """The force's user (or pending invitation) with this verified e-mail; roles stay ours."""
        provider = self.provider
        email = str(claims.get("email") or "").strip().lower()
        if not email:
            raise SignInRefused("email", _("The identity provider did not give your e-mail address."))
        # Microsoft Entra ID says "the tenant owns this address's domain" with xms_edov instead.
        if claims.get("email_verified") is not True and claims.get("xms_edov") is not True:
            raise SignInRefused(
                "unverified", _("Your e-mail address is not verified by your identity provider.")
            )
        domain = email.rpartition("@")[2]
        if domain not in provider.domains:
            raise SignInRefused(
                "domain",
                _("Your e-mail address is not one that %(force)s allows for single sign-on.")
                % {"force": provider.force.local_name},
            )
        user = self.UserModel.objects.filter(email__iexact=email).first()
        if user is not None:
            if not user.is_active:
                raise SignInRefused(
                    "deactivated", _("Your account is deactivated. Ask your OPCC administrator.")
                )
            if not Membership.objects.filter(user=user, force=provider.force).exists():
                raise SignInRefused(
                    "unknown",
                    _(
                        "You do not have an account for this force. Ask your OPCC administrator to invite you."
                    ),
                )
            # One force's provider speaks only for that force: an account that reaches further
            # (an administrator, the national team, a member of another force) signs in here.
            if (
                user.is_superuser
                or user.is_national_team
                or user.memberships.exclude(force=provider.force).exists()
            ):
                raise SignInRefused(
                    "reaches_further",
                    _(
                        "This account reaches beyond %(force)s, so it signs in with its password and two-factor."
                    )
                    % {"force": provider.force.local_name},
                )
            return user
        invitation = Invitation.objects.for_team(provider.force).pending().filter(email=email).first()
        if invitation is not None:
            user = people.accept_for_single_sign_on(
                invitation,
                email=email,
                first_name=str(claims.get("given_name") or "")[:150],
                last_name=str(claims.get("family_name") or "")[:150],
                request=self.request,
            )
            if user is not None:
                return user
        raise SignInRefused(
            "unknown",
            _("You do not have an account for this force. Ask your OPCC administrator to invite you."),
        )


def _refused(request, reason: str, message: str, *, provider=None, status=403):
    record_event(
        request,
        AuditEvent.Action.SIGN_IN_FAILED,
        summary=f"Single sign-on refused: {reason}",
        force=provider.force if provider is not None else None,
        area=people.AREA,
        refused=True,
        reason=reason,
    )
    return render(
        request, "accounts/sso_refused.html", {"message": message, "provider": provider}, status=status
    )


@method_decorator(login_not_required, name="dispatch")
class ChooseProviderView(View):
    """Which force's account to sign in with."""

    def get(self, request):
        providers = (
            IdentityProvider.objects.filter(enabled=True).select_related("force").order_by("force__name")
        )
        return render(request, "accounts/sso_choose.html", {"providers": providers})


@method_decorator(login_not_required, name="dispatch")
class StartView(OIDCAuthenticationRequestView):
    """Send the browser to the force's provider with state, nonce and a PKCE challenge."""

    def __init__(self, *args, **kwargs):
        View.__init__(self, *args, **kwargs)

    def get(self, request, provider):
        found = provider_for(provider)
        if found is None:
            return _refused(request, "no_provider", _("This force has no single sign-on."), status=404)
        try:
            config = discover(found)
        except (requests.RequestException, ValueError, SignInRefused):
            log.warning("Could not read the discovery document of %s", found.issuer, exc_info=True)
            return _refused(
                request,
                "unreachable",
                _("The identity provider cannot be reached. Try again later."),
                provider=found,
                status=503,
            )
        self.OIDC_OP_AUTH_ENDPOINT = config["authorization_endpoint"]
        self.OIDC_RP_CLIENT_ID = found.client_id
        response = super().get(request)
        state = parse_qs(urlparse(response["Location"]).query)["state"][0]
        # The callback is shared by every force: the state remembers whose provider this is.
        request.session["oidc_states"][state]["provider"] = found.force.slug
        request.session.modified = True
        return response

    @staticmethod
    def get_settings(attr, *args):
        if attr == "OIDC_AUTHENTICATION_CALLBACK_URL":
            return "oidc:callback"
        return OIDCAuthenticationRequestView.get_settings(attr, *args)


@method_decorator(login_not_required, name="dispatch")
class CallbackView(View):
    """The provider sends the browser back here: check the state once, then the tokens, then sign in."""

    def get(self, request):
        state = request.GET.get("state", "")
        states = request.session.get("oidc_states") or {}
        entry = states.pop(state, None) if state else None
        request.session["oidc_states"] = states  # a state is used once, whatever follows
        request.session.modified = True
        if entry is None:
            return _refused(
                request,
                "state",
                _("This sign-in link has already been used or did not start here. Sign in again."),
                status=400,
            )
        provider = provider_for(entry.get("provider", ""))
        if provider is None:
            return _refused(request, "no_provider", _("This force has no single sign-on."), status=400)
        if request.GET.get("error") or not request.GET.get("code"):
            return _refused(
                request, "provider_error", _("The identity provider did not sign you in."), provider=provider
            )
        backend = ForceOIDCBackend()
        try:
            user = backend.authenticate(
                request,
                oidc_provider=provider,
                nonce=entry.get("nonce"),
                code_verifier=entry.get("code_verifier"),
            )
        except SignInRefused as refusal:
            return _refused(request, refusal.reason, refusal.message, provider=provider)
        except requests.RequestException:
            log.warning("Single sign-on with %s failed", provider.issuer, exc_info=True)
            return _refused(
                request, "unreachable", _("The identity provider did not sign you in."), provider=provider
            )
        next_url = request.session.get("oidc_login_next")
        login(request, user, backend=BACKEND)
        request.session["sso_force"] = provider.force.slug
        if idp_did_two_factor(provider, backend.claims):
            request.session[IDP_TWO_FACTOR_SESSION_KEY] = True
        return redirect(next_url or settings.LOGIN_REDIRECT_URL)
