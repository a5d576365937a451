from datetime import date

from django.conf import settings
from django.db import models
from django.db.models import OuterRef, Prefetch, Q, Subquery
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django_scopes import ScopedManager
from simple_history.models import HistoricalRecords

from forces.models import Force
from mappa_tracker.choices import ChoiceLabels

from .dates import add_months, last_day_to_publish


class InspectionQuerySet(models.QuerySet):
    def with_records(self, force=None):
        """Inspections with a record of `force` (of any force if None). A semi-join on the
        recommendations' inspection ids rather than a join with DISTINCT, which made PostgreSQL
        sort every matching record's inspection row (at ten times the national data: 17 ms against
        5 ms for one force, 68 ms against 8 ms for all)."""
        if force is None:
            recommendations = Recommendation.objects.filter(records__isnull=False)
        else:
            recommendations = Recommendation.objects.filter(records__force=force)
        return self.filter(pk__in=recommendations.values("inspection_id"))


class Inspection(ChoiceLabels, models.Model):
    """An inspectorate's published report. Not tenant-owned: every force reads the same report."""

    class Kind(models.TextChoices):
        JOINT_THEMATIC = "joint_thematic", _("Joint thematic")
        THEMATIC = "thematic", _("Thematic")
        PEEL = "peel", _("PEEL")
        NATIONAL = "national", _("National")
        FORCE = "force", _("Force inspection")
        OTHER = "other", _("Other")

    title = models.CharField(_("title"), max_length=300)
    title_cy = models.CharField(_("title (Welsh)"), max_length=300, blank=True)
    subtitle = models.CharField(_("subtitle"), max_length=300, blank=True)
    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    inspectorates = models.TextField(_("inspectorates"), help_text=_("One per line."), blank=True)
    lead_inspectorate = models.CharField(_("lead inspectorate"), max_length=200, blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.THEMATIC)
    published_on = models.DateField(_("published on"))
    url = models.URLField(_("link to the report"), blank=True)
    summary = models.TextField(_("summary"), blank=True)
    summary_cy = models.TextField(_("summary (Welsh)"), blank=True)
    response_due_on = models.DateField(
        _("last day to publish the response"),
        blank=True,
        editable=False,
        help_text=_(
            "The 56th day, counting the day of publication (Police Act 1996 s55(5A)), or the override."
        ),
    )
    response_due_override_on = models.DateField(
        _("different last day to publish"),
        null=True,
        blank=True,
        help_text=_("Set only with a reason, for example a report published late in the evening."),
    )
    response_due_override_reason = models.TextField(_("reason for the different last day"), blank=True)
    timescale_months = models.PositiveSmallIntegerField(
        _("timescale for recommendations (months)"), null=True, blank=True, default=12
    )
    timescale_text = models.CharField(_("timescale as published"), max_length=200, blank=True)
    recommendations_due_on = models.DateField(
        _("recommendations due on"),
        null=True,
        blank=True,
        help_text=_("Filled in from the timescale if blank."),
    )
    is_open = models.BooleanField(
        _("open"), default=True, help_text=_("Open inspections show on force overviews.")
    )
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    objects = InspectionQuerySet.as_manager()

    class Meta:
        ordering = ["-published_on", "title"]
        verbose_name = _("inspection")

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        # Always recounted, so the stored date can never drift from the Act's count or the override.
        self.response_due_on = last_day_to_publish(self.published_on, self.response_due_override_on)
        if not self.recommendations_due_on and self.timescale_months:
            self.recommendations_due_on = add_months(self.published_on, self.timescale_months)
        super().save(*args, **kwargs)


class Addressee(models.Model):
    """An agency a recommendation is addressed to (police forces, prisons, probation ...)."""

    slug = models.SlugField(max_length=60, unique=True)
    name = models.CharField(_("name"), max_length=200)
    name_cy = models.CharField(_("name (Welsh)"), max_length=200, blank=True)
    is_police = models.BooleanField(_("police forces"), default=False)

    class Meta:
        ordering = ["name"]
        verbose_name = _("addressee")

    def __str__(self):
        return self.name


