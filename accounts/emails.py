"""The e-mails accounts sends: each a subject, text and HTML template trio under templates/accounts/email/."""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template import loader
from django.urls import reverse
from django.utils import translation


def _render(name: str, context: dict, languages: list[str]) -> tuple[str, str, str]:
    subjects, texts, htmls = [], [], []
    for language in languages:
        with translation.override(language):
            subjects.append(
                "".join(loader.render_to_string(f"accounts/email/{name}_subject.txt", context).splitlines())
            )
            texts.append(loader.render_to_string(f"accounts/email/{name}.txt", context))
            htmls.append(loader.render_to_string(f"accounts/email/{name}.html", context))
    return " / ".join(subjects), "\n\n".join(texts), "<hr>".join(htmls)


def send_invitation_email(invitation, token: str) -> None:
    """The link, the force and the role, the expiry; in Welsh too where the force works in Welsh."""
    force = invitation.force
    languages = ["cy", "en"] if force is not None and force.welsh_language_standards else ["en"]
    context = {
        "invitation": invitation,
        "team": invitation.team_name,
        "role": invitation.role_label,
        "link": settings.SITE_URL + reverse("people:accept", kwargs={"token": token}),
        "expires_at": invitation.expires_at,
    }
    subject, text, html = _render("invitation", context, languages)
    message = EmailMultiAlternatives(subject, text, to=[invitation.email])
    message.attach_alternative(html, "text/html")
    message.send()
