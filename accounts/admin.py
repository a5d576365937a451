from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from .models import IdentityProvider, Invitation, User


@admin.register(User)
class UserAdmin(SimpleHistoryAdmin, BaseUserAdmin):
    fieldsets = (
        *BaseUserAdmin.fieldsets,
        (_("MAPPA Tracker"), {"fields": ("is_national_team", "preferred_language", "email_reminders")}),
    )
    list_display = ("username", "email", "first_name", "last_name", "is_national_team", "is_superuser")
    list_filter = ("is_national_team", "is_superuser", "is_active")


@admin.register(IdentityProvider)
class IdentityProviderAdmin(SimpleHistoryAdmin):
    """A force's OpenID Connect provider. The secret itself stays in the environment."""

    list_display = ("force", "display_name", "issuer", "enabled", "password_sign_in")
    list_filter = ("enabled", "password_sign_in")


@admin.register(Invitation)
class InvitationAdmin(SimpleHistoryAdmin):
    """Read only: invitations are made, sent again and cancelled on the people pages."""

    list_display = ("email", "force", "role", "created_at", "expires_at", "accepted_at", "revoked_at")
    list_filter = ("role",)
    search_fields = ("email",)
    exclude = ("token_sha256",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
