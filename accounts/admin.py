from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from .models import User


@admin.register(User)
class UserAdmin(SimpleHistoryAdmin, BaseUserAdmin):
    fieldsets = (
        *BaseUserAdmin.fieldsets,
        (_("MAPPA Tracker"), {"fields": ("is_national_team", "preferred_language", "email_reminders")}),
    )
    list_display = ("username", "email", "first_name", "last_name", "is_national_team", "is_superuser")
    list_filter = ("is_national_team", "is_superuser", "is_active")
