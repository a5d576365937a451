"""What the API reads and writes. Writes go through the same services as the pages."""

from django.utils.translation import gettext_lazy as _
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
        return super().to_internal_value(data)


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
            "latest_update_id",
            "version",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class ProgressUpdateSerializer(serializers.ModelSerializer):
    author = serializers.CharField(source="shown_author", read_only=True)
    record = serializers.IntegerField(source="record_id", read_only=True)
    corrects = serializers.IntegerField(source="corrects_id", read_only=True, allow_null=True)

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
            "signed_sha256",
            "sections",
        ]
        read_only_fields = fields


class ResponseSerializer(serializers.ModelSerializer):
    force = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    inspection = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    current_version = ResponseVersionSerializer(read_only=True, allow_null=True)
    statutory_due_on = serializers.DateField(read_only=True)

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
            "current_version",
            "created_at",
        ]
        read_only_fields = fields
