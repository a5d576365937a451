"""Read the audit trail: history rows as dated entries with their before/after changes."""

from dataclasses import dataclass, field
from datetime import datetime

from django.apps import apps
from django.utils.translation import gettext_lazy as _

ACTIONS = {"+": _("created"), "~": _("changed"), "-": _("deleted")}
# Internal counters and timestamps: they say nothing a reader needs ("Version 4 → 5").
HIDDEN_FIELDS = {"id", "version", "updated_at", "created_at", "latest_update"}


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


def _shown(value, model=None, name=None) -> str:
    """A value as a reader knows it: a choice's label ("Complete"), not its stored value ("complete")."""
    if value is None:
        return ""
    if model is not None and name:
        try:
            model_field = model._meta.get_field(name)
        except Exception:
            model_field = None
        if model_field is not None and model_field.choices:
            return str(dict(model_field.flatchoices).get(value, value))
    return str(value)


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
            changes = [
                Change(_label(model, c.field), _shown(c.old, model, c.field), _shown(c.new, model, c.field))
                for c in delta.changes
                if c.field not in HIDDEN_FIELDS
            ]
        elif row.history_type == "+":
            changes = [
                Change(_label(model, f.name), "", _shown(getattr(row, f.attname), model, f.name))
                for f in model._meta.concrete_fields
                if f.name not in HIDDEN_FIELDS
                and hasattr(row, f.attname)
                and getattr(row, f.attname) not in (None, "")
            ]
        previous[row.id] = row
        user = row.history_user
        yield Entry(
            at=row.history_date,
            who=(str(user) if user else ""),  # the person's name where the account has one
            what=what(row) if what else str(model._meta.verbose_name),
            action=str(ACTIONS.get(row.history_type, row.history_type)),
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
