import calendar
from datetime import date, timedelta

# Police Act 1996 s55(5A): the PCC publishes "before the end of the period of 56 days beginning with
# the day on which the report is published". "Beginning with" makes the day of publication day 1, so
# the last day is publication + 55 days (MAPPA: 14 July 2022 -> 7 September 2022).
STATUTORY_RESPONSE_DAYS = 56


def add_months(day: date, months: int) -> date:
    """`day` plus whole calendar months, clamped to the month's last day (31 Jan + 1 month = 28/29 Feb)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def last_day_to_publish(published_on: date, override_on: date | None = None) -> date:
    """The last day on which the PCC may publish the s55 response: the 56th day, counting day 1.

    The one place the statutory period is counted; pages, letters, reminders, exports, the API and
    the timeliness judgement all read it (through `Inspection.response_due_on`). An administrator's
    override for one inspection (with a reason) wins.
    """
    if override_on:
        return override_on
    return published_on + timedelta(days=STATUTORY_RESPONSE_DAYS - 1)


class Timeliness:
    """The judgement on a response's publication, made on the publication date only.

    ON_TIME / LATE need the date; a response known to be published on an unknown date is
    DATE_NOT_KNOWN ("cannot be judged"), never "not yet published".
    """

    ON_TIME = "on_time"
    LATE = "late"
    DATE_NOT_KNOWN = "date_not_known"
    NOT_PUBLISHED = "not_published"


def judge_timeliness(
    *, is_published: bool, published_on: date | None, last_day: date
) -> tuple[str, int | None]:
    """(state, days late) for a response; days late is None unless the date is known."""
    if not is_published:
        return Timeliness.NOT_PUBLISHED, None
    if published_on is None:
        return Timeliness.DATE_NOT_KNOWN, None
    late = (published_on - last_day).days
    return (Timeliness.LATE if late > 0 else Timeliness.ON_TIME), late
