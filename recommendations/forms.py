"""Forms of the progress workflow. They parse and validate input; services do the writing."""

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from frontend.fields import IdModelMultipleChoiceField
from frontend.forms import GovukDateField, GovukFormMixin
from frontend.i18n import localised_choices

from . import evidence
from .models import CLOSURE_STAGES, Owner, ProgressUpdate, Record

Status = Record.Status
# Closing a record has its own pages (a chief officer's decision with a reason), not the update form.
CLOSING = {Status.COMPLETE, Status.NO_FURTHER_ACTION}


class VersionedForm(GovukFormMixin, forms.Form):
    """Carries the record version the form was drawn from, so a stale post is refused."""

    # Required: a post without it (not from the page) would skip the stale-form check.
    version = forms.IntegerField(
        widget=forms.HiddenInput,
        min_value=0,
        error_messages={
            "required": _("This form is out of date or incomplete. Reload the page and try again."),
            "invalid": _("This form is out of date or incomplete. Reload the page and try again."),
            "min_value": _("This form is out of date or incomplete. Reload the page and try again."),
        },
    )


class EvidenceField(forms.FileField):
    """Several files in one input; each checked by evidence.check_evidence."""

    def __init__(self, **kwargs):
        widget = forms.FileInput()
        widget.allow_multiple_selected = True
        widget.attrs["multiple"] = True
        super().__init__(widget=widget, required=False, **kwargs)

    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else ([data] if data else [])
        checked, errors = [], []
        for upload in files:
            try:
                checked.append(evidence.check_evidence(upload))
            except ValidationError as error:
                errors.extend(error.messages)
        if errors:
            raise ValidationError(errors)
        return checked


class ProgressUpdateForm(VersionedForm):
    text = forms.CharField(
        label=_("Progress update"),
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={"required": _("Enter the progress update")},
        help_text=_("What has the force done since the last update? The first line shows on the overview."),
    )
    status = forms.ChoiceField(
        label=_("Change the status"),
        required=False,
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": _("You cannot move this record to that status")},
    )
    rag = forms.ChoiceField(
        label=_("RAG rating"), required=False, widget=forms.RadioSelect, choices=Record.Rag.choices
    )
    evidence = EvidenceField(label=_("Evidence (optional)"))
    # Whose words and which document (s55: the commissioner's, the chief officer's, or an officer's
    # for the chief officer). Empty: the person saving the update wrote it.
    voice = forms.ChoiceField(
        label=_("Whose words are these?"),
        required=False,
        widget=forms.RadioSelect,
        choices=[("", _("Mine, written here")), *ProgressUpdate.Voice.choices],
        error_messages={"invalid_choice": _("Select whose words these are")},
    )
    author_name = forms.CharField(
        label=_("Name and role of the person whose words they are (optional)"),
        required=False,
        max_length=200,
        help_text=_(
            "For example “T/ACC Richard Ocone”. Needed for an officer writing for the chief officer."
        ),
        error_messages={"max_length": _("The name must be 200 characters or fewer")},
    )
    source_document = forms.CharField(
        label=_("Document the words come from (optional)"),
        required=False,
        max_length=300,
        help_text=_("For example “Chief Constable’s letter to the commissioner”."),
        error_messages={"max_length": _("The document's name must be 300 characters or fewer")},
    )
    source_dated = GovukDateField(
        label=_("Date of the document (optional)"),
        required=False,
        help_text=_("Leave empty if the document gives no date: it is shown as “date not known”."),
    )
    corrects = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, record, user, allowed, correcting=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.record = record
        self.correcting = correcting
        steps = [s for s in Status if s in allowed and s not in CLOSING]
        self.fields["status"].choices = [
            ("", _("Keep as “%(status)s”") % {"status": record.get_status_display()})
        ] + [(s.value, s.label) for s in steps]
        self.fields["evidence"].help_text = _(
            "You can choose several files. %(types)s, each smaller than %(limit)s."
        ) % {"types": evidence.allowed_types_phrase(), "limit": filesizeformat(settings.EVIDENCE_MAX_BYTES)}
        if correcting is not None:
            self.fields["text"].label = _("Correction")
            self.fields["text"].help_text = _(
                "Say what was wrong and what is right. The original stays on the timeline."
            )
            self.fields["text"].error_messages["required"] = _("Enter the correction")
            del self.fields["status"]
            del self.fields["rag"]


class ClosureRequestForm(VersionedForm):
    text = forms.CharField(
        label=_("What has been done"),
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"required": _("Enter what has been done")},
        help_text=_("The chief officer reads this before signing the recommendation off."),
    )
    evidence = EvidenceField(label=_("Evidence (optional)"))


class SignOffForm(VersionedForm):
    DECISIONS = [("complete", _("Sign off as complete")), ("return", _("Return it to OPCC staff"))]
    decision = forms.ChoiceField(
        label=_("Your decision"),
        choices=DECISIONS,
        widget=forms.RadioSelect,
        error_messages={"required": _("Select whether to sign off or return it")},
    )
    reason = forms.CharField(
        label=_("Comment or reason for returning"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Needed when you return it."),
    )

    def clean(self):
        data = super().clean()
        if data.get("decision") == "return" and not (data.get("reason") or "").strip():
            self.add_error("reason", _("Enter the reason for returning it"))
        return data


class NoFurtherActionForm(VersionedForm):
    reason = forms.CharField(
        label=_("Reason for no further action"),
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"required": _("Enter the reason for no further action")},
    )


