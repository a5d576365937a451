"""Reminder e-mails: subject, plain text and HTML from the templates/reminders/email/ trio."""

from itertools import groupby

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation


def digest_context(digest, lines, today) -> dict:
    lines = sorted(lines, key=lambda line: line.item.sort_key)
    groups = [
        (inspection, list(group))
        for inspection, group in groupby(lines, key=lambda line: line.item.inspection)
    ]
    overdue = [line for line in lines if line.item.days_left < 0]
    first = min(lines, key=lambda line: line.item.due_on)
    return {
        "digest": digest,
        "name": digest.name,
        "groups": groups,
        "count": len(lines),
        "overdue_count": len(overdue),
        "first": first.item,
        "single": lines[0].item if len(lines) == 1 else None,
        "today": today,
        "site_url": settings.SITE_URL,
        "preferences_url": settings.SITE_URL + reverse("reminders:preferences"),
    }


def send_reminder_digest(digest, lines, today) -> None:
    """Send one digest in the recipient's language. Raises if the mail server refuses it."""
    with translation.override(digest.language or "en"):
        context = digest_context(digest, lines, today)
        subject = " ".join(render_to_string("reminders/email/digest_subject.txt", context).split())
        text = render_to_string("reminders/email/digest.txt", context)
        html = render_to_string("reminders/email/digest.html", context)
    message = EmailMultiAlternatives(subject, text, to=[digest.email])
    message.attach_alternative(html, "text/html")
    message.send(fail_silently=False)