class Recommendation(ChoiceLabels, models.Model):
    """A finding as published, with the report's own number (never renumbered)."""

    class Kind(models.TextChoices):
        RECOMMENDATION = "recommendation", _("Recommendation")
        AREA_FOR_IMPROVEMENT = "area_for_improvement", _("Area for improvement")
        CAUSE_OF_CONCERN = "cause_of_concern", _("Cause of concern")

    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="recommendations")
    kind = models.CharField(_("kind"), max_length=24, choices=Kind.choices, default=Kind.RECOMMENDATION)
    number = models.PositiveSmallIntegerField(_("number as published"))
    lead_in = models.CharField(_("lead-in"), max_length=300, blank=True)
    lead_in_cy = models.CharField(_("lead-in (Welsh)"), max_length=300, blank=True)
    text = models.TextField(_("text"))
    text_cy = models.TextField(_("text (Welsh)"), blank=True)
    addressees = models.ManyToManyField(
        Addressee, related_name="recommendations", verbose_name=_("addressed to")
    )
    cause_of_concern = models.ForeignKey(
        "self", on_delete=models.CASCADE, null=True, blank=True, related_name="recommendations"
    )
    timescale_months = models.PositiveSmallIntegerField(_("own timescale (months)"), null=True, blank=True)
    due_on = models.DateField(_("own due date"), null=True, blank=True)

    history = HistoricalRecords(m2m_fields=[addressees])

    class Meta:
        ordering = ["inspection", "kind", "number"]
        constraints = [
            models.UniqueConstraint(fields=["inspection", "kind", "number"], name="one_number_per_kind"),
        ]
        verbose_name = _("recommendation")

    def __str__(self):
        return f"{self.label}: {self.text[:60]}"

    @property
    def label(self) -> str:
        return f"{self.get_kind_display()} {self.number}"

    def default_due_on(self) -> date | None:
        if self.due_on:
            return self.due_on
        if self.timescale_months:
            return add_months(self.inspection.published_on, self.timescale_months)
        return self.inspection.recommendations_due_on


# The three closure events, kept apart: what the force says (implemented), what the chief officer
# assures (signed off), what HMICFRS itself decides (authorised closure). Keys are used in URLs.
CLOSURE_STAGES = {
    "implemented": (_("Force reports implemented"), Q(status__in=("awaiting_sign_off", "complete"))),
    "signed_off": (_("Signed off by the chief officer"), Q(status="complete")),
    "hmicfrs_authorised": (_("Closure authorised by HMICFRS"), Q(hmicfrs_closed_on__isnull=False)),
}


# A RAG rating in one word ("Green"): the tag on a narrow screen and the RAG column of spreadsheets.
RAG_SHORT = {
    "red": pgettext_lazy("RAG rating", "Red"),
    "amber": pgettext_lazy("RAG rating", "Amber"),
    "green": pgettext_lazy("RAG rating", "Green"),
}


class RecordQuerySet(models.QuerySet):
    CLOSED = ("complete", "no_further_action")

    @classmethod
    def overdue_q(cls, today: date | None = None, prefix: str = "") -> Q:
        """The one test of "overdue": open, and its current due date has passed. `prefix` reaches
        records through a relation (e.g. "records__") or counts them in an aggregate."""
        return ~Q(**{f"{prefix}status__in": cls.CLOSED}) & Q(
            **{f"{prefix}current_due_on__lt": today or timezone.localdate()}
        )

    def open(self):
        return self.exclude(status__in=self.CLOSED)

    def overdue(self, today: date | None = None):
        return self.filter(self.overdue_q(today))

    def with_overdue(self, today: date | None = None):
        """Each record with `is_overdue` (True or False), by the same test as overdue()."""
        return self.annotate(
            is_overdue=models.Case(
                models.When(self.overdue_q(today), then=models.Value(True)),
                default=models.Value(False),
                output_field=models.BooleanField(),
            )
        )

    def at_closure_stage(self, stage: str):
        """Records that reached one closure event (a CLOSURE_STAGES key); an unknown key filters nothing."""
        if stage not in CLOSURE_STAGES:
            return self
        return self.filter(CLOSURE_STAGES[stage][1])

    def in_open_inspections(self):
        return self.filter(recommendation__inspection__is_open=True)

    def with_latest_answer(self):
        """Read each record's latest answer (`record.latest_answer`: the force's own words, never a
        workflow step such as "Signed off as complete") with one more query for the whole list.
        `record.latest_update` stays the latest entry of any kind: show it beside as the step."""
        return self.prefetch_related(latest_answer_prefetch())

    def for_overview(self):
        """Everything a list page shows, in a fixed number of queries whatever the size."""
        return self.select_related(
            "force", "recommendation__inspection", "latest_update", "latest_update__author"
        ).prefetch_related("owners")


