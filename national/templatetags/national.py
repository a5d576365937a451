"""Template tags and filters of the national pages: the inspection list, sort links of the dashboard
and long answers."""

from django import template
from django.utils.dateformat import format as format_date
from django.utils.html import format_html_join
from django.utils.safestring import mark_safe

from frontend.i18n import localised

register = template.Library()


@register.simple_tag
def inspection_options(inspections, chosen) -> str:
    """The dashboard's inspection <option>s, written in Python: a template loop over every
    inspection (hundreds at national scale) was most of the page's drawing time."""
    chosen_pk = getattr(chosen, "pk", None)
    return format_html_join(
        "",
        '<option value="{}"{}>{} ({})</option>',
        (
            (
                option.pk,
                mark_safe(" selected") if option.pk == chosen_pk else "",  # noqa: S308 - a constant
                localised(option, "title").text,
                format_date(option.published_on, "M Y"),
            )
            for option in inspections
        ),
    )


@register.filter
def sort_link(sort, key: str) -> str:
    """The `sort` value a column heading links to (reverses the order if already sorted by it)."""
    return sort.link(key)


@register.filter
def sort_aria(sort, key: str) -> str:
    """The heading's aria-sort value: ascending, descending or none."""
    return sort.aria(key)


LONG_ANSWER = 240  # characters shown before "Show full answer"


@register.filter
def answer_head(text: str) -> str:
    """The visible start of an answer: whole if short, else up to a word boundary."""
    head, _rest = _split(text or "")
    return head


@register.filter
def answer_rest(text: str) -> str:
    """What follows `answer_head` (empty for a short answer), shown behind a details element."""
    _head, rest = _split(text or "")
    return rest


def _split(text: str) -> tuple[str, str]:
    if len(text) <= LONG_ANSWER * 1.3:  # not worth hiding a short tail
        return text, ""
    cut = text.rfind(" ", 0, LONG_ANSWER)
    cut = cut if cut > LONG_ANSWER // 2 else LONG_ANSWER
    return text[:cut], text[cut:].lstrip()


@register.filter
def answer_text(answer, view: str) -> str:
    return answer.text(view)


@register.filter
def timeliness_words(days) -> str:
    """A response's timeliness in words from its signed days past the last day."""
    from national.pack_documents import timeliness_words as words

    return words(days)


@register.filter
def count_of(counts, key) -> int:
    return counts.get(key, 0)
