"""The columns of each import, in one place: the template, the page that explains it, the reader
and the exports all use these, so a downloaded export is always a valid import.
"""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from .reading import normalise_header


@dataclass(frozen=True)
class Column:
    key: str
    header: str  # as written in templates and exports
    help: str
    required: bool = False
    aliases: tuple = ()
    example: str = ""

    def names(self):
        return {
            normalise_header(self.header),
            normalise_header(self.key),
            *map(normalise_header, self.aliases),
        }


PROGRESS_COLUMNS = [
    Column(
        "recommendation",
        "Recommendation",
        _(
            "The number as published, e.g. 14 or “Recommendation 14”. Areas for improvement: “Area for improvement 3”."
        ),
        required=True,
        aliases=("recommendations", "number", "recommendation number", "no"),
        example="14",
    ),
    Column(
        "kind",
        "Kind",
        _("Optional: Recommendation, Area for improvement or Cause of concern."),
        aliases=("type",),
    ),
    Column(
        "owner",
        "Owner",
        _("Optional: who leads, e.g. “Head of Public Protection”. Several owners: separate them with “;”."),
        aliases=("owners", "lead"),
        example="Head of Public Protection",
    ),
    Column(
        "timescale",
        "Timescale",
        _("Optional: e.g. “Within 12 months” (counted from the report's publication) or a date."),
        example="Within 12 months",
    ),
    Column(
        "due_date",
        "Due date",
        _("Optional: a date such as 31/08/2023; it wins over Timescale."),
        aliases=("due", "due on", "current due date"),
    ),
    Column(
        "progress",
        "Progress",
        _("The progress update in words. Can be blank if the row only sets the owner or due date."),
        required=True,
        aliases=("progress update", "update"),
        example="Refresher training on Category 3 referrals booked for all investigators.",
    ),
    Column(
        "status",
        "Status",
        _(
            "Optional: Not started, In progress, or Implemented, awaiting sign-off (chief officers also Complete)."
        ),
        example="In progress",
    ),
    Column(
        "rag",
        "RAG",
        _("Optional: Red, Amber or Green, the force's own rating, given with the progress update."),
        aliases=("rag status", "rag rating", "rating"),
    ),
    Column(
        "date",
        "Date",
        _("Optional: the date of the update; today if blank."),
        aliases=("dated", "update date"),
    ),
    Column("force", "Force", _("Optional: must be this force's name if given."), aliases=("police force",)),
]

INSPECTION_COLUMNS = [
    Column(
        "number",
        "Number",
        _("The number as published."),
        required=True,
        aliases=("no", "recommendation"),
        example="14",
    ),
    Column(
        "kind",
        "Kind",
        _("Optional: Recommendation (default), Area for improvement or Cause of concern."),
        aliases=("type",),
    ),
    Column(
        "lead_in", "Lead-in", _("Optional: e.g. “Police forces should ensure that:”."), aliases=("lead in",)
    ),
    Column(
        "text", "Text", _("The recommendation as published."), required=True, aliases=("recommendation text",)
    ),
    Column(
        "lead_in_cy",
        "Lead-in (Welsh)",
        _("Optional: the lead-in as published in Welsh."),
        aliases=("welsh lead in", "lead in cy"),
    ),
    Column(
        "text_cy",
        "Text (Welsh)",
        _("Optional: the recommendation as published in Welsh, for Welsh pages and letters."),
        aliases=("welsh text", "text cy"),
    ),
    Column(
        "addressees",
        "Addressed to",
        _("Who it is for, separated by “;”, by name or code, e.g. “Police forces; probation”."),
        required=True,
        aliases=("addressees", "addressee", "owner"),
        example="police",
    ),
    Column(
        "timescale_months",
        "Timescale (months)",
        _("Optional: its own timescale in months, when it differs from the report's."),
        aliases=("timescale",),
    ),
    Column("due_date", "Due date", _("Optional: its own due date."), aliases=("due", "due on")),
]
