"""Dates that make sense: the rules for the dates people enter, in one place.

Services call these (so pages, the API and imports all get them), and so can forms' validators.
- A progress update is dated between the inspection report's publication (or, for a record made
  later, the record's creation) and today: nothing had happened before the report, and a
  future-dated entry would stay the "latest update" for good.
- A response is published between the report's publication and today, and not before the chief
  officer's sign-off: a back-dated publication would read as "published on time" on every page.
"""

from datetime import date

from django.core.exceptions import ValidationError
from django.utils import formats, timezone
from django.utils.translation import gettext as _


def _shown(day: date) -> str:
    return formats.date_format(day, "j F Y")


def update_date_bounds(record) -> tuple[date, date]:
    earliest = record.recommendation.inspection.published_on
    return earliest, timezone.localdate()


def check_update_date(record, dated: date | None) -> None:
    if dated is None:
        return
    earliest, today = update_date_bounds(record)
    if dated > today:
        raise ValidationError(
            {"dated": _("The date of the update must be today or in the past")}, code="future"
        )
    if dated < earliest:
        raise ValidationError(
            {
                "dated": _(
                    "The date of the update must be on or after %(date)s, when the report was published"
                )
                % {"date": _shown(earliest)}
            },
            code="too_early",
        )


def check_publication_date(response, version, published_on: date | None) -> None:
    if published_on is None:
        return
    today = timezone.localdate()
    report = response.inspection.published_on
    if published_on > today:
        raise ValidationError(
            {"published_on": _("The date of publication must be today or in the past")}, code="future"
        )
    if published_on < report:
        raise ValidationError(
            {
                "published_on": _(
                    "The date of publication must be on or after %(date)s, when the report was published"
                )
                % {"date": _shown(report)}
            },
            code="before_report",
        )
    # A sign-off on a day no document gives sets no bound (its stored time is only a stand-in).
    signed = version.known_signed_off_at and timezone.localdate(version.known_signed_off_at)
    if signed and published_on < signed:
        raise ValidationError(
            {
                "published_on": _(
                    "The date of publication must be on or after %(date)s, when the chief officer signed off"
                )
                % {"date": _shown(signed)}
            },
            code="before_sign_off",
        )
