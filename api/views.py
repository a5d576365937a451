"""The REST API: records, their progress updates, owners and responses, scoped to one force.

Every URL carries `force_slug`, so ForceScopeMiddleware scopes the request exactly as it scopes
a page: querysets only find the URL's force's rows and another force's id is a 404.
"""

from django.contrib.auth.decorators import login_not_required
from django.db import transaction
from django.db.models import F
from django.shortcuts import get_object_or_404
from django.utils.decorators import method_decorator
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import generics, mixins, status
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response as ApiResponse

from recommendations.models import Owner, ProgressUpdate, Record
from recommendations.services import (
    add_progress_update,
    record_hmicfrs_closure,
    save_owner,
    set_hmicfrs_reference,
)
from responses.models import Response
from responses.services import ledger, record_ledger

from . import serializers
from .authentication import SessionAuthentication, TokenAuthentication
from .parsers import BoundedJSONParser
from .permissions import ForceAccess

ERRORS = {
    400: OpenApiResponse(description="Invalid input: the body names the fields and what is wrong."),
    403: OpenApiResponse(description="Signed in without permission, or a session POST without a CSRF token."),
    404: OpenApiResponse(description="No such force or object, or not one the user may see or change."),
}


@method_decorator(login_not_required, name="dispatch")
class ForceApiView(generics.GenericAPIView):
    """Base for every force endpoint: JSON only, the pages' rules via request.force_access."""

    authentication_classes = [TokenAuthentication, SessionAuthentication]
    permission_classes = [ForceAccess]
    parser_classes = [BoundedJSONParser]
    renderer_classes = [JSONRenderer]


@extend_schema_view(
    get=extend_schema(
        summary="List the force's records", responses={200: serializers.RecordSerializer(many=True), **ERRORS}
    )
)
class RecordList(mixins.ListModelMixin, ForceApiView):
    serializer_class = serializers.RecordSerializer

    def get_queryset(self):
        return Record.objects.for_overview().order_by("pk")

    def get(self, request, *args, **kwargs):
        return self.list(request, *args, **kwargs)


@extend_schema_view(
    get=extend_schema(summary="One record", responses={200: serializers.RecordSerializer, **ERRORS})
)
class RecordDetail(mixins.RetrieveModelMixin, ForceApiView):
    serializer_class = serializers.RecordSerializer

    def get_queryset(self):
        return Record.objects.for_overview()

    def get(self, request, *args, **kwargs):
        return self.retrieve(request, *args, **kwargs)

    @extend_schema(
        summary="Change a record's HMICFRS register reference",
        request=serializers.RecordChangeSerializer,
        responses={
            200: serializers.RecordSerializer,
            **ERRORS,
            409: OpenApiResponse(description="`expected_version` is not the record's version."),
        },
    )
    def patch(self, request, *args, **kwargs):
        record = self.get_object()
        incoming = serializers.RecordChangeSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        set_hmicfrs_reference(
            record,
            user=request.user,
            access=request.force_access,
            reference=data["hmicfrs_reference"],
            expected_version=data["expected_version"],
        )
        return ApiResponse(serializers.RecordSerializer(self.get_queryset().get(pk=record.pk)).data)


class UpdateList(mixins.ListModelMixin, ForceApiView):
    """A record's progress updates, newest first. Append-only: add one with POST; none is changed."""

    serializer_class = serializers.ProgressUpdateSerializer

    def get_record(self) -> Record:
        if not hasattr(self, "_record"):
            self._record = get_object_or_404(Record.objects.all(), pk=self.kwargs["record_pk"])
        return self._record

    def get_queryset(self):
        return (
            ProgressUpdate.objects.filter(record=self.get_record())
            .select_related("author")
            .order_by(F("dated").desc(nulls_last=True), "-created_at", "-pk")
        )

    @extend_schema(
        summary="List a record's progress updates",
        responses={200: serializers.ProgressUpdateSerializer(many=True), **ERRORS},
    )
    def get(self, request, *args, **kwargs):
        return self.list(request, *args, **kwargs)

    @extend_schema(
        summary="Add a progress update (and optionally a status step)",
        request=serializers.ProgressUpdateCreateSerializer,
        responses={
            201: serializers.ProgressUpdateSerializer,
            **ERRORS,
            409: OpenApiResponse(
                description="`expected_version` is not the record's version (stale or replayed)."
            ),
        },
    )
    def post(self, request, *args, **kwargs):
        record = self.get_record()
        incoming = serializers.ProgressUpdateCreateSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        corrects = None
        if data.get("corrects"):
            corrects = ProgressUpdate.objects.filter(pk=data["corrects"], record=record).first()
            if corrects is None:
                return ApiResponse(
                    {"corrects": ["No progress update with this id on this record."]},
                    status=status.HTTP_400_BAD_REQUEST,
                )
        result = add_progress_update(
            record,
            author=request.user,
            access=request.force_access,
            text=data["text"],
            dated=data.get("dated"),
            status=data.get("status"),
            rag=data.get("rag"),
            corrects=corrects,
            reason=data.get("reason", ""),
            expected_version=data["expected_version"],
            voice=data.get("voice", ""),
            author_name=data.get("author_name", ""),
            source_document=data.get("source_document", ""),
            source_dated=data.get("source_dated"),
        )
        body = serializers.ProgressUpdateSerializer(result.update).data
        return ApiResponse(body, status=status.HTTP_201_CREATED)