class Record(ChoiceLabels, models.Model):
    """A force's record of one recommendation addressed to police: its status, owners and dates."""

    class Status(models.TextChoices):
        NOT_STARTED = "not_started", _("Not started")
        IN_PROGRESS = "in_progress", _("In progress")
        AWAITING_SIGN_OFF = "awaiting_sign_off", _("Implemented, awaiting sign-off")
        COMPLETE = "complete", _("Complete")
        NO_FURTHER_ACTION = "no_further_action", _("No further action")

    class Rag(models.TextChoices):
        RED = "red", _("Red: significantly delayed")
        AMBER = "amber", _("Amber: at risk")
        GREEN = "green", _("Green: on track or complete")

    force = models.ForeignKey(Force, on_delete=models.CASCADE, related_name="records")
    recommendation = models.ForeignKey(Recommendation, on_delete=models.CASCADE, related_name="records")
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.NOT_STARTED)
    rag = models.CharField(_("RAG"), max_length=5, choices=Rag.choices, blank=True)
    owners = models.ManyToManyField("Owner", related_name="records", blank=True, verbose_name=_("owners"))
    original_due_on = models.DateField(_("original due date"), null=True, blank=True)
    current_due_on = models.DateField(_("current due date"), null=True, blank=True)
    no_further_action_reason = models.TextField(_("reason for no further action"), blank=True)
    # HMICFRS's own decision, a third event after the force's "implemented" and the chief officer's
    # sign-off: recorded by OPCC staff from HMICFRS's notice, never inferred from the status.
    hmicfrs_reference = models.CharField(_("HMICFRS register reference"), max_length=60, blank=True)
    hmicfrs_closed_on = models.DateField(_("HMICFRS authorised closure on"), null=True, blank=True)
    hmicfrs_closure_reference = models.CharField(_("HMICFRS notice reference"), max_length=120, blank=True)
    hmicfrs_closure_basis = models.TextField(_("basis of closure, as HMICFRS gave it"), blank=True)
    hmicfrs_closure_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    latest_update = models.ForeignKey(
        "ProgressUpdate", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    version = models.PositiveIntegerField(
        default=1, help_text="Raised on every change; a form posted for an older version is stale."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedManager(force="force", _manager_class=models.Manager.from_queryset(RecordQuerySet))
    history = HistoricalRecords(excluded_fields=["latest_update", "updated_at"])

    class Meta:
        ordering = ["recommendation__inspection", "recommendation__kind", "recommendation__number"]
        constraints = [
            models.UniqueConstraint(fields=["force", "recommendation"], name="one_record_per_force"),
        ]
        indexes = [models.Index(fields=["force", "status", "current_due_on"])]
        verbose_name = _("record")

    def __str__(self):
        return f"{self.force}: {self.recommendation.label}"

    def get_absolute_url(self):
        return reverse("recommendations:record-detail", kwargs={"force_slug": self.force.slug, "pk": self.pk})

    @property
    def latest_answer(self):
        """The latest progress update in the force's own words (see RecordQuerySet.with_latest_answer,
        which reads it for a whole list at once); None without one."""
        prefetched = self.__dict__.get("_latest_answers")
        if prefetched is not None:
            return prefetched[0] if prefetched else None
        return self.updates.filter(kind__in=ANSWER_KINDS).order_by(*LATEST_ANSWER_ORDER).first()

    @property
    def is_closed(self) -> bool:
        return self.status in RecordQuerySet.CLOSED

    def days_to_due(self, today: date | None = None) -> int | None:
        """Days left until the current due date (negative when overdue); None if no date."""
        if not self.current_due_on:
            return None
        return (self.current_due_on - (today or timezone.localdate())).days


class Owner(models.Model):
    """A person or role in the force who leads on records; reminders go to their e-mail."""

    force = models.ForeignKey(Force, on_delete=models.CASCADE, related_name="owners")
    name = models.CharField(_("name"), max_length=120, blank=True)
    role_title = models.CharField(_("role"), max_length=200, blank=True)
    email = models.EmailField(_("e-mail for reminders"), blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="ownerships"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager(force="force")
    history = HistoricalRecords()

    class Meta:
        ordering = ["role_title", "name"]
        constraints = [
            models.CheckConstraint(condition=~Q(name="", role_title=""), name="owner_has_name_or_role"),
        ]
        verbose_name = _("owner")

    def __str__(self):
        if self.name and self.role_title:
            return f"{self.name} ({self.role_title})"
        return self.name or self.role_title


# Timeline entries that carry the force's answer on a recommendation, not the workflow's steps around it.
ANSWER_KINDS = ("update", "correction", "closure_requested", "imported")
# The latest answer: the latest dated one, an undated one only when none is dated (on every
# database: PostgreSQL would put NULLs first in a plain descending order).
LATEST_ANSWER_ORDER = (models.F("dated").desc(nulls_last=True), "-created_at", "-pk")


def latest_answer_prefetch() -> Prefetch:
    """Each record's latest answer as `record._latest_answers` (read by Record.latest_answer), in
    one query for a queryset (RecordQuerySet.with_latest_answer) or a list already read
    (prefetch_related_objects)."""
    latest = (
        ProgressUpdate.objects.filter(record=OuterRef("record"), kind__in=ANSWER_KINDS)
        .order_by(*LATEST_ANSWER_ORDER)
        .values("pk")[:1]
    )
    return Prefetch(
        "updates",
        queryset=ProgressUpdate.objects.filter(pk=Subquery(latest)).select_related("author"),
        to_attr="_latest_answers",
    )


class AppendOnlyQuerySet(models.QuerySet):
    """Progress updates are history: bulk changes are refused as well as single ones."""

    def update(self, **kwargs):
        raise PermissionError("Progress updates are append-only; add a correction instead.")

    def delete(self):
        raise PermissionError("Progress updates are append-only; add a correction instead.")


class ProgressUpdate(ChoiceLabels, models.Model):
    """A dated entry on a record's timeline. Never edited or deleted: a correction is a new entry."""

    class Kind(models.TextChoices):
        UPDATE = "update", _("Progress update")
        CORRECTION = "correction", _("Correction")
        CLOSURE_REQUESTED = "closure_requested", _("Implemented, sign-off requested")
        SIGNED_OFF = "signed_off", _("Signed off as complete")
        RETURNED = "returned", _("Returned by chief officer")
        WITHDRAWN = "withdrawn", _("Sign-off request withdrawn")
        NO_FURTHER_ACTION = "no_further_action", _("Closed with no further action")
        EXTENSION_REQUESTED = "extension_requested", _("Extension requested")
        EXTENSION_APPROVED = "extension_approved", _("Extension approved")
        EXTENSION_REFUSED = "extension_refused", _("Extension refused")
        OWNERS_CHANGED = "owners_changed", _("Owners changed")
        IMPORTED = "imported", _("Imported")
        HMICFRS_CLOSED = "hmicfrs_closed", _("Closure authorised by HMICFRS")

    class Voice(models.TextChoices):
        """Whose words an entry taken from a document are (s55(5): up to three voices)."""

        PCC = "pcc", _("The commissioner")
        CHIEF_OFFICER = "chief_officer", _("The chief officer")
        OFFICER_FOR_CHIEF = "officer_for_chief", _("An officer for the chief officer")

    force = models.ForeignKey(Force, on_delete=models.CASCADE, related_name="progress_updates")
    record = models.ForeignKey(Record, on_delete=models.CASCADE, related_name="updates")
    kind = models.CharField(_("kind"), max_length=24, choices=Kind.choices, default=Kind.UPDATE)
    dated = models.DateField(
        _("date"), default=timezone.localdate, null=True, blank=True, help_text=_("Empty: date not known.")
    )
    text = models.TextField(_("update"))
    status_before = models.CharField(max_length=20, choices=Record.Status.choices, blank=True)
    status_after = models.CharField(max_length=20, choices=Record.Status.choices, blank=True)
    rag = models.CharField(_("RAG"), max_length=5, choices=Record.Rag.choices, blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    author_name = models.CharField(
        _("author as shown"), max_length=200, blank=True, help_text=_("For entries taken from documents.")
    )
    voice = models.CharField(_("whose words"), max_length=20, choices=Voice.choices, blank=True)
    source_document = models.CharField(_("taken from"), max_length=300, blank=True)
    source_dated = models.DateField(_("date of the document"), null=True, blank=True)
    corrects = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="corrections"
    )
    external_ref = models.CharField(
        max_length=120, blank=True, help_text="Stable key of an imported entry, so a re-import adds nothing."
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager(force="force", _manager_class=models.Manager.from_queryset(AppendOnlyQuerySet))

    class Meta:
        # Undated entries sort last on every database (PostgreSQL puts NULL first in a descending sort).
        ordering = [models.F("dated").desc(nulls_last=True), "-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["record", "external_ref"], condition=~Q(external_ref=""), name="unique_external_ref"
            ),
        ]
        indexes = [models.Index(fields=["record", "-dated", "-created_at"])]
        verbose_name = _("progress update")

    def __str__(self):
        return (
            f"{self.get_kind_display()} on {self.dated:%d %b %Y}" if self.dated else self.get_kind_display()
        )

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise PermissionError("Progress updates are append-only; add a correction instead.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("Progress updates are append-only; add a correction instead.")

    @property
    def first_line(self) -> str:
        return next((line.strip() for line in self.text.splitlines() if line.strip()), "")

    @property
    def shown_author(self) -> str:
        return self.author_name or (str(self.author) if self.author_id else "")

    @property
    def voice_line(self) -> str:
        """'The chief officer (T/ACC Richard Ocone), from <document>, dated 2 September 2022'."""
        from django.utils.formats import date_format

        parts = []
        if self.voice:
            who = str(self.get_voice_display())
            parts.append(f"{who} ({self.author_name})" if self.author_name else who)
        if self.source_document:
            parts.append(self.source_document)
        if self.voice or self.source_document:
            parts.append(
                date_format(self.source_dated, "j F Y") if self.source_dated else _("date not known")
            )
        return ", ".join(str(p) for p in parts)

    @property
    def status_changed(self) -> bool:
        return bool(self.status_after) and self.status_after != self.status_before

    @property
    def is_answer(self) -> bool:
        """The force's own words on the recommendation (what "latest update" shows), not a workflow step."""
        return self.kind in ANSWER_KINDS

    @property
    def can_be_corrected(self) -> bool:
        """OPCC staff correct what they wrote, while the record is open. Never a chief officer's
        decision or words, a workflow step, an entry taken from a published letter, or anything once
        the record is signed off or closed (a correction would change what was signed)."""
        if self.kind not in (self.Kind.UPDATE, self.Kind.CORRECTION, self.Kind.CLOSURE_REQUESTED):
            return False
        if self.voice in (self.Voice.CHIEF_OFFICER, self.Voice.OFFICER_FOR_CHIEF) or self.source_document:
            return False
        return not self.record.is_closed


class Attachment(models.Model):
    """An evidence file on a progress update, kept in private storage and served through a view."""

    force = models.ForeignKey(Force, on_delete=models.CASCADE, related_name="attachments")
    update = models.ForeignKey(ProgressUpdate, on_delete=models.PROTECT, related_name="attachments")
    file = models.CharField(
        max_length=300, help_text="Name in private storage: per force, random, never the uploaded name."
    )
    original_name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("type"), max_length=120)
    size = models.PositiveBigIntegerField(_("size in bytes"))
    sha256 = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager(force="force")

    class Meta:
        ordering = ["pk"]
        verbose_name = _("attachment")

    def __str__(self):
        return self.original_name

    def get_absolute_url(self):
        return reverse(
            "recommendations:attachment-download", kwargs={"force_slug": self.force.slug, "pk": self.pk}
        )


class DueDateExtension(ChoiceLabels, models.Model):
    """A request to move a record's due date; a chief officer of the force approves or refuses it."""

    class Decision(models.TextChoices):
        PENDING = "pending", _("Awaiting decision")
        APPROVED = "approved", _("Approved")
        REFUSED = "refused", _("Refused")

    force = models.ForeignKey(Force, on_delete=models.CASCADE, related_name="extensions")
    record = models.ForeignKey(Record, on_delete=models.CASCADE, related_name="extensions")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("requested by")
    )
    requested_on = models.DateField(_("requested on"), default=timezone.localdate)
    previous_due_on = models.DateField(_("due date when requested"), null=True, blank=True)
    new_due_on = models.DateField(_("new due date"))
    reason = models.TextField(_("reason"))
    decision = models.CharField(
        _("decision"), max_length=10, choices=Decision.choices, default=Decision.PENDING
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_reason = models.TextField(_("reason for the decision"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager(force="force")
    history = HistoricalRecords()

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["record"], condition=Q(decision="pending"), name="one_pending_extension_per_record"
            ),
        ]
        verbose_name = _("due date extension")

    def __str__(self):
        return f"{self.record}: {self.new_due_on:%d %b %Y} ({self.get_decision_display()})"

    @property
    def is_pending(self) -> bool:
        return self.decision == self.Decision.PENDING
