from django import template
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

register = template.Library()

STATUS_TAG_COLOURS = {
    "not_started": "govuk-tag--grey",
    "in_progress": "govuk-tag--blue",
    "awaiting_sign_off": "govuk-tag--yellow",
    "complete": "govuk-tag--green",
    "no_further_action": "govuk-tag--purple",
}
RAG_TAG_COLOURS = {"red": "govuk-tag--red", "amber": "govuk-tag--orange", "green": "govuk-tag--green"}


@register.filter
def status_tag_class(status: str) -> str:
    return STATUS_TAG_COLOURS.get(status, "govuk-tag--grey")


@register.filter
def rag_tag_class(rag: str) -> str:
    return RAG_TAG_COLOURS.get(rag, "govuk-tag--grey")


@register.filter
def days_phrase(days: int | None) -> str:
    """'12 days left', 'Due today', '3 days overdue'."""
    if days is None:
        return _("No due date")
    if days == 0:
        return _("Due today")
    if days > 0:
        return ngettext("%(n)d day left", "%(n)d days left", days) % {"n": days}
    return ngettext("%(n)d day overdue", "%(n)d days overdue", -days) % {"n": -days}


@register.simple_tag(takes_context=True)
def query_replace(context, **kwargs) -> str:
    """The current query string with some parameters replaced (for sort and filter links)."""
    query = context["request"].GET.copy()
    for key, value in kwargs.items():
        if value in (None, ""):
            query.pop(key, None)
        else:
            query[key] = value
    return query.urlencode()
