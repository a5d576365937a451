"""When reminders fall due: pure date arithmetic, no database.

The sweep sends "the latest milestone reached but not yet sent": if beat missed a day (or a week),
the milestone whose day has passed is still sent as long as the next one has not come, and an
older one that was overtaken is skipped rather than sent late in a burst.
"""

import re
from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext


def parse_days(text: str) -> list[int]:
    """'90, 30, 7, 1' -> [90, 30, 7, 1] (largest first, no repeats); ValidationError if not numbers."""
    days = set()
    for part in (text or "").replace(";", ",").split(","):
        part = part.strip()
        if not part:
            continue
        # str.isdigit() accepts "²" and other digits int() refuses: only 0-9 are numbers here.
        if not re.fullmatch(r"[0-9]{1,3}", part) or not 1 <= int(part) <= 366:
            raise ValidationError(_("Enter whole numbers of days between 1 and 366, separated by commas"))
        days.add(int(part))
    return sorted(days, reverse=True)


@dataclass(frozen=True)
class Offsets:
    days_before_due: tuple[int, ...]
    response_days_before: tuple[int, ...]
    overdue_every_days: int
    escalate_after_days: int
    stale_after_days: int

    @classmethod
    def defaults(cls) -> "Offsets":
        return cls(
            days_before_due=tuple(sorted(set(settings.REMINDER_DAYS_BEFORE_DUE), reverse=True)),
            response_days_before=tuple(sorted(set(settings.REMINDER_RESPONSE_DAYS_BEFORE), reverse=True)),
            overdue_every_days=settings.REMINDER_OVERDUE_EVERY_DAYS,
            escalate_after_days=settings.REMINDER_ESCALATE_AFTER_DAYS,
            stale_after_days=settings.REMINDER_STALE_AFTER_DAYS,
        )

    @classmethod
    def for_force(cls, force_settings) -> "Offsets":
        """The force's own offsets where it set them, the service's defaults elsewhere."""
        base = cls.defaults()
        if force_settings is None:
            return base

        def pick(value, default):
            return default if value is None else value

        return cls(
            days_before_due=tuple(parse_days(force_settings.days_before_due)) or base.days_before_due,
            response_days_before=tuple(parse_days(force_settings.response_days_before))
            or base.response_days_before,
            overdue_every_days=pick(force_settings.overdue_every_days, base.overdue_every_days),
            escalate_after_days=pick(force_settings.escalate_after_days, base.escalate_after_days),
            stale_after_days=pick(force_settings.stale_after_days, base.stale_after_days),
        )


@dataclass(frozen=True)
class Milestone:
    name: str  # "before-30", "due", "overdue-14"
    days_overdue: int  # of the milestone itself: negative before the due date
    escalate: bool = False

    @property
    def is_overdue(self) -> bool:
        return self.days_overdue > 0


def latest_milestone(
    due_on: date | None,
    today: date,
    days_before: tuple[int, ...],
    *,
    overdue_every: int | None = None,
    escalate_after: int | None = None,
) -> Milestone | None:
    """The latest milestone on or before `today` for an item due on `due_on` (None: none yet)."""
    if due_on is None:
        return None
    days_left = (due_on - today).days
    if days_left > 0:
        reached = [d for d in days_before if d >= days_left]
        if not reached:
            return None
        d = min(reached)
        return Milestone(f"before-{d}", -d)
    overdue = -days_left
    reached = [0]
    if overdue_every:
        reached.append(overdue // overdue_every * overdue_every)
    if escalate_after is not None and escalate_after <= overdue:
        reached.append(escalate_after)
    m = max(reached)
    escalate = escalate_after is not None and m >= escalate_after
    return Milestone("due" if m == 0 else f"overdue-{m}", m, escalate)


def stale_due_on(last_activity: date | None, today: date, stale_after: int) -> date | None:
    """The day the current "please update" nudge fell due, or None if the record is not stale.

    Repeats every `stale_after` days without an update; a new update starts the count again.
    """
    if last_activity is None or not stale_after:
        return None
    since = (today - last_activity).days
    if since < stale_after:
        return None
    return last_activity + timedelta(days=since // stale_after * stale_after)


def milestone_label(name: str) -> str:
    if name == "due":
        return _("On the due date")
    if name == "stale":
        return _("No recent update")
    kind, _sep, number = name.partition("-")
    if number.isascii() and number.isdigit():
        n = int(number)
        if kind == "before":
            return ngettext("%(n)d day before", "%(n)d days before", n) % {"n": n}
        if kind == "overdue":
            return ngettext("%(n)d day overdue", "%(n)d days overdue", n) % {"n": n}
    return name
