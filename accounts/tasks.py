"""Background work for accounts: the password reset e-mail goes through the outbox.

So the reset page answers even while the broker is down; the e-mail follows when it is back.
The task takes the user's id and rebuilds the one-time link itself, so no secret waits in the
outbox table.
"""

from celery import shared_task
from django.contrib.auth import get_user_model
from django.contrib.auth.tokens import default_token_generator
from django.core.mail import EmailMultiAlternatives
from django.template import loader
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode


@shared_task(name="accounts.send_password_reset")
def send_password_reset(*, user_id: int, domain: str, protocol: str) -> bool:
    user = get_user_model().objects.filter(pk=user_id, is_active=True).first()
    if user is None or not user.email:
        return False
    context = {
        "email": user.email,
        "domain": domain,
        "site_name": domain,
        "uid": urlsafe_base64_encode(force_bytes(user.pk)),
        "user": user,
        "token": default_token_generator.make_token(user),
        "protocol": protocol,
    }
    subject = "".join(
        loader.render_to_string("registration/password_reset_subject.txt", context).splitlines()
    )
    body = loader.render_to_string("registration/password_reset_email.txt", context)
    EmailMultiAlternatives(subject, body, to=[user.email]).send()
    return True


@shared_task(name="accounts.send_invitation")
def send_invitation(*, invitation_id: int) -> bool:
    """Make the invitation's link secret now (so none waits in the outbox) and e-mail the link."""
    from .emails import send_invitation_email
    from .people import issue_link_secret

    invitation, token = issue_link_secret(invitation_id)
    if invitation is None:
        return False
    send_invitation_email(invitation, token)
    return True
