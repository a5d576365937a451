"""Work that survives a dead worker: the stuck-work sweep (a beat task, every minute).

An import job whose worker died (killed, out of memory, machine restarted) would otherwise stay
"being checked" until the broker's visibility timeout hands its message to another worker. The
sweep finds jobs that are running on paper but that no worker holds:

- a job's worker holds a lock on its row for the whole run (services.run_once), so on PostgreSQL
  a job row that can be locked (SKIP LOCKED) and has not changed for STUCK_WORK_AFTER_SECONDS has
  no live worker; elsewhere the age alone decides;
- the first time, the job is queued again (through the outbox) and the job page says so;
- the second time, it is marked failed with the reason, and the job page offers "Try again".

Running the job twice is harmless: a run skips a job that has finished or that another worker
holds, so the rows are applied exactly once. Letter renders left "rendering" by a dead worker are
handled the same way (one new render, then failed with the page's retry button). A published
response's reading (history) left "being read", or a quarterly pack's PDF left pending, past its
task's hard time limit is marked failed.
"""

from history import services as history_services
from national import services as national_services
from responses import services as responses_services

from . import services


def sweep(now=None) -> dict:
    """Each kind of work is recovered by the service that owns it."""
    return {
        "imports": services.recover_stopped_jobs(now),
        "renders": responses_services.recover_stopped_renders(now),
        "history": history_services.fail_stopped_readings(now),
        "packs": national_services.fail_stopped_pack_renders(now),
    }
