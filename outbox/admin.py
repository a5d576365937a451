from django.contrib import admin

from .models import OutboxTask


@admin.register(OutboxTask)
class OutboxTaskAdmin(admin.ModelAdmin):
    list_display = ("task_name", "created_at", "sent_at", "attempts")
    list_filter = ("task_name",)
    readonly_fields = ("task_name", "kwargs", "created_at", "sent_at", "attempts", "last_error")
