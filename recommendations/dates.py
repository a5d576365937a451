import calendar
from datetime import date, timedelta

# Police Act 1996 s55(5A): the PCC publishes within 56 days of the report's publication.
STATUTORY_RESPONSE_DAYS = 56


def add_months(day: date, months: int) -> date:
    """`day` plus whole calendar months, clamped to the month's last day (31 Jan + 1 month = 28/29 Feb)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def statutory_response_date(published_on: date) -> date:
    return published_on + timedelta(days=STATUTORY_RESPONSE_DAYS)
