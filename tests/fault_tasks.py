"""An idempotent example task for the fault tests: an imported progress update, keyed by external_ref.

Late acknowledgement means a task whose worker died may run again; the stable key makes the
second run add nothing (the same rule a re-import follows).
"""

from celery import shared_task
from django.db import transaction

from forces.tasks import ForceTask
from recommendations.models import ProgressUpdate, Record
from recommendations.services import add_progress_update

RUNS = []


@shared_task(name="tests.import_update", base=ForceTask, acks_late=True)
def import_update(*, force_id: int, record_id: int, external_ref: str, text: str) -> str:
    RUNS.append(external_ref)
    with transaction.atomic():
        record = Record.objects.select_for_update().get(pk=record_id)
        if ProgressUpdate.objects.filter(record=record, external_ref=external_ref).exists():
            return "already done"
        add_progress_update(
            record,
            author=None,
            text=text,
            kind=ProgressUpdate.Kind.IMPORTED,
            external_ref=external_ref,
            check_permission=False,
        )
    return "done"
