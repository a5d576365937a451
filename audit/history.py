"""Read the audit trail: history rows as dated entries with their before/after changes.

Two readers: the CSV export keeps stored values (ids, ISO dates) for machines; a record's history
page (`record_history`) shows what a person knows: labels and names, dates in the page's language,
and one entry per step, a workflow step's record change folded into its timeline entry.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.apps import apps
from django.conf import settings
from django.template.defaultfilters import truncatewords
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

ACTIONS = {"+": gettext_lazy("created"), "~": gettext_lazy("changed"), "-": gettext_lazy("deleted")}
# Internal counters and timestamps: they say nothing a reader needs ("Version 4 → 5").
HIDDEN_FIELDS = {"id", "version", "updated_at", "created_at", "latest_update"}
# A workflow step saves its timeline entry and then the record, in one transaction: the record's
# history row follows the entry within this time, by the same person.
STEP_WINDOW = timedelta(seconds=5)


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
    title: str = ""
    user_id: int | None = None
    history_type: str = ""


def _label(model, name):
    try:
        return str(model._meta.get_field(name).verbose_name)
    except Exception:
        return name


def _model_field(model, name):
    try:
        return model._meta.get_field(name)
    except Exception:
        return None


def _object_label(obj) -> str:
    """A related object as a reader knows it: a force's name, "Recommendation 14: <its words>"."""
    from frontend.i18n import localised

    if hasattr(obj, "label") and hasattr(obj, "text"):
        return f"{obj.label}: {truncatewords(localised(obj, 'text').text, 12)}"
    return str(obj)


class _Labels:
    """Labels of the objects that history rows point at, read once per related model."""

    def __init__(self, rows, model):
        self.found = {}
        wanted: dict[type, set] = {}
        relations = [
            f
            for f in model._meta.concrete_fields
            if f.many_to_one and f.name not in HIDDEN_FIELDS and f.related_model is not None
        ]
        for row in rows:
            for relation in relations:
                value = getattr(row, relation.attname, None)
                if value is not None:
                    wanted.setdefault(relation.related_model, set()).add(value)
        for related, ids in wanted.items():
            objects = related._default_manager.in_bulk(ids)
            self.found[related] = {pk: _object_label(obj) for pk, obj in objects.items()}

    def get(self, related, pk):
        return self.found.get(related, {}).get(pk)


def _shown(value, model=None, name=None, labels: _Labels | None = None) -> str:
    """A value as a reader knows it: a choice's label ("Complete"), not its stored value ("complete");
    with `labels`, also a related object's label and a date in the page's language."""
    if value is None:
        return ""
    model_field = _model_field(model, name) if model is not None and name else None
    if model_field is not None and model_field.choices:
        return str(dict(model_field.flatchoices).get(value, value))
    if labels is None:
        return str(value)
    if model_field is not None and model_field.many_to_one:
        return labels.get(model_field.related_model, value) or str(value)
    if isinstance(value, datetime):
        return date_format(timezone.localtime(value), "j F Y, H:i")
    if isinstance(value, date):
        return date_format(value, "j F Y")
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    return str(value)


def _who(user) -> str:
    """The person's full name, or their username when the account has no name."""
    if user is None:
        return ""
    return user.get_full_name() or user.get_username()


def history_entries(rows, *, what=None, force_of=None, title=None, readable=False):
    """Entries for history rows of one model, each diffed against the previous row of its object.

    `rows` must be ordered by object and then history date; users are read with select_related.
    `readable` shows related objects by their labels and dates in words (one query per related
    model); without it the stored values are kept, as the CSV export wants.
    """
    rows = list(rows)
    if not rows:
        return
    model = rows[0].instance_type
    labels = _Labels(rows, model) if readable else None
    previous = {}
    for row in rows:
        changes = []
        before = previous.get(row.id)
        if before is not None and row.history_type == "~":
            delta = row.diff_against(before)
            changes = [
                Change(
                    _label(model, c.field),
                    _shown(c.old, model, c.field, labels),
                    _shown(c.new, model, c.field, labels),
                )
                for c in delta.changes
                if c.field not in HIDDEN_FIELDS
            ]
        elif row.history_type == "+":
            changes = [
                Change(_label(model, f.name), "", _shown(getattr(row, f.attname), model, f.name, labels))
                for f in model._meta.concrete_fields
                if f.name not in HIDDEN_FIELDS
                and hasattr(row, f.attname)
                and getattr(row, f.attname) not in (None, "")
            ]
        previous[row.id] = row
        user = row.history_user
        entry_what = what(row) if what else str(model._meta.verbose_name)
        action = str(ACTIONS.get(row.history_type, row.history_type))
        yield Entry(
            at=row.history_date,
            who=_who(user),
            what=entry_what,
            action=action,
            object_type=model._meta.label_lower,
            object_id=str(row.id),
            force=force_of(row) if force_of else "",
            reason=row.history_change_reason or "",
            changes=changes,
            title=title(row) if title else f"{entry_what} {action}",
            user_id=row.history_user_id,
            history_type=row.history_type,
        )


