"""Resolve the force from the URL, check the user may see it, and scope everything inside.

Every URL of a force's pages carries `force_slug`. The view *and* its template rendering run
inside `django_scopes.scope(force=...)`, so a scoped model can only return that force's rows: an
id of another force's object simply is not found (404), whatever the view forgets.
Pages without a force are scoped to the user's own forces; the national dashboard is the one
module that lifts the scope, explicitly.
"""

from django.http import Http404
from django.urls import Resolver404, resolve
from django_scopes import scope, scopes_disabled

from .access import access_for, member_forces
from .models import Force


class ForceScopeMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.force = None
        request.force_access = None
        try:
            match = resolve(request.path_info)
        except Resolver404:
            match = None
        slug = match.kwargs.get("force_slug") if match else None
        user = request.user

        if slug is None or not user.is_authenticated:
            # Anonymous users see no force's private data; LoginRequiredMiddleware sends them to sign in.
            own = list(member_forces(user).values_list("pk", flat=True)) if user.is_authenticated else []
            with scope(force=own):
                return self.get_response(request)

        with scopes_disabled():
            force = Force.objects.filter(slug=slug).first()
        if force is None:
            raise Http404("No such force.")
        access = access_for(user, force)
        if not access.can_read:
            raise Http404("No such force.")
        request.force = force
        request.force_access = access
        with scope(force=force.pk):
            return self.get_response(request)
