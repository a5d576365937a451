"""An idempotent example task for the fault tests: an imported progress update, keyed by external_ref.

Late acknowledgement means a task whose worker died may run again; the stable key makes the
second run add nothing (the same rule a re-import follows).
"""

import os
import time
from pathlib import Path

from celery import shared_task
from django.db import transaction

from forces.tasks import ForceTask
from recommendations.models import ProgressUpdate, Record
from recommendations.services import add_progress_update, system_access

RUNS = []


@shared_task(name="tests.import_update", base=ForceTask, acks_late=True)
def import_update(*, force_id: int, record_id: int, external_ref: str, text: str, runs_file: str = "") -> str:
    RUNS.append(external_ref)
    first_run = True
    if runs_file:
        # The worker test: note each run, and after the first run's effect wait to be killed.
        path = Path(runs_file)
        first_run = not path.exists()
        with path.open("a") as fh:
            fh.write(f"{os.getpid()}\n")
    with transaction.atomic():
        record = Record.objects.select_for_update().get(pk=record_id)
        if ProgressUpdate.objects.filter(record=record, external_ref=external_ref).exists():
            return "already done"
        add_progress_update(
            record,
            author=None,
            text=text,
            plain_kind=ProgressUpdate.Kind.IMPORTED,
            external_ref=external_ref,
            access=system_access(record.force),
        )
    if runs_file and first_run:
        Path(runs_file + ".effect").write_text("committed")
        time.sleep(60)  # killed here, after the effect is committed and before the ack
    return "done"