def repeats_heading(text: str, heading: str, kind=None) -> bool:
    """True when an entry's text only says its heading again ("Signed off as complete." under
    "Signed off as complete"), in any of the service's languages: a stock text is stored in the
    language of the person who wrote it."""
    said = (text or "").strip().rstrip(".").strip().casefold()
    if not said:
        return True
    headings = {str(heading)}
    if kind is not None:
        for code, _name in settings.LANGUAGES:
            with translation.override(code):
                headings.add(str(kind.label))
    return said in {h.strip().rstrip(".").casefold() for h in headings}


def kind_of(update):
    """The entry's kind as its choice (for its English label), or None for an unknown one."""
    try:
        return type(update).Kind(update.kind)
    except ValueError:
        return None


def _record_title(row) -> str:
    return {"+": _("Record created"), "~": _("Record changed"), "-": _("Record deleted")}.get(
        row.history_type, _("Record changed")
    )


def _owner_title(row) -> str:
    owner = row.name or row.role_title
    titles = {
        "+": _("Owner created: %(owner)s"),
        "~": _("Owner changed: %(owner)s"),
        "-": _("Owner deleted: %(owner)s"),
    }
    return titles.get(row.history_type, titles["~"]) % {"owner": owner}


def record_history(record) -> list[Entry]:
    """Everything that happened to one record, newest first, one entry per step.

    A workflow step (an update, a sign-off, an extension decided) writes a timeline entry and
    changes the record: the record's change is shown inside the step's entry, not as a second one.
    """
    from audit.models import AuditEvent
    from recommendations.models import Owner

    record_entries = list(
        history_entries(
            record.history.select_related("history_user").order_by("history_date", "history_id"),
            what=lambda row: _("Record"),
            title=_record_title,
            readable=True,
        )
    )
    changed = [e for e in record_entries if e.history_type == "~"]
    entries = [e for e in record_entries if e.history_type != "~"]
    claimed = set()
    for update in record.updates.select_related("author").order_by("created_at", "pk"):
        step = next(
            (
                e
                for e in changed
                if id(e) not in claimed
                and e.user_id in (None, update.author_id)  # no user: a task or a script saved it
                and timedelta(0) <= e.at - update.created_at <= STEP_WINDOW
            ),
            None,
        )
        heading = update.get_kind_display()
        if step is not None:
            claimed.add(id(step))
            changes = step.changes
        elif update.status_changed:
            changes = [
                Change(_("status"), update.get_status_before_display(), update.get_status_after_display())
            ]
        else:
            changes = []
        entries.append(
            Entry(
                at=update.created_at,
                who=update.author_name or _who(update.author),
                what=heading,
                action=_("added"),
                object_type="recommendations.progressupdate",
                object_id=str(update.pk),
                text="" if repeats_heading(update.text, heading, kind_of(update)) else update.text,
                changes=changes,
                title=heading,
                reason=step.reason if step is not None else "",
            )
        )
    # A record change that no step explains stays as its own entry when it changed something shown.
    entries += [e for e in changed if id(e) not in claimed and e.changes]
    owner_ids = list(record.owners.values_list("pk", flat=True))
    entries += history_entries(
        Owner.history.filter(id__in=owner_ids, force=record.force)
        .select_related("history_user")
        .order_by("id", "history_date", "history_id"),
        what=lambda row: _("Owner: %(owner)s") % {"owner": row.name or row.role_title},
        title=_owner_title,
        readable=True,
    )
    for event in AuditEvent.objects.filter(
        object_type="recommendations.record", object_id=str(record.pk)
    ).select_related("user"):
        action = event.get_action_display()
        entries.append(
            Entry(
                at=event.at,
                who=_who(event.user) if event.user_id else event.username,
                what=action,
                action=event.summary,
                object_type=event.object_type,
                object_id=event.object_id,
                title=event.summary or action,
                reason=f"req {event.request_id[:12]} {event.ip_address or '-'} {event.method} {event.path}",
            )
        )
    entries.sort(key=lambda e: e.at, reverse=True)
    return entries


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