class OwnerList(mixins.ListModelMixin, ForceApiView):
    serializer_class = serializers.OwnerSerializer

    def get_queryset(self):
        return Owner.objects.order_by("pk")

    @extend_schema(
        summary="List the force's owners", responses={200: serializers.OwnerSerializer(many=True), **ERRORS}
    )
    def get(self, request, *args, **kwargs):
        return self.list(request, *args, **kwargs)

    @extend_schema(
        summary="Add an owner (a person or a role)",
        request=serializers.OwnerSerializer,
        responses={201: serializers.OwnerSerializer, **ERRORS},
    )
    def post(self, request, *args, **kwargs):
        incoming = serializers.OwnerSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        owner = save_owner(
            request.force, acting_user=request.user, access=request.force_access, **incoming.validated_data
        )
        return ApiResponse(serializers.OwnerSerializer(owner).data, status=status.HTTP_201_CREATED)


@extend_schema_view(
    get=extend_schema(summary="One owner", responses={200: serializers.OwnerSerializer, **ERRORS})
)
class OwnerDetail(mixins.RetrieveModelMixin, ForceApiView):
    serializer_class = serializers.OwnerSerializer

    def get_queryset(self):
        return Owner.objects.all()

    def get(self, request, *args, **kwargs):
        return self.retrieve(request, *args, **kwargs)


def _responses():
    # Everything the serializer reads (the ledger's published version, the office-holders on the
    # response's date), so a list asks a fixed number of queries whatever its length.
    return Response.objects.select_related(
        "force", "inspection", "current_version", "published_version"
    ).prefetch_related("current_version__sections__recommendation", "force__office_holdings")


@extend_schema_view(
    get=extend_schema(
        summary="List the force's section 55 responses",
        responses={200: serializers.ResponseSerializer(many=True), **ERRORS},
    )
)
class ResponseList(mixins.ListModelMixin, ForceApiView):
    serializer_class = serializers.ResponseSerializer

    def get_queryset(self):
        return _responses().order_by("pk")

    def get(self, request, *args, **kwargs):
        return self.list(request, *args, **kwargs)


@extend_schema_view(
    get=extend_schema(
        summary="One section 55 response", responses={200: serializers.ResponseSerializer, **ERRORS}
    )
)
class ResponseDetail(mixins.RetrieveModelMixin, ForceApiView):
    serializer_class = serializers.ResponseSerializer

    def get_queryset(self):
        return _responses()

    def get(self, request, *args, **kwargs):
        return self.retrieve(request, *args, **kwargs)


class ResponseLedger(ForceApiView):
    """A response's s55 steps: read them, or record those OPCC staff know of (POST, partial)."""

    serializer_class = serializers.ResponseSerializer
    pagination_class = None  # a fixed list of six steps, never paged

    def get_object(self):
        return get_object_or_404(_responses(), pk=self.kwargs["pk"])

    @extend_schema(
        summary="A response's s55 steps",
        responses={200: serializers.LedgerEntrySerializer(many=True), **ERRORS},
    )
    def get(self, request, *args, **kwargs):
        return ApiResponse(serializers.LedgerEntrySerializer(ledger(self.get_object()), many=True).data)

    @extend_schema(
        summary="Record a response's s55 steps (only the fields sent change)",
        request=serializers.LedgerWriteSerializer,
        responses={200: serializers.ResponseSerializer, **ERRORS},
    )
    def post(self, request, *args, **kwargs):
        response = self.get_object()
        incoming = serializers.LedgerWriteSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        response = record_ledger(response, user=request.user, values=dict(incoming.validated_data))
        return ApiResponse(serializers.ResponseSerializer(self.get_object()).data)


class RecordHmicfrsClosure(ForceApiView):
    """Record HMICFRS's closure notice on a record (a third event, beside implemented and sign-off)."""

    serializer_class = serializers.RecordSerializer

    @extend_schema(
        summary="Record that HMICFRS authorised closure",
        request=serializers.HmicfrsClosureSerializer,
        responses={200: serializers.RecordSerializer, **ERRORS},
    )
    def post(self, request, *args, **kwargs):
        record = get_object_or_404(Record.objects.all(), pk=self.kwargs["pk"])
        incoming = serializers.HmicfrsClosureSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        with transaction.atomic():  # the closure and the register reference, or neither
            record = record_hmicfrs_closure(
                record,
                user=request.user,
                access=request.force_access,
                closed_on=data["closed_on"],
                reference=data.get("reference", ""),
                basis=data["basis"],
                expected_version=data.get("expected_version"),
            )
            if "hmicfrs_reference" in data:
                record = set_hmicfrs_reference(
                    record,
                    user=request.user,
                    access=request.force_access,
                    reference=data["hmicfrs_reference"],
                    expected_version=record.version,
                )
        return ApiResponse(serializers.RecordSerializer(Record.objects.for_overview().get(pk=record.pk)).data)
