"""Template filters of the national pages: sort links of the dashboard and long answers."""

from django import template

register = template.Library()


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
