from django import template
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from frontend.rowcache import render_rows
from recommendations.models import RAG_SHORT

register = template.Library()

STATUS_TAG_COLOURS = {
    "not_started": "govuk-tag--grey",
    "in_progress": "govuk-tag--blue",
    "awaiting_sign_off": "govuk-tag--yellow",
    "complete": "govuk-tag--green",
    "no_further_action": "govuk-tag--purple",
}
RAG_TAG_COLOURS = {"red": "govuk-tag--red", "amber": "govuk-tag--orange", "green": "govuk-tag--green"}

# A tag shows a short label that fits on one line at 320 px in English and Welsh (WCAG 1.4.10);
# screen readers hear the full wording instead. Statuses not listed are short already.
STATUS_SHORT = {"awaiting_sign_off": gettext_lazy("Awaiting sign-off")}
# What each rating means, shown beside the short tag where there is room (the record page).
RAG_MEANING = {
    "red": gettext_lazy("significantly delayed"),
    "amber": gettext_lazy("at risk"),
    "green": gettext_lazy("on track or complete"),
}


def _tag(colour: str, full, short=None) -> str:
    if short is None or str(short) == str(full):
        return format_html('<strong class="govuk-tag app-tag {}">{}</strong>', colour, full)
    return format_html(
        '<strong class="govuk-tag app-tag {}"><span aria-hidden="true">{}</span>'
        '<span class="govuk-visually-hidden">{}</span></strong>',
        colour,
        short,
        full,
    )


@register.simple_tag
def status_tag(item) -> str:
    """A record's status as a one-line tag: "Awaiting sign-off" shown, its full label read out."""
    return _tag(status_tag_class(item.status), item.get_status_display(), STATUS_SHORT.get(item.status))


@register.simple_tag
def rag_tag(item, meaning: bool = False) -> str:
    """A RAG rating as a one-line tag ("Green"), the full label read out; `meaning=True` shows
    what the rating means beside it, for pages with room ("Green on track or complete")."""
    if not item.rag:
        return ""
    short = RAG_SHORT.get(item.rag)
    if meaning and item.rag in RAG_MEANING:
        return format_html(
            '<strong class="govuk-tag app-tag {}">{}</strong> {}',
            rag_tag_class(item.rag),
            short,
            RAG_MEANING[item.rag],
        )
    return _tag(rag_tag_class(item.rag), item.get_rag_display(), short)


@register.simple_tag
def hmicfrs_closed_tag() -> str:
    return _tag("govuk-tag--green", _("Closure authorised by HMICFRS"), _("Closed by HMICFRS"))


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


@register.filter
def repeats_its_heading(update) -> bool:
    """A timeline entry whose text only says its heading again ("Signed off as complete." under
    "Signed off as complete"): the page shows the heading alone."""
    from audit.history import kind_of, repeats_heading

    return repeats_heading(update.text, update.get_kind_display(), kind_of(update))


@register.simple_tag
def cached_rows(template_name, items, name="item", **context) -> str:
    """Table rows of `items` drawn by `template_name`, each read from the cache while nothing it
    shows has changed (frontend.rowcache). `context` goes to every row (and into its key)."""
    return render_rows(template_name, items, name=name, context=context)
