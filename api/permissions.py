"""The pages' rules, for the API: read if the force scope let the request in, write only if can_edit."""

from django.http import Http404
from rest_framework import permissions

from forces.permissions import EDIT, check_force_permission


class ForceAccess(permissions.BasePermission):
    """ForceScopeMiddleware already answered 404 to anyone who may not read the URL's force.

    Writes need `can_edit` (the force's own people); the national team and administrators read
    only. Like the pages, a write by a read-only role is "not found", never a hint that it exists.
    """

    def has_permission(self, request, view):
        access = getattr(request, "force_access", None)
        if not request.user or not request.user.is_authenticated:
            return False
        if access is None or not access.can_read:
            raise Http404
        if request.method in permissions.SAFE_METHODS:
            return True
        check_force_permission(request, EDIT)
        return True
