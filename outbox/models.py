from django.db import models
from django.db.models import Q


class OutboxTask(models.Model):
    """A Celery task to send, written in the same transaction as the change that needs it.

    It is sent after the commit; if the broker is down it stays unsent and `outbox.tasks.flush`
    (Celery beat, and `manage.py flush_outbox`) sends it once the broker is back.
    """

    task_name = models.CharField(max_length=200)
    kwargs = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["created_at"], condition=Q(sent_at__isnull=True), name="outbox_unsent")
        ]

    def __str__(self):
        return f"{self.task_name}({self.kwargs}) {'sent' if self.sent_at else 'pending'}"
