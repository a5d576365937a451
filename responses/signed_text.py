"""The text a chief officer last signed about one record: the record's section in the latest signed
version of its inspection's s55 response. The record's sign-off page compares the force's latest
answer with it ("what changed since the version you signed")."""

from .models import ResponseSection


def signed_text_for_record(record) -> dict | None:
    section = (
        ResponseSection.objects.filter(
            version__response__force_id=record.force_id,
            recommendation_id=record.recommendation_id,
            version__signed_off_at__isnull=False,
        )
        .select_related("version", "version__signed_off_by")
        .order_by("-version__number")
        .first()
    )
    if section is None:
        return None
    return {"text": section.text, "version": section.version}
