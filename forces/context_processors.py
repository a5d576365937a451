from .access import is_national


def tenancy(request):
    user = getattr(request, "user", None)
    return {
        "current_force": getattr(request, "force", None),
        "force_access": getattr(request, "force_access", None),
        "user_is_national": bool(user and is_national(user)),
    }
