"""Read the audit trail: history rows as dated entries with their before/after changes."""

from dataclasses import dataclass, field
from datetime import datetime

from django.apps import apps

ACTIONS = {"+": "created", "~": "changed", "-": "deleted"}


@dataclass
class Change:
    field: str
    before: str
    after: str


@dataclass
class Entry:
    at: datetime
    who: str
    what: str
    action: str
    object_type: str
    object_id: str
    force: str = ""
    reason: str = ""
    changes: list[Change] = field(default_factory=list)
    text: str = ""


def _label(model, name):
    try:
        return str(model._meta.get_field(name).verbose_name)
    except Exception:
        return name


def _shown(value) -> str:
    return "" if value is None else str(value)


def history_entries(rows, *, what=None, force_of=None):
    """Entries for history rows of one model, each diffed against the previous row of its object.

    `rows` must be ordered by object and then history date; users are read with select_related.
    """
    previous = {}
    for row in rows:
        model = row.instance_type
        changes = []
        before = previous.get(row.id)
        if before is not None and row.history_type == "~":
            delta = row.diff_against(before)
            changes = [Change(_label(model, c.field), _shown(c.old), _shown(c.new)) for c in delta.changes]
        elif row.history_type == "+":
            changes = [
                Change(_label(model, f.name), "", _shown(getattr(row, f.attname)))
                for f in model._meta.concrete_fields
                if f.name != "id" and hasattr(row, f.attname) and getattr(row, f.attname) not in (None, "")
            ]
        previous[row.id] = row
        user = row.history_user
        yield Entry(
            at=row.history_date,
            who=(user.get_username() if user else ""),
            what=what(row) if what else str(model._meta.verbose_name),
            action=ACTIONS.get(row.history_type, row.history_type),
            object_type=model._meta.label_lower,
            object_id=str(row.id),
            force=force_of(row) if force_of else "",
            reason=row.history_change_reason or "",
            changes=changes,
        )


def history_models():
    """Every model with history, including guardian permission rows (registered by audit)."""
    found = []
    for model in apps.get_models():
        manager = getattr(model, "_meta", None) and getattr(
            model._meta, "simple_history_manager_attribute", None
        )
        if manager:
            found.append((model, getattr(model, manager).model))
    return found
