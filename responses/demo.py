"""The five seed forces' 2022 responses as published versions (fixtures/mappa_seed_responses.json).

Safe to repeat: a force that already has a response to the inspection is left as it is.
Staffordshire's response record is undated, so it is loaded as published with the date unknown:
it *was* published (it is public), and inventing a date would make its timeliness a guess. The
documents give no sign-off date either, so none is shown; the s55 ledger carries only the dates a
document gives.
"""

import json
from datetime import date

from django.conf import settings
from django.utils import timezone
from django_scopes import scope

from forces.models import Force
from forces.services import holders_on
from outbox.services import enqueue

from .models import LetterRender, Response, ResponseSection, ResponseVersion
from .services import police_records


def _seed_rows():
    return json.loads(
        (settings.BASE_DIR / "fixtures" / "mappa_seed_responses.json").read_text(encoding="utf-8")
    )


def load_seed_responses(inspection, *, render=True, only=None) -> int:
    """The seed forces' published responses (`only`: these force slugs), each once."""
    created = 0
    for row in _seed_rows():
        if only is not None and row["force"] not in only:
            continue
        force = Force.objects.get(slug=row["force"])
        with scope(force=force.pk):
            if Response.objects.filter(force=force, inspection=inspection).exists():
                continue
            dated = date.fromisoformat(row["response_date"]) if row.get("response_date") else None
            published = date.fromisoformat(row["published_on"]) if row.get("published_on") else None
            response = Response.objects.create(force=force, inspection=inspection)
            # Who held office when it was written (an undated 2022 record: when the report came out).
            holders = holders_on(force, dated or inspection.published_on)
            version = ResponseVersion.objects.create(
                force=force,
                response=response,
                number=1,
                pcc_initial_comments=row.get("pcc_initial_comments", ""),
                chief_officer_comments=row.get("chief_officer_comments", ""),
                pcc_overall_comments=row.get("pcc_overall_comments", ""),
                addressee=row.get("addressee", ""),
                letter_date=dated,
                signatory_name=row.get("signatory_name") or holders.commissioner_name,
                signatory_title=row.get("signatory_title") or holders.commissioner_title,
                # The address the published document itself prints (only Gloucestershire's gives
                # one, kept on the force): the letter carries it as signed; no address is made up.
                letterhead_address=force.letterhead_address,
            )
            answers = row.get("records", {})
            ResponseSection.objects.bulk_create(
                ResponseSection(
                    force=force,
                    version=version,
                    recommendation=record.recommendation,
                    text=answers.get(str(record.recommendation.number), {}).get("progress_text", ""),
                )
                for record in police_records(force, inspection)
            )
            # It was signed off before it was published, but neither who signed nor when is in the
            # published text: the sign-off is recorded now and its date shown as not known.
            version.signed_off_at = timezone.now()
            version.signed_date_known = False
            version.signed_sha256 = version.content_sha256()
            version.save()
            response.current_version = version
            response.published_version = version
            response.published_on = published
            response.status = Response.Status.PUBLISHED
            # The s55 ledger: only what the document itself gives (the rest says "not recorded").
            for name, value in row.get("ledger", {}).items():
                setattr(response, name, date.fromisoformat(value) if name.endswith("_on") else value)
            response.save()
            if render:
                letter = LetterRender.objects.create(force=force, version=version)
                enqueue("responses.render_letter", force_id=force.pk, render_id=letter.pk)
            created += 1
    return created


def load_after_mappa(inspection, stdout):
    created = load_seed_responses(inspection)
    stdout.write(
        f"Loaded {created} seed responses (the others were there already); their letters are queued."
    )
