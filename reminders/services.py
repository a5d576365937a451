"""The reminder sweep: decide what is due for whom, then send one digest per person, once.

Deciding reads every force's open records and unpublished responses in a fixed number of queries
(no query per record). Sending claims the ledger rows (`ReminderSent`, unique per item, milestone,
due date and address) with INSERT ... ON CONFLICT DO NOTHING RETURNING inside the same transaction
that sends the e-mail: two sweeps at once cannot both claim a row (the second waits for the first
and then finds it taken), and a mail server failure rolls the claim back so a later sweep retries.
"""

import logging
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cached_property, lru_cache

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext
from django_scopes import scope

from forces.models import Force, Membership
from recommendations.models import Inspection, Owner, Record
from responses.models import Response

from .milestones import Milestone, Offsets, latest_milestone, stale_due_on
from .models import ForceReminderSettings, ReminderSent

log = logging.getLogger(__name__)

Kind = ReminderSent.Kind
Role = ReminderSent.Role


@lru_cache(maxsize=65536)
def valid_email(address: str | None) -> str | None:
    """The address, normalised, if it can receive mail; None otherwise."""
    address = (address or "").strip()
    if not address:
        return None
    try:
        validate_email(address)
    except ValidationError:
        return None
    return address.lower()


def owner_address(owner: Owner) -> str | None:
    return valid_email(owner.email) or (valid_email(owner.user.email) if owner.user_id else None)


@dataclass
class Item:
    """Something due: a record's milestone, a stale record, or a response date."""

    force: Force
    inspection: Inspection
    item_key: str
    kind: str
    milestone: str
    due_on: date
    today: date
    record: Record | None = None
    response: Response | None = None
    escalate: bool = False
    owners: list = field(default_factory=list)

    @cached_property
    def key(self) -> tuple[str, str, str]:
        return (self.item_key, self.milestone, self.due_on.isoformat())

    @property
    def days_left(self) -> int:
        return (self.due_on - self.today).days

    @cached_property
    def sort_key(self):
        number = self.record.recommendation.number if self.record is not None else 0
        return (
            self.inspection.title,
            self.inspection.pk,
            self.force.name,
            self.record is None,
            number,
            self.kind,
        )

    @property
    def label(self) -> str:
        if self.record is not None:
            return self.record.recommendation.label
        if self.kind == Kind.CHIEF_COMMENTS_DUE:
            return gettext("The chief officer's input to the response")
        return gettext("The PCC's response")

    @cached_property
    def path(self) -> str:
        if self.record is not None:
            return self.record.get_absolute_url()
        return self.force.get_absolute_url()


@dataclass
class Line:
    item: Item
    role: str


@dataclass
class Digest:
    """Everything due for one address in one sweep."""

    email: str
    name: str = ""
    user: object = None
    language: str = "en"
    # Welsh, then English, in one e-mail: someone with no account (so no chosen language) who
    # hears about a force under the Welsh Language Standards.
    bilingual: bool = False
    lines: list[Line] = field(default_factory=list)


@dataclass
class Plan:
    today: date
    digests: list[Digest]
    # Owners named on an item due now who have no address that can receive mail.
    unreachable_owners: list[tuple[Record, Owner]] = field(default_factory=list)

    @property
    def line_count(self) -> int:
        return sum(len(d.lines) for d in self.digests)


@dataclass
class SweepResult:
    today: date
    planned: int = 0
    sent: int = 0
    emails: int = 0
    failed: list[str] = field(default_factory=list)
    unreachable_owners: int = 0


def _owners_by_record(records) -> dict[int, list[Owner]]:
    """Owners of the records, in two queries (cheaper than prefetch_related at national scale)."""
    through = Record.owners.through.objects.filter(record__in=records.values("pk"))
    owners = {o.pk: o for o in Owner.objects.filter(pk__in=through.values("owner_id")).select_related("user")}
    by_record = defaultdict(list)
    for record_id, owner_id in through.values_list("record_id", "owner_id").order_by("owner_id"):
        by_record[record_id].append(owners[owner_id])
    return by_record


