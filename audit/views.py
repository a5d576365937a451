"""The audit trail, read: a record's whole life, and a CSV export for administrators and the national team."""

import csv
from datetime import datetime, time

from django.core.exceptions import PermissionDenied
from django.http import StreamingHttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.generic import TemplateView

from forces.access import is_national
from recommendations.models import Record
from spreadsheets.formulas import escape_formula

from .history import history_entries, history_models, record_history
from .models import AuditEvent
from .services import record_event


class RecordHistoryView(TemplateView):
    """Everything that happened to one record: its own history, its timeline, its owners, events."""

    template_name = "audit/record_history.html"

    def get_context_data(self, **kwargs):
        # Record.objects is scoped to the URL's force: another force's id is not found.
        record = get_object_or_404(
            Record.objects.select_related("recommendation__inspection", "force"), pk=self.kwargs["pk"]
        )
        entries = record_history(record)
        return super().get_context_data(record=record, entries=entries, **kwargs)


def _safe(value) -> str:
    """Text for a CSV cell, escaped against formula injection by the one shared function."""
    return escape_formula("" if value is None else str(value))


class _Echo:
    def write(self, value):
        return value


class AuditExportView(TemplateView):
    """CSV of the whole audit trail (optionally one force, from a date): administrators and national team."""

    template_name = "audit/export.html"

    def dispatch(self, request, *args, **kwargs):
        if not is_national(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get(self, request, *args, **kwargs):
        if "download" not in request.GET:
            return super().get(request, *args, **kwargs)
        try:
            since = _since(request.GET)
        except ValueError:  # 2023-02-30, 2023-13-01, or not a date at all
            context = self.get_context_data(
                since_error=_("Enter a real date, for example 14 7 2022, or leave the date empty"),
            )
            return self.render_to_response(context, status=400)
        start = timezone.make_aware(datetime.combine(since, time.min)) if since else None
        record_event(
            request,
            AuditEvent.Action.EXPORT,
            summary=_("Exported the audit trail"),
            since=str(since or ""),
        )
        writer = csv.writer(_Echo())

        def rows():
            yield writer.writerow(
                ["when", "who", "object_type", "object_id", "action", "field", "before", "after", "request"]
            )
            for _model, historical in history_models():
                qs = historical.objects.select_related("history_user").order_by(
                    "id", "history_date", "history_id"
                )
                for entry in history_entries(qs):
                    if start and entry.at < start:
                        continue
                    for change in entry.changes or [None]:
                        yield writer.writerow(
                            [
                                _safe(entry.at.isoformat()),
                                _safe(entry.who),
                                entry.object_type,
                                _safe(entry.object_id),
                                entry.action,
                                _safe(change.field if change else ""),
                                _safe(change.before if change else ""),
                                _safe(change.after if change else ""),
                                _safe(entry.reason),
                            ]
                        )
            events = AuditEvent.objects.order_by("at", "pk")
            if start:
                events = events.filter(at__gte=start)
            for event in events.iterator():
                yield writer.writerow(
                    [
                        _safe(event.at.isoformat()),
                        _safe(event.username),
                        "audit.auditevent",
                        event.pk,
                        event.action,
                        _safe(event.summary),
                        "",
                        _safe(event.data),
                        _safe(
                            f"req {event.request_id[:12]} {event.ip_address or '-'} {event.method} {event.path}"
                        ),
                    ]
                )

        name = f"mappa-audit-{timezone.localdate():%Y-%m-%d}.csv"
        response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response


def _since(query):
    """The export's "from" date: the GOV.UK day/month/year boxes (or `since` as an ISO date).

    ValueError for a date that is not a real one (30 February, month 13): exporting the whole trail
    instead would hand over more than was asked for without saying so.
    """
    from datetime import date

    from frontend.forms import GovukDateInput

    raw = GovukDateInput().value_from_datadict(query, None, "since")
    return date.fromisoformat(raw) if raw else None
