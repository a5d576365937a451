def people(request):
    """Whether the header links to the people pages of the force being viewed (or the national team)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    from .people import can_manage

    force = getattr(request, "force", None)
    return {"user_manages_force_people": force is not None and can_manage(user, force)}
