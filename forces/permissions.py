"""The one guard for a force's pages: "may do this here, else the page does not exist (404)".

ForceScopeMiddleware has already refused (404) anyone who may not read the URL's force and put
their ForceAccess on the request. A page that changes data names what it needs: `can_edit` (the
force's own OPCC staff and chief officers) or `can_edit` and `can_sign_off` (chief officers). To
everyone else, including the national team and administrators who read every force, the page
answers 404, never a hint that it exists. Function views use the decorator, class views the mixin
(the shape of pretix's event_permission_required and EventPermissionRequiredMixin).
"""

from functools import wraps

from django.http import Http404

EDIT = ("can_edit",)
SIGN_OFF = ("can_edit", "can_sign_off")
# Publishing a signed response: the force's OPCC staff, on the PCC's behalf (not a chief officer).
PUBLISH = ("can_edit", "can_publish")
# Bringing in a force's published history: its own people, and administrators for any force.
IMPORT_HISTORY = ("can_import_history",)


def has_force_permission(request, permissions=EDIT) -> bool:
    access = getattr(request, "force_access", None)
    return access is not None and all(getattr(access, name) for name in permissions)


def check_force_permission(request, permissions=EDIT) -> None:
    if not has_force_permission(request, permissions):
        raise Http404


def force_permission_required(permissions=EDIT):
    """Decorate a force page's view: 404 unless the user's access has every one of `permissions`."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            check_force_permission(request, permissions)
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


class ForcePermissionRequiredMixin:
    """For class views: `force_permissions` are checked in setup(), before any dispatch() runs.

    Checking in setup() means a view's own dispatch (which often loads the object of the URL)
    only ever runs for a user who may use the page, whatever the order of the view's bases.
    """

    force_permissions = EDIT

    def get_force_permissions(self):
        return self.force_permissions

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        check_force_permission(request, self.get_force_permissions())


def check_administrator(request) -> None:
    """Pages for administrators (superusers) only: to anyone else they do not exist (404)."""
    if not request.user.is_superuser:
        raise Http404


def administrator_required(view):
    """Decorate an administrator-only function view: 404 for everyone else."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        check_administrator(request)
        return view(request, *args, **kwargs)

    return wrapped


class AdministratorRequiredMixin:
    """For administrator-only class views: checked in setup(), before any dispatch() runs."""

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        check_administrator(request)
