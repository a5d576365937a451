from celery import shared_task

from .services import sweep


@shared_task(name="reminders.sweep", acks_late=True)
def sweep_reminders(date: str | None = None) -> dict:
    """The periodic sweep (Celery beat). Safe to run twice or retry: the ledger sends each reminder once."""
    from datetime import date as date_cls

    result = sweep(date_cls.fromisoformat(date) if date else None)
    return {
        "planned": result.planned,
        "sent": result.sent,
        "emails": result.emails,
        "failed": len(result.failed),
    }
