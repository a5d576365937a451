from django.shortcuts import redirect
from django.views.generic import ListView, TemplateView

from .access import is_national, member_forces
from .models import Force


class HomeView(TemplateView):
    """Send each user to what their role needs."""

    template_name = "forces/home.html"

    def get(self, request, *args, **kwargs):
        user = request.user
        if is_national(user):
            return redirect("national:dashboard")
        forces = list(member_forces(user))
        if len(forces) == 1:
            return redirect(forces[0].get_absolute_url())
        if forces:
            return redirect("forces:list")
        return super().get(request, *args, **kwargs)


class ForceListView(ListView):
    """The forces the user may read: their own, or every force for the national team."""

    template_name = "forces/force_list.html"
    context_object_name = "forces"

    def get_queryset(self):
        if is_national(self.request.user):
            return Force.objects.all()
        return member_forces(self.request.user).order_by("name")
