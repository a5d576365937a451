from django.contrib import admin
from guardian.admin import GuardedModelAdmin
from simple_history.admin import SimpleHistoryAdmin

from .models import Force, Membership


@admin.register(Force)
class ForceAdmin(SimpleHistoryAdmin, GuardedModelAdmin):
    list_display = ("name", "country", "commissioner_type", "welsh_language_standards")
    list_filter = ("country", "commissioner_type", "welsh_language_standards")
    search_fields = ("name", "slug")
    prepopulated_fields = {"slug": ("name",)}


@admin.register(Membership)
class MembershipAdmin(SimpleHistoryAdmin):
    list_display = ("user", "force", "role", "created_at")
    list_filter = ("role", "force")
    search_fields = ("user__username", "force__name")
    autocomplete_fields = ("force",)

    def save_model(self, request, obj, form, change):
        # Keep guardian's permissions in step with the role.
        from .services import set_membership

        set_membership(obj.user, obj.force, obj.role)

    def delete_model(self, request, obj):
        from .services import remove_membership

        remove_membership(obj.user, obj.force)
