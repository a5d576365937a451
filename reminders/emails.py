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

from frontend.i18n import localised

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


def _localised(obj, field, words=None) -> str:
    """A Welsh field in the active language, or its English marked as such where no Welsh is given."""
    value = localised(obj, field)
    text = truncatewords(value.text, words) if words else value.text
    return f"{text} {_('(in English only)')}" if value.is_fallback else text


def digest_context(digest, lines, today) -> dict:
    lines = sorted(lines, key=lambda line: line.item.sort_key)
    groups = []
    for inspection, group in groupby(lines, key=lambda line: line.item.inspection):
        entries = []
        for line in group:
            item = line.item
            entries.append(
                {
                    "force": item.force.local_name,
                    "label": item.label,
                    "excerpt": _localised(item.record.recommendation, "text", 25) if item.record else "",
                    "when": describe(item),
                    "url": settings.SITE_URL + item.path,
                }
            )
        groups.append((_localised(inspection, "title"), entries))
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


def _in_language(digest, lines, today, language) -> tuple[str, str, str]:
    """(subject, plain text, HTML body) of the digest in one language."""
    with translation.override(language):
        context = digest_context(digest, lines, today)
        subject = " ".join(render_to_string("reminders/email/digest_subject.txt", context).split())
        text = render_to_string("reminders/email/digest.txt", context)
        body = render_to_string("reminders/email/digest_body.html", context)
    return subject, text, body


def send_reminder_digest(digest, lines, today) -> None:
    """Send one digest in the recipient's language, or in Welsh and then English for someone with
    no account who hears about a Welsh force. Raises if the mail server refuses it."""
    languages = ("cy", "en") if digest.bilingual else (digest.language or "en",)
    versions = [_in_language(digest, lines, today, language) for language in languages]
    subject = " / ".join(version[0] for version in versions)
    text = "\n\n---\n\n".join(version[1].strip() for version in versions) + "\n"
    with translation.override(languages[0]):
        html = render_to_string(
            "reminders/email/digest.html",
            {
                "language": languages[0],
                "sections": [
                    (language, version[2]) for language, version in zip(languages, versions, strict=True)
                ],
            },
        )
    message = EmailMultiAlternatives(subject, text, to=[digest.email])
    message.attach_alternative(html, "text/html")
    message.send(fail_silently=False)
