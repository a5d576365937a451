from datetime import date

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase
from simple_history.models import HistoricalRecords

from frontend.i18n import localised
from mappa_tracker.choices import ChoiceLabels


class Force(ChoiceLabels, models.Model):
    """A territorial police force of England or Wales: the tenant."""

    class Country(models.TextChoices):
        ENGLAND = "england", _("England")
        WALES = "wales", _("Wales")

    class CommissionerType(models.TextChoices):
        PCC = "pcc", _("Police and Crime Commissioner")
        PFCC = "pfcc", _("Police, Fire and Crime Commissioner")
        MAYOR = "mayor", _("Mayor with PCC functions")
        CITY_BOARD = "city_board", _("City of London Police Authority Board")

    name = models.CharField(_("name"), max_length=120, unique=True)
    # The force's own Welsh name (e.g. "Heddlu Gwent"): Welsh pages, e-mails and letters use it.
    name_cy = models.CharField(_("name (Welsh)"), max_length=120, blank=True)
    slug = models.SlugField(_("slug"), max_length=60, unique=True)
    area_name = models.CharField(_("area"), max_length=120, blank=True)
    country = models.CharField(_("country"), max_length=10, choices=Country.choices)
    commissioner_type = models.CharField(
        _("commissioner type"), max_length=12, choices=CommissionerType.choices, default=CommissionerType.PCC
    )
    commissioner_title = models.CharField(_("commissioner's title"), max_length=200, blank=True)
    commissioner_name = models.CharField(_("commissioner's name"), max_length=120, blank=True)
    chief_constable_name = models.CharField(_("chief constable's name"), max_length=120, blank=True)
    letterhead_address = models.TextField(_("letterhead address"), blank=True)
    email = models.EmailField(_("OPCC e-mail"), blank=True)
    welsh_language_standards = models.BooleanField(
        _("Welsh language standards apply"),
        default=False,
        help_text=_("Welsh must be treated no less favourably than English in services and correspondence."),
    )
    correspondence_notice_en = models.TextField(_("correspondence notice (English)"), blank=True)
    correspondence_notice_cy = models.TextField(_("correspondence notice (Welsh)"), blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        verbose_name = _("force")
        verbose_name_plural = _("forces")
        permissions = [
            ("edit_records", _("Can update the force's records and draft its responses")),
            ("sign_off", _("Can sign off for the force (chief officer)")),
            ("manage_people", _("Can invite, change and deactivate the force's users (OPCC administrator)")),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("forces:overview", kwargs={"force_slug": self.slug})

    @property
    def local_name(self) -> str:
        """The name in the active language: the Welsh name in Welsh where the force has one."""
        return localised(self, "name").text

    @property
    def names(self) -> tuple[str, ...]:
        """Every name the force goes by ("Gwent Police", "Heddlu Gwent"): what a document or a
        spreadsheet may call it."""
        return tuple(name for name in (self.name, self.name_cy) if name)


class ForceUserObjectPermission(UserObjectPermissionBase):
    """Guardian's per-force user permissions, with a real foreign key (no generic relation)."""

    content_object = models.ForeignKey(Force, on_delete=models.CASCADE)


class ForceGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(Force, on_delete=models.CASCADE)


class Membership(ChoiceLabels, models.Model):
    """A user's role in one force. forces.services keeps guardian's permissions in step with it."""

    class Role(models.TextChoices):
        OPCC_STAFF = "opcc_staff", _("OPCC staff")
        CHIEF_OFFICER = "chief_officer", _("Chief officer")
        OPCC_ADMIN = "opcc_admin", _("OPCC administrator")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    force = models.ForeignKey(Force, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "force"], name="one_membership_per_force")]
        verbose_name = _("membership")

    def __str__(self):
        return f"{self.user} – {self.get_role_display()}, {self.force}"


# The object permissions each role holds on its own force. Never granted model-wide.
ROLE_PERMISSIONS = {
    Membership.Role.OPCC_STAFF: {"view_force", "edit_records"},
    Membership.Role.CHIEF_OFFICER: {"view_force", "edit_records", "sign_off"},
    # Manages the force's people and reads its records; changes no record (least privilege).
    Membership.Role.OPCC_ADMIN: {"view_force", "manage_people"},
}


class OfficeHolding(ChoiceLabels, models.Model):
    """Who held one of a force's offices over a period, and under what arrangement.

    A 2022 letter must carry 2022's holder and arrangement (Cumbria: PCC until 31 March 2023, then
    PFCC). An empty name records the office without inventing who held it; an empty start means
    "held before the earliest date kept", an empty end "still holds it".
    """

    class Office(models.TextChoices):
        COMMISSIONER = "commissioner", _("Commissioner (local policing body)")
        CHIEF_OFFICER = "chief_officer", _("Chief officer")

    force = models.ForeignKey(Force, on_delete=models.CASCADE, related_name="office_holdings")
    office = models.CharField(_("office"), max_length=20, choices=Office.choices)
    commissioner_type = models.CharField(
        _("commissioner type"), max_length=12, choices=Force.CommissionerType.choices, blank=True
    )
    title = models.CharField(_("title"), max_length=200, blank=True)
    name = models.CharField(_("name"), max_length=120, blank=True, help_text=_("Leave empty if not known."))
    starts_on = models.DateField(_("from"), null=True, blank=True, help_text=_("Leave empty if not known."))
    ends_on = models.DateField(_("to"), null=True, blank=True, help_text=_("Leave empty if still in office."))
    source = models.CharField(_("source"), max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["force", "office", models.F("starts_on").asc(nulls_first=True)]
        constraints = [
            models.CheckConstraint(
                condition=Q(starts_on=None) | Q(ends_on=None) | Q(ends_on__gte=models.F("starts_on")),
                name="office_holding_ends_after_start",
            ),
        ]
        verbose_name = _("office-holder")
        verbose_name_plural = _("office-holders")

    def __str__(self):
        return f"{self.force}: {self.title or self.get_office_display()} {self.name}".strip()

    def held_on(self, day) -> bool:
        return (self.starts_on is None or self.starts_on <= day) and (
            self.ends_on is None or day <= self.ends_on
        )

    def overlaps(self, other) -> bool:
        starts_a, starts_b = self.starts_on or date.min, other.starts_on or date.min
        ends_a, ends_b = self.ends_on or date.max, other.ends_on or date.max
        return starts_a <= ends_b and starts_b <= ends_a
