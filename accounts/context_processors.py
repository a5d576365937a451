def people(request):
    """Whether the header links to the people pages of the force being viewed.

    Read from the access ForceScopeMiddleware already worked out, so it costs no query.
    """
    user = getattr(request, "user", None)
    access = getattr(request, "force_access", None)
    if user is None or not user.is_authenticated or access is None:
        return {}
    return {"user_manages_force_people": bool(user.is_superuser or access.can_manage_people)}
