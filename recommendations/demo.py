"""Load the MAPPA inspection (fixtures/mappa_inspection.json) and the five seed forces' 2022 answers
(fixtures/mappa_seed_responses.json) as records and progress updates. Safe to repeat: rows are
matched on natural keys and progress updates on a stable external reference.
"""

import json
from datetime import date

from django.conf import settings
from django_scopes import scope

from forces.models import Force

from .models import Addressee, Inspection, Owner, ProgressUpdate, Recommendation, Record
from .services import (
    add_progress_update,
    create_force_records,
    save_owner,
    set_record_owners,
    system_access,
)

FIXTURES = settings.BASE_DIR / "fixtures"
MAPPA_SLUG = "mappa-2022"


def _read(name):
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


def load_inspection(data: dict) -> Inspection:
    meta = dict(data["inspection"])
    meta["inspectorates"] = "\n".join(meta.get("inspectorates", []))
    meta["published_on"] = date.fromisoformat(meta["published_on"])
    slug = meta.pop("slug")
    inspection, _ = Inspection.objects.update_or_create(slug=slug, defaults=meta)
    addressees = {}
    for row in data["addressees"]:
        addressees[row["slug"]], _ = Addressee.objects.update_or_create(
            slug=row["slug"],
            defaults={"name": row["name"], "name_cy": row.get("name_cy", ""), "is_police": row["is_police"]},
        )
    for row in data["recommendations"]:
        rec, _ = Recommendation.objects.update_or_create(
            inspection=inspection,
            kind=row.get("kind", Recommendation.Kind.RECOMMENDATION),
            number=row["number"],
            defaults={"text": row["text"], "lead_in": row.get("lead_in", "")},
        )
        rec.addressees.set([addressees[slug] for slug in row["addressees"]])
    create_force_records(inspection)
    return inspection


def load_seed_progress(inspection: Inspection) -> int:
    """Each seed force's answer to 14, 15, 18 and 19, in the voice and on the date of its document.

    An answer belongs to whoever wrote it (the PCC, the chief officer, or an officer for them); an
    undated document gives undated entries ("date not known"), never a date of our own.
    """
    added = 0
    for response in _read("mappa_seed_responses.json"):
        force = Force.objects.get(slug=response["force"])
        dated = date.fromisoformat(response["progress_dated"]) if response.get("progress_dated") else None
        voice = response.get("progress_voice", ProgressUpdate.Voice.PCC)
        if voice == ProgressUpdate.Voice.PCC:
            author = response.get("signatory_name") or force.commissioner_name
            title = response.get("signatory_title") or force.commissioner_title
            shown_author = ", ".join(part for part in (author, title) if part)
        else:
            shown_author = response.get("progress_author", "")
        with scope(force=force.pk):
            for number, answer in response["records"].items():
                record = Record.objects.get(
                    recommendation__inspection=inspection, recommendation__number=int(number)
                )
                if answer.get("owner_role") or answer.get("owner_name"):
                    _add_owner_from_document(record, answer, author_name=shown_author, dated=dated)
                ref = f"seed:{inspection.slug}:{force.slug}:{number}"
                if ProgressUpdate.objects.filter(record=record, external_ref=ref).exists():
                    continue
                add_progress_update(
                    record,
                    author=None,
                    author_name=shown_author,
                    text=answer["progress_text"],
                    dated=dated,
                    date_not_known=dated is None,
                    status=answer["status"],
                    rag=answer.get("rag", ""),
                    reason=answer.get("status_reason", ""),
                    external_ref=ref,
                    access=system_access(force),
                    voice=voice,
                    source_document=response.get("progress_source", ""),
                    source_dated=dated,
                )
                added += 1
    return added


def _add_owner_from_document(record: Record, answer: dict, *, author_name: str, dated) -> None:
    """The owner a seed document names, added through the owner service so that the record's
    timeline says so (with the document's date, or "date not known"), as a page would."""
    access = system_access(record.force)
    role_title, name = answer.get("owner_role", ""), answer.get("owner_name", "")
    owner = Owner.objects.filter(force=record.force, role_title=role_title, name=name).first()
    if owner is None:
        owner = save_owner(record.force, acting_user=None, name=name, role_title=role_title, access=access)
    set_record_owners(
        record,
        acting_user=None,
        owners=[*record.owners.all(), owner],
        access=access,
        dated=dated,
        date_not_known=dated is None,
        author_name=author_name,
    )


def load_mappa() -> Inspection:
    inspection = load_inspection(_read("mappa_inspection.json"))
    load_seed_progress(inspection)
    return inspection
