"""What the API reads and writes. Writes go through the same services as the pages."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from recommendations.models import Owner, ProgressUpdate, Record
from responses.models import Response, ResponseSection, ResponseVersion


class StrictSerializer(serializers.Serializer):
    """Refuses fields it does not know, so a typo is an error rather than silently ignored."""

    def to_internal_value(self, data):
        if not isinstance(data, dict):
            raise serializers.ValidationError(
                {"non_field_errors": [_("Send a JSON object.")]}, code="invalid"
            )
        unknown = sorted(set(data) - {name for name, f in self.fields.items() if not f.read_only})
        if unknown:
            raise serializers.ValidationError(
                {name: [_("Unknown field: this endpoint does not accept it.")] for name in unknown}
            )
        # DRF turns 0 or true into "0" or "True" for a text field; the schema says string, so do we.
        not_text = [
            name
            for name, f in self.fields.items()
            if isinstance(f, serializers.CharField)
            and not f.read_only
            and name in data
            and data[name] is not None
            and not isinstance(data[name], str)
        ]
        errors = {name: [_("Send text (a JSON string).")] for name in not_text}
        try:
            value = super().to_internal_value(data)
        except serializers.ValidationError as exc:  # report every field's problem at once
            detail = exc.detail if isinstance(exc.detail, dict) else {"non_field_errors": exc.detail}
            raise serializers.ValidationError({**detail, **errors}) from None
        if errors:
            raise serializers.ValidationError(errors)
        return value


class OwnerSerializer(StrictSerializer, serializers.ModelSerializer):
    class Meta:
        model = Owner
        fields = ["id", "name", "role_title", "email", "created_at"]
        read_only_fields = ["id", "created_at"]
        extra_kwargs = {"name": {"max_length": 120}, "role_title": {"max_length": 200}}

    def validate(self, attrs):
        if not (attrs.get("name") or "").strip() and not (attrs.get("role_title") or "").strip():
            raise serializers.ValidationError({"name": [_("Enter a name or a role")]})
        return attrs


class RecommendationSummarySerializer(serializers.Serializer):
    inspection = serializers.CharField(source="inspection.slug")
    inspection_title = serializers.CharField(source="inspection.title")
    kind = serializers.CharField()
    number = serializers.IntegerField()
    text = serializers.CharField()


class RecordSerializer(serializers.ModelSerializer):
    force = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    recommendation = RecommendationSummarySerializer(read_only=True)
    owners = OwnerSerializer(many=True, read_only=True)
    latest_update_id = serializers.IntegerField(read_only=True, allow_null=True)

    class Meta:
        model = Record
        fields = [
            "id",
            "force",
            "recommendation",
            "status",
            "rag",
            "owners",
            "original_due_on",
            "current_due_on",
            "no_further_action_reason",
            "hmicfrs_reference",
            "hmicfrs_closed_on",
            "hmicfrs_closure_reference",
            "hmicfrs_closure_basis",
            "latest_update_id",
            "version",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class RecordChangeSerializer(StrictSerializer):
    """What a PATCH of a record may change: HMICFRS's register reference (status has its own steps)."""

    hmicfrs_reference = serializers.CharField(max_length=60, allow_blank=True, trim_whitespace=True)
    expected_version = serializers.IntegerField(
        min_value=1, help_text=_("The record's `version` you last read; a different one is refused (409).")
    )


class ProgressUpdateSerializer(serializers.ModelSerializer):
    author = serializers.CharField(source="shown_author", read_only=True)
    record = serializers.IntegerField(source="record_id", read_only=True)
    corrects = serializers.IntegerField(source="corrects_id", read_only=True, allow_null=True)
    # Blank when the entry moved nothing: the schema's enum must say so.
    status_before = serializers.ChoiceField(choices=Record.Status.choices, allow_blank=True, read_only=True)
    status_after = serializers.ChoiceField(choices=Record.Status.choices, allow_blank=True, read_only=True)
    rag = serializers.ChoiceField(choices=Record.Rag.choices, allow_blank=True, read_only=True)
    voice = serializers.ChoiceField(
        choices=ProgressUpdate.Voice.choices,
        allow_blank=True,
        read_only=True,
        help_text=_("Whose words these are; empty: the person who entered them wrote them."),
    )

    class Meta:
        model = ProgressUpdate
        fields = [
            "id",
            "record",
            "kind",
            "dated",
            "text",
            "status_before",
            "status_after",
            "rag",
            "author",
            "author_name",
            "voice",
            "source_document",
            "source_dated",
            "corrects",
            "created_at",
        ]
        read_only_fields = fields


class ProgressUpdateCreateSerializer(StrictSerializer):
    """A new entry on the record's timeline, optionally a status step (the same rules as the page)."""

    text = serializers.CharField(max_length=20000, trim_whitespace=True)
    dated = serializers.DateField(required=False)
    status = serializers.ChoiceField(choices=Record.Status.choices, required=False)
    rag = serializers.ChoiceField(choices=Record.Rag.choices, required=False, allow_blank=True)
    reason = serializers.CharField(max_length=5000, required=False, allow_blank=True)
    corrects = serializers.IntegerField(required=False, min_value=1)
    voice = serializers.ChoiceField(
        choices=ProgressUpdate.Voice.choices,
        required=False,
        allow_blank=True,
        help_text=_("Whose words these are; empty: the person who entered them wrote them."),
    )
    author_name = serializers.CharField(
        max_length=200,
        required=False,
        allow_blank=True,
        help_text=_("The name and role of the person whose words they are, e.g. “T/ACC Richard Ocone”."),
    )
    source_document = serializers.CharField(
        max_length=300, required=False, allow_blank=True, help_text=_("The document the words come from.")
    )
    source_dated = serializers.DateField(
        required=False, allow_null=True, help_text=_("The document's date; null: it gives none.")
    )
    expected_version = serializers.IntegerField(
        min_value=1,
        help_text=_(
            "The record's `version` you last read. A different version is refused (409), so a replay "
            "or a change made meanwhile by someone else is never applied twice."
        ),
    )


