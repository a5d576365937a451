from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views.generic import FormView, ListView, TemplateView

from .access import is_national, member_forces
from .forms import OfficeHoldingForm
from .models import Force, OfficeHolding
from .permissions import AdministratorRequiredMixin
from .services import HOLDING_FIELDS, holders_on, save_office_holding


@method_decorator(login_not_required, name="dispatch")
class HomeView(TemplateView):
    """Send each user to what their role needs; a signed-out visitor gets the start page."""

    template_name = "forces/home.html"

    def get(self, request, *args, **kwargs):
        user = request.user
        if not user.is_authenticated:
            return render(request, "forces/start.html")
        if is_national(user):
            return redirect("national:dashboard")
        forces = list(member_forces(user))
        if len(forces) == 1:
            # Straight to what waits for them in their force (sign-offs for a chief officer).
            return redirect("recommendations:home", force_slug=forces[0].slug)
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


class OfficeHoldingsView(AdministratorRequiredMixin, FormView):
    """A force's arrangements and office-holders by date, and a form to add or change one."""

    template_name = "forces/office_holdings.html"
    form_class = OfficeHoldingForm

    def get_holding(self):
        if "pk" not in self.kwargs:
            return None
        return get_object_or_404(OfficeHolding, pk=self.kwargs["pk"], force=self.request.force)

    def get_initial(self):
        holding = self.get_holding()
        if holding is None:
            return {}
        return {name: getattr(holding, name) for name in HOLDING_FIELDS}

    def get_context_data(self, **kwargs):
        force = self.request.force
        holdings = list(OfficeHolding.objects.filter(force=force))
        return super().get_context_data(
            force=force,
            holdings=holdings,
            editing=self.get_holding(),
            today=holders_on(force, holdings=holdings),
            **kwargs,
        )

    def form_valid(self, form):
        try:
            save_office_holding(
                self.request.force, user=self.request.user, data=form.cleaned_data, holding=self.get_holding()
            )
        except ValidationError as error:
            if hasattr(error, "error_dict"):
                for name, errors in error.error_dict.items():
                    form.add_error(name if name in form.fields else None, errors)
            else:
                form.add_error(None, error.messages)
            return self.form_invalid(form)
        messages.success(self.request, _("Office-holder saved"))
        return redirect("forces:office-holders", force_slug=self.request.force.slug)