def _record_items(records, offsets_by_force, today) -> list[Item]:
    items = []
    owners_by_record = _owners_by_record(records)
    for record in records:
        offsets = offsets_by_force[record.force_id]
        inspection = record.recommendation.inspection
        common = dict(
            force=record.force,
            inspection=inspection,
            item_key=f"record:{record.pk}",
            today=today,
            record=record,
            owners=owners_by_record.get(record.pk, []),
        )
        m: Milestone | None = latest_milestone(
            record.current_due_on,
            today,
            offsets.days_before_due,
            overdue_every=offsets.overdue_every_days,
            escalate_after=offsets.escalate_after_days,
        )
        if m is not None:
            kind = Kind.RECORD_OVERDUE if m.days_overdue > 0 else Kind.RECORD_DUE
            items.append(
                Item(kind=kind, milestone=m.name, due_on=record.current_due_on, escalate=m.escalate, **common)
            )
        last = record.latest_update.dated if record.latest_update_id else inspection.published_on
        stale_on = stale_due_on(last, today, offsets.stale_after_days)
        if stale_on is not None:
            items.append(Item(kind=Kind.STALE, milestone="stale", due_on=stale_on, **common))
    return items


def _response_items(responses, offsets_by_force, today) -> list[Item]:
    items = []
    for response in responses:
        offsets = offsets_by_force[response.force_id]
        common = dict(force=response.force, inspection=response.inspection, today=today, response=response)
        m = latest_milestone(
            response.inspection.response_due_on,
            today,
            offsets.response_days_before,
            overdue_every=offsets.overdue_every_days,
            escalate_after=offsets.escalate_after_days,
        )
        if m is not None:
            items.append(
                Item(
                    item_key=f"response:{response.pk}:statutory",
                    kind=Kind.RESPONSE_OVERDUE if m.days_overdue > 0 else Kind.RESPONSE_DUE,
                    milestone=m.name,
                    due_on=response.inspection.response_due_on,
                    escalate=m.escalate,
                    **common,
                )
            )
        # The chief officer's comments are in once the response leaves draft.
        if response.status == Response.Status.DRAFT and response.chief_comments_due_on:
            m = latest_milestone(
                response.chief_comments_due_on,
                today,
                offsets.response_days_before,
                overdue_every=offsets.overdue_every_days,
            )
            if m is not None:
                items.append(
                    Item(
                        item_key=f"response:{response.pk}:chief",
                        kind=Kind.CHIEF_COMMENTS_DUE,
                        milestone=m.name,
                        due_on=response.chief_comments_due_on,
                        **common,
                    )
                )
    return items


def _audience(item: Item, staff, chiefs) -> list[tuple[str, object]]:
    """(role, person) pairs who hear about `item`; people are Owners or Users of the item's force."""
    owners = item.owners
    if item.kind == Kind.STALE:
        return [(Role.OWNER, o) for o in owners]
    people = [(Role.OWNER, o) for o in owners] + [(Role.OPCC_STAFF, u) for u in staff]
    if item.escalate or item.kind == Kind.CHIEF_COMMENTS_DUE:
        people += [(Role.CHIEF_OFFICER, u) for u in chiefs]
    return people


