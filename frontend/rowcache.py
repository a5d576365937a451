"""Rows of long tables drawn once and then read from the cache, keyed on exactly what they show.

A force's lists (the overview, the records list) render a row template for each record; in Django
templates a row costs more than the queries that read it. Each row's HTML is stored under a key
made from **everything the row could show without a query**: every stored field of the row's object,
of the objects read with it (``select_related``), of its prefetched lists (owners, latest
answers), the values the view set on it (days left, days since the last update), the page's force,
the day, the language and the row template's own source. Any change to any of them (an edit, a new
update, a new owner, the next day, a deployed template) is a different key, so a stored row can
never be out of date and no writer has to remember to drop it; a row nobody changed is not drawn
again. The queries still run on every request, as they must to know which rows a page holds.

Rows are read with one ``get_many`` and the missing ones written with one ``set_many``. Without a
shared cache (the embedded default's local memory) each process keeps its own rows, which is still
correct because the key is the content.
"""

from __future__ import annotations

import dataclasses
import datetime
import decimal
import hashlib
import uuid
from collections.abc import Iterable

from django.conf import settings
from django.core.cache import cache
from django.db import models
from django.template import engines
from django.template.loader import get_template
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

ROW_SECONDS = 24 * 60 * 60
SCALARS = (str, int, float, bool, type(None), datetime.date, datetime.datetime, decimal.Decimal, uuid.UUID)
_SCALAR_TYPES = frozenset(SCALARS)
_template_digests: dict[str, str] = {}
_model_fields: dict[type, tuple[str, ...]] = {}
_dataclass_fields: dict[type, tuple[str, ...]] = {}


def _template_digest(name: str) -> str:
    """The row template's source, so that a changed template is never answered from old rows."""
    if name in _template_digests and not settings.DEBUG:
        return _template_digests[name]
    source = get_template(name).template.source
    digest = hashlib.blake2b(source.encode(), digest_size=8).hexdigest()
    _template_digests[name] = digest
    return digest


def _field_names(model) -> tuple[str, ...]:
    names = _model_fields.get(model)
    if names is None:
        names = _model_fields[model] = tuple(sorted(field.attname for field in model._meta.concrete_fields))
    return names


def fingerprint(value, seen: set[int] | None = None):
    """What a template can read from `value` without a query, as nested tuples of plain values.

    Model instances give their model, every concrete field's value, the related objects already
    read with them and their prefetched lists; other attributes the view set on them (plain
    values, instances, lists of instances) are included by name, and anything else on an instance
    is left out (it cannot be read without a query, and the pages' constant query counts are
    asserted). Dataclasses give every field. Any other value cannot be keyed: TypeError, so that
    a row is never filed under a key that does not say what it shows.
    """
    if type(value) in _SCALAR_TYPES or isinstance(value, SCALARS):
        return value
    seen = set() if seen is None else seen
    if isinstance(value, models.Model):
        if id(value) in seen:
            return ("seen", value._meta.label, value.pk)
        seen.add(id(value))
        names = _field_names(type(value))
        state = value.__dict__
        # Read from the instance's own dict: a deferred field is left out rather than read (a query).
        parts = [value._meta.label, *(state.get(attname) for attname in names)]
        for name, related in sorted(state.get("_state").fields_cache.items()):
            parts.append((name, fingerprint(related, seen)))
        for name, items in sorted(state.get("_prefetched_objects_cache", {}).items()):
            parts.append((name, tuple(fingerprint(item, seen) for item in items)))
        for name in sorted(state):
            if name in names or name in ("_state", "_prefetched_objects_cache"):
                continue
            item = state[name]
            if isinstance(item, (*SCALARS, models.Model, list, tuple, dict, Promise)):
                parts.append((name, fingerprint(item, seen)))
        return tuple(parts)
    if isinstance(value, (list, tuple)):
        return tuple(fingerprint(item, seen) for item in value)
    if isinstance(value, dict):
        # Sorted by key alone: a dict's keys are distinct, and the repr of a value (a model's __str__)
        # may read related rows.
        items = sorted(value.items(), key=lambda pair: repr(pair[0]))
        return tuple((key, fingerprint(item, seen)) for key, item in items)
    if isinstance(value, Promise):  # a lazy translation: its text in the active language (in the key)
        return str(value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        names = _dataclass_fields.get(type(value))
        if names is None:
            names = _dataclass_fields[type(value)] = tuple(f.name for f in dataclasses.fields(value))
        return (
            type(value).__qualname__,
            *((name, fingerprint(getattr(value, name), seen)) for name in names),
        )
    raise TypeError(f"A cached row cannot be keyed on a {type(value).__name__}: pass plain values.")


def render_rows(
    template_name: str, items: Iterable, *, name: str = "item", context: dict | None = None
) -> str:
    """The rows of `items`, each drawn by `template_name` with the item as `name` and `context`
    (plain values or model instances, part of every row's key), from the cache where present."""
    items = list(items)
    if not items:
        return ""
    context = dict(context or {})
    shared = (
        _template_digest(template_name),
        get_language(),
        timezone.localdate(),
        fingerprint(tuple(sorted(context.items()))),
    )
    keys = []
    for item in items:
        digest = hashlib.blake2b(repr((shared, fingerprint(item))).encode(), digest_size=20).hexdigest()
        keys.append(f"row:{template_name}:{digest}")
    found = cache.get_many(keys)
    missing = {}
    template = engines["django"].get_template(template_name)
    rows = []
    for key, item in zip(keys, items, strict=True):
        html = found.get(key)
        if html is None:
            html = str(template.render({**context, name: item}))
            missing[key] = html
        rows.append(html)
    if missing:
        cache.set_many(missing, ROW_SECONDS)
    return mark_safe("".join(rows))  # noqa: S308 - each row was rendered by an auto-escaping template
