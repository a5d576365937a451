"""E-mails sent for responses (subject / text templates under templates/responses/emails/)."""

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string


def send_response_copy(copy, letter, recipient: str) -> None:
    """One recipient's copy: the letter as a PDF, replies to the force."""
    response = copy.response
    context = {
        "response": response,
        "version": copy.version,
        "force": response.force,
        "inspection": response.inspection,
    }
    subject = " ".join(render_to_string("responses/emails/copy_subject.txt", context).split())
    body = render_to_string("responses/emails/copy_body.txt", context)
    message = EmailMessage(
        subject=subject,
        body=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[recipient],
        reply_to=[response.force.email] if response.force.email else None,
    )
    message.attach(letter.filename, (settings.MEDIA_ROOT / letter.file).read_bytes(), "application/pdf")
    message.send()