def plan_sweep(today: date) -> Plan:
    """Decide what is due for whom today. A fixed number of queries, whatever the data size.

    Call inside a scope covering every force (see `sweep`).
    """
    forces = {f.pk: f for f in Force.objects.all()}
    own_settings = {s.force_id: s for s in ForceReminderSettings.objects.all()}
    offsets_by_force = {pk: Offsets.for_force(own_settings.get(pk)) for pk in forces}
    longest = max([o.days_before_due[0] for o in offsets_by_force.values() if o.days_before_due] or [0])
    shortest_stale = min([o.stale_after_days for o in offsets_by_force.values() if o.stale_after_days] or [0])

    due_soon = Q(current_due_on__lte=today + timedelta(days=longest))
    if shortest_stale:
        cutoff = today - timedelta(days=shortest_stale)
        due_soon |= Q(latest_update__dated__lte=cutoff) | Q(
            latest_update__isnull=True, recommendation__inspection__published_on__lte=cutoff
        )
    records = (
        Record.objects.open()
        .in_open_inspections()
        .filter(due_soon)
        .select_related("force", "recommendation__inspection")
        .only(
            "pk",
            "force",
            "status",
            "current_due_on",
            "latest_update__dated",
            "recommendation__number",
            "recommendation__kind",
            "recommendation__text",
            "recommendation__inspection",
        )
        .select_related("latest_update")
        .order_by("pk")
    )
    responses = (
        Response.objects.exclude(status=Response.Status.PUBLISHED)
        .filter(inspection__is_open=True)
        .select_related("force", "inspection")
        .order_by("pk")
    )
    items = _record_items(records, offsets_by_force, today) + _response_items(
        responses, offsets_by_force, today
    )

    staff_by_force, chiefs_by_force = defaultdict(list), defaultdict(list)
    involved = {item.force.pk for item in items}
    for m in Membership.objects.filter(force_id__in=involved, user__is_active=True).select_related("user"):
        (chiefs_by_force if m.role == Membership.Role.CHIEF_OFFICER else staff_by_force)[m.force_id].append(
            m.user
        )

    digests: dict[str, Digest] = {}
    # Per address and item: the roles it is heard in (an owner who is also OPCC staff gets one line).
    heard: dict[tuple[str, tuple], list[str]] = defaultdict(list)
    unreachable = []
    addresses = {}  # (class, pk) -> address or None, worked out once per person

    def address_of(person):
        key = (type(person), person.pk)
        if key not in addresses:
            addresses[key] = owner_address(person) if isinstance(person, Owner) else valid_email(person.email)
        return addresses[key]

    for item in items:
        for role, person in _audience(item, staff_by_force[item.force.pk], chiefs_by_force[item.force.pk]):
            user = person.user if isinstance(person, Owner) else person
            address = address_of(person)
            if address is None:
                if isinstance(person, Owner):
                    unreachable.append((item.record, person))
                continue
            # Chief officers cannot opt out of escalations; everything else respects the opt-out.
            wants = user is None or user.email_reminders or (role == Role.CHIEF_OFFICER and item.escalate)
            if not wants:
                continue
            digest = digests.get(address)
            if digest is None:
                digest = digests[address] = Digest(email=address)
            if user is not None and digest.user is None:
                digest.user = user
                digest.language = user.preferred_language or "en"
                digest.name = user.get_full_name() or user.username
            elif not digest.name and isinstance(person, Owner):
                digest.name = person.name or person.role_title
            roles = heard[(address, item.key)]
            if not roles:
                digest.lines.append(Line(item, role))
            roles.append(role)
    for digest in digests.values():
        digest.lines.sort(key=lambda line: line.item.sort_key)
        digest.bilingual = digest.user is None and any(
            line.item.force.country == Force.Country.WALES for line in digest.lines
        )
    return Plan(today, sorted(digests.values(), key=lambda d: d.email), unreachable)


