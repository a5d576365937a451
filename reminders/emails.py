"""Reminder e-mails: subject, plain text and HTML from the templates/reminders/email/ trio.

Each line's wording and link are worked out once here and shared by both bodies: a national digest
can hold hundreds of lines, and per-line template includes made sending the slow part of a sweep.
"""

from itertools import groupby

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.defaultfilters import date as format_date
from django.template.defaultfilters import truncatewords
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .models import ReminderSent

Kind = ReminderSent.Kind


def _days(n: int) -> str:
    return ngettext("%(n)d day", "%(n)d days", n) % {"n": n}


def describe(item) -> str:
    """What is due and when, in the active language: one sentence per line of a digest."""
    due = format_date(item.due_on, "j F Y")
    days = item.days_left
    if item.kind == Kind.STALE:
        text = _("No progress update for a while: please add one.")
    elif days < 0:
        text = _("Was due on %(due)s (%(days)s overdue).") % {"due": due, "days": _days(-days)}
        if item.escalate:
            text += " " + _("Escalated to chief officers.")
    elif days == 0:
        text = _("Due today, %(due)s.") % {"due": due}
    else:
        text = _("Due on %(due)s (%(days)s left).") % {"due": due, "days": _days(days)}
    if item.kind in (Kind.RESPONSE_DUE, Kind.RESPONSE_OVERDUE):
        text += " " + _(
            "The last day for the PCC's published response: the 56th day, counting the day of publication."
        )
    elif item.kind == Kind.CHIEF_COMMENTS_DUE:
        text += " " + _("The chief officer's comments on the response are due.")
    return text


def digest_context(digest, lines, today) -> dict:
    lines = sorted(lines, key=lambda line: line.item.sort_key)
    groups = []
    for inspection, group in groupby(lines, key=lambda line: line.item.inspection):
        entries = []
        for line in group:
            item = line.item
            entries.append(
                {
                    "force": item.force.name,
                    "label": item.label,
                    "excerpt": truncatewords(item.record.recommendation.text, 25) if item.record else "",
                    "when": describe(item),
                    "url": settings.SITE_URL + item.path,
                }
            )
        groups.append((inspection, entries))
    overdue = [line for line in lines if line.item.days_left < 0]
    first = min(lines, key=lambda line: line.item.due_on)
    return {
        "name": digest.name,
        "groups": groups,
        "count": len(lines),
        "overdue_count": len(overdue),
        "first": first.item,
        "single": lines[0].item if len(lines) == 1 else None,
        "today": today,
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