class OwnerForm(GovukFormMixin, forms.ModelForm):
    class Meta:
        model = Owner
        fields = ["name", "role_title", "email"]
        help_texts = {
            "name": _("A person, or leave blank and give a role."),
            "role_title": _("For example, Head of Public Protection."),
            "email": _("Reminders go to this address."),
        }

    def clean(self):
        data = super().clean()
        if not (data.get("name") or "").strip() and not (data.get("role_title") or "").strip():
            self.add_error("name", _("Enter a name or a role"))
        return data

    def validate_constraints(self, exclude=None):
        # The service checks "name or role" with a clear message; the force is set there too.
        pass


class RecordOwnersForm(VersionedForm):
    owners = IdModelMultipleChoiceField(
        label=_("Owners"),
        queryset=Owner.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Select everyone who leads on this recommendation."),
    )

    def __init__(self, *args, force, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owners"].queryset = Owner.objects.filter(force=force)


class ExtensionRequestForm(VersionedForm):
    new_due_on = GovukDateField(
        label=_("New due date"),
        error_messages={"required": _("Enter the new due date")},
    )
    reason = forms.CharField(
        label=_("Reason"),
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"required": _("Enter the reason for the extension")},
    )

    def __init__(self, *args, record, **kwargs):
        super().__init__(*args, **kwargs)
        self.record = record

    def clean_new_due_on(self):
        day = self.cleaned_data["new_due_on"]
        if day <= timezone.localdate():
            raise ValidationError(_("The new due date must be in the future"))
        if self.record.current_due_on and day <= self.record.current_due_on:
            raise ValidationError(_("The new due date must be after the current due date"))
        return day


class ExtensionDecisionForm(GovukFormMixin, forms.Form):
    decision = forms.ChoiceField(
        label=_("Your decision"),
        choices=[("approve", _("Approve the new date")), ("refuse", _("Refuse it"))],
        widget=forms.RadioSelect,
        error_messages={"required": _("Select whether to approve or refuse the extension")},
    )
    decision_reason = forms.CharField(
        label=_("Reason"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Needed when you refuse."),
    )

    def clean(self):
        data = super().clean()
        if data.get("decision") == "refuse" and not (data.get("decision_reason") or "").strip():
            self.add_error("decision_reason", _("Enter the reason for refusing the extension"))
        return data


class OverviewFilterForm(GovukFormMixin, forms.Form):
    """The overview's filters: a plain GET form that works without JavaScript."""

    SORTS = [("number", _("Number as published")), ("due", _("Due date, soonest first"))]
    inspection = forms.TypedChoiceField(label=_("Inspection"), required=False, coerce=int, empty_value=None)
    status = forms.ChoiceField(label=_("Status"), required=False)
    owner = forms.TypedChoiceField(label=_("Owner"), required=False, coerce=int, empty_value=None)
    overdue = forms.BooleanField(label=_("Overdue only"), required=False)
    closure = forms.ChoiceField(label=_("Closure"), required=False)
    sort = forms.ChoiceField(label=_("Sort by"), required=False, choices=SORTS)

    def __init__(self, *args, inspections, owners, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["inspection"].choices = [
            ("", _("All inspections")),
            *localised_choices(inspections, "title"),
        ]
        self.fields["status"].choices = [("", _("All statuses"))] + list(Status.choices)
        self.fields["closure"].choices = [("", _("Any stage"))] + [
            (key, label) for key, (label, _q) in CLOSURE_STAGES.items()
        ]
        self.fields["owner"].choices = [("", _("All owners")), ("0", _("No owner"))] + [
            (o.pk, str(o)) for o in owners
        ]


class HmicfrsClosureForm(VersionedForm):
    """HMICFRS's own notice that it authorised closure, as OPCC staff read it."""

    closed_on = GovukDateField(
        label=_("Date HMICFRS authorised closure"),
        error_messages={
            "required": _("Enter the date HMICFRS authorised closure"),
        },
    )
    reference = forms.CharField(label=_("HMICFRS's reference for the notice"), required=False, max_length=120)
    basis = forms.CharField(
        label=_("Basis of closure, as HMICFRS gave it"),
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": _("Enter the basis of closure as HMICFRS gave it")},
        help_text=_("Quote the notice, for example “Authorised for closure on the basis of …”."),
    )
    register_reference = forms.CharField(
        label=_("HMICFRS register reference for this recommendation"), required=False, max_length=60
    )


class HmicfrsReferenceForm(VersionedForm):
    """The reference HMICFRS's register gives this recommendation for this force."""

    hmicfrs_reference = forms.CharField(
        label=_("HMICFRS register reference"),
        required=False,
        max_length=60,
        help_text=_("As HMICFRS's register gives it. Leave empty to remove it."),
        error_messages={"max_length": _("The reference must be 60 characters or fewer")},
    )


class LastDayOverrideForm(GovukFormMixin, forms.Form):
    """An administrator's different last day to publish for one inspection, always with a reason."""

    response_due_override_on = GovukDateField(
        label=_("Different last day to publish"),
        required=False,
        help_text=_("Leave empty to use the 56th day, counting the day of publication."),
    )
    response_due_override_reason = forms.CharField(
        label=_("Reason"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "Shown on every page that gives the date, for example “The report was published at 11pm”."
        ),
    )