def _claim(digest: Digest, today: date, now) -> set[tuple[str, str, str]]:
    """Insert the digest's ledger rows; return the keys this transaction claimed (not sent before)."""
    table = ReminderSent._meta.db_table
    columns = (
        "force_id, item_key, record_id, response_id, kind, milestone, due_on, recipient, "
        "recipient_user_id, role, sweep_date, sent_at"
    )
    ops = connection.ops
    rows, params = [], []
    for line in digest.lines:
        item = line.item
        rows.append("(" + ", ".join(["%s"] * 12) + ")")
        params += [
            item.force.pk,
            item.item_key,
            item.record.pk if item.record is not None else None,
            item.response.pk if item.response is not None else None,
            item.kind,
            item.milestone,
            ops.adapt_datefield_value(item.due_on),
            digest.email,
            getattr(digest.user, "pk", None),
            line.role,
            ops.adapt_datefield_value(today),
            ops.adapt_datetimefield_value(now),
        ]
    # Both PostgreSQL and SQLite (3.35+) speak this; the unique constraint decides who wins.
    sql = (
        f"INSERT INTO {table} ({columns}) VALUES {', '.join(rows)} "  # noqa: S608 - no user input in the SQL
        "ON CONFLICT (item_key, milestone, due_on, recipient) DO NOTHING "
        "RETURNING item_key, milestone, due_on"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return {(k, m, d if isinstance(d, str) else d.isoformat()) for k, m, d in cursor.fetchall()}


def send_digest(digest: Digest, today: date, now=None) -> int:
    """Claim and send one person's digest in one transaction; returns the lines sent (0: all sent before).

    If the e-mail cannot be sent the claim is rolled back, so the next sweep tries again.
    """
    from .emails import send_reminder_digest

    now = now or timezone.now()
    with transaction.atomic():
        claimed = _claim(digest, today, now)
        if not claimed:
            return 0
        lines = [line for line in digest.lines if line.item.key in claimed]
        send_reminder_digest(digest, lines, today)
    return len(lines)


def sweep(today: date | None = None, *, dry_run: bool = False) -> SweepResult:
    """Run one reminder sweep over every force; safe to run twice, at once, or after a crash."""
    today = today or timezone.localdate()
    force_ids = list(Force.objects.values_list("pk", flat=True))
    # Not a lifted scope: an explicit scope over the listed forces. Each line of a digest comes
    # from a force the recipient belongs to (see _audience), never from another force.
    log.info(
        "Reminder sweep for %s across %d forces%s.", today, len(force_ids), " (dry run)" if dry_run else ""
    )
    result = SweepResult(today)
    with scope(force=force_ids):
        plan = plan_sweep(today)
        result.planned = plan.line_count
        unreachable = sorted({owner.pk for _record, owner in plan.unreachable_owners})
        result.unreachable_owners = len(unreachable)
        if unreachable:
            log.warning(
                "%d owners named on items due have no valid address for reminders (owner ids %s).",
                len(unreachable),
                ", ".join(map(str, unreachable[:50])),
            )
        if dry_run:
            return result
        for digest in plan.digests:
            try:
                sent = send_digest(digest, today)
            except Exception:  # the mail server failed: nothing marked sent; the next sweep retries
                log.exception("Could not send reminders to %s; they stay unsent.", digest.email)
                result.failed.append(digest.email)
                continue
            result.sent += sent
            result.emails += bool(sent)
    log.info(
        "Reminder sweep for %s: %d lines due, %d sent in %d e-mails, %d failed.",
        today,
        result.planned,
        result.sent,
        result.emails,
        len(result.failed),
    )
    return result


def record_reminder_status(record: Record) -> dict:
    """What the record page shows: reminders sent and owners who cannot be reached."""
    sent = list(ReminderSent.objects.filter(record=record).select_related("recipient_user")[:50])
    owners = list(record.owners.select_related("user"))
    unreachable = [o for o in owners if owner_address(o) is None]
    return {"reminders_sent": sent, "unreachable_owners": unreachable, "record": record}


@transaction.atomic
def save_force_settings(force: Force, *, acting_user, **values) -> ForceReminderSettings:
    """Store a force's own offsets. Only the force's own people may (the view checks can_edit)."""
    own, _created = ForceReminderSettings.objects.select_for_update().get_or_create(force=force)
    for name, value in values.items():
        setattr(own, name, value)
    own.full_clean()
    own.save()
    log.info("User %s changed the reminder settings of %s.", acting_user.pk, force.slug)
    return own


@transaction.atomic
def set_email_reminders(user, enabled: bool) -> None:
    user.email_reminders = enabled
    user.save(update_fields=["email_reminders"])