class ResponseSectionSerializer(serializers.ModelSerializer):
    recommendation_number = serializers.IntegerField(source="recommendation.number", read_only=True)

    class Meta:
        model = ResponseSection
        fields = ["id", "recommendation_number", "text"]
        read_only_fields = fields


class ResponseVersionSerializer(serializers.ModelSerializer):
    sections = ResponseSectionSerializer(many=True, read_only=True)
    is_signed = serializers.BooleanField(read_only=True)
    signed_off_at = serializers.DateTimeField(
        source="known_signed_off_at",
        read_only=True,
        allow_null=True,
        help_text=_("null: not signed off, or signed on a date not known (`signed_date_known` is false)."),
    )

    class Meta:
        model = ResponseVersion
        fields = [
            "id",
            "number",
            "pcc_initial_comments",
            "chief_officer_comments",
            "pcc_overall_comments",
            "letter_date",
            "signatory_name",
            "signatory_title",
            "is_signed",
            "signed_off_at",
            "signed_date_known",
            "signed_sha256",
            "sections",
        ]
        read_only_fields = fields


class LedgerEntrySerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()
    dated = serializers.DateField(allow_null=True, help_text="null: not recorded")
    detail = serializers.CharField(allow_blank=True)


class TimelinessSerializer(serializers.Serializer):
    state = serializers.ChoiceField(choices=["on_time", "late", "date_not_known", "not_published"])
    days_late = serializers.IntegerField(allow_null=True, help_text="null: not published or cannot be judged")


class HoldersSerializer(serializers.Serializer):
    day = serializers.DateField()
    commissioner_type = serializers.CharField(allow_blank=True)
    commissioner_title = serializers.CharField(allow_blank=True)
    commissioner_name = serializers.CharField(allow_blank=True, help_text="empty: name not recorded")
    chief_officer_name = serializers.CharField(allow_blank=True, help_text="empty: name not recorded")


class ResponseSerializer(serializers.ModelSerializer):
    force = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    inspection = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    current_version = ResponseVersionSerializer(read_only=True, allow_null=True)
    statutory_due_on = serializers.DateField(
        read_only=True, help_text="The last day to publish (the 56th day)."
    )
    # A plain string: empty when not recorded (a "uri" format would refuse the empty value).
    published_url = serializers.CharField(read_only=True, help_text="The web address; empty: not recorded.")
    timeliness = serializers.SerializerMethodField()
    ledger = serializers.SerializerMethodField()
    office_holders = serializers.SerializerMethodField()

    @extend_schema_field(TimelinessSerializer)
    def get_timeliness(self, response):
        state, late = response.judged()
        return {"state": state, "days_late": late}

    @extend_schema_field(LedgerEntrySerializer(many=True))
    def get_ledger(self, response):
        from responses.services import ledger

        return LedgerEntrySerializer(ledger(response), many=True).data

    @extend_schema_field(HoldersSerializer(allow_null=True))
    def get_office_holders(self, response):
        """Who held office on the response's date; null when that date is not known."""
        holders = response.office_holders
        return None if holders is None else HoldersSerializer(holders).data

    class Meta:
        model = Response
        fields = [
            "id",
            "force",
            "inspection",
            "status",
            "statutory_due_on",
            "chief_comments_due_on",
            "published_on",
            "published_url",
            "timeliness",
            "ledger",
            "office_holders",
            "current_version",
            "created_at",
        ]
        read_only_fields = fields


class LedgerWriteSerializer(StrictSerializer):
    """The s55 steps OPCC staff record; copies are recorded by the sending task, not here."""

    chief_invited_on = serializers.DateField(required=False, allow_null=True)
    chief_comments_due_on = serializers.DateField(
        required=False,
        allow_null=True,
        help_text=_("By when the chief officer was asked to comment (s55(4)); not before the report."),
    )
    chief_comments_received_on = serializers.DateField(required=False, allow_null=True)
    chief_comments_received_from = serializers.CharField(required=False, allow_blank=True, max_length=200)
    pcc_signed_on = serializers.DateField(required=False, allow_null=True)
    published_url = serializers.URLField(required=False, allow_blank=True, max_length=200)


class HmicfrsClosureSerializer(StrictSerializer):
    closed_on = serializers.DateField()
    reference = serializers.CharField(required=False, allow_blank=True, max_length=120)
    basis = serializers.CharField(max_length=5000)
    hmicfrs_reference = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=60,
        help_text=_("HMICFRS's register reference for the record, if the notice gives it."),
    )
    # Required, as on the page: a closure recorded over a change someone made meanwhile is refused.
    expected_version = serializers.IntegerField(
        min_value=1, help_text=_("The record's `version` you last read; a different one is refused (409).")
    )
