from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.generic import FormView, ListView

from forces.models import Membership
from forces.permissions import ForcePermissionRequiredMixin
from recommendations.models import Record

from . import services
from .forms import ForceReminderSettingsForm, ReminderPreferencesForm
from .milestones import Offsets
from .models import ForceReminderSettings, ReminderSent


class ForceReminderListView(ListView):
    """The reminders sent for a force's records and responses: what, to whom, when."""

    template_name = "reminders/reminder_list.html"
    context_object_name = "reminders"
    paginate_by = 50

    def get_queryset(self):
        return ReminderSent.objects.select_related(
            "record__recommendation", "response__inspection", "recipient_user"
        ).order_by("-sent_at", "-pk")

    def get_context_data(self, **kwargs):
        own = ForceReminderSettings.objects.filter(force=self.request.force).first()
        return super().get_context_data(
            force=self.request.force, offsets=Offsets.for_force(own), own_settings=own, **kwargs
        )


class RecordReminderListView(ListView):
    """The reminders sent about one record, and its owners who cannot be reached."""

    template_name = "reminders/record_reminder_list.html"

    def get_queryset(self):
        return ReminderSent.objects.none()

    def get_context_data(self, **kwargs):
        record = get_object_or_404(
            Record.objects.select_related("force", "recommendation__inspection"), pk=self.kwargs["pk"]
        )
        return super().get_context_data(**services.record_reminder_status(record), **kwargs)


class ForceReminderSettingsView(ForcePermissionRequiredMixin, FormView):
    """A force's OPCC sets its own reminder offsets."""

    template_name = "reminders/settings_edit.html"
    form_class = ForceReminderSettingsForm

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["instance"] = ForceReminderSettings.objects.filter(force=self.request.force).first()
        return kwargs

    def get_context_data(self, **kwargs):
        return super().get_context_data(force=self.request.force, defaults=Offsets.defaults(), **kwargs)

    def form_valid(self, form):
        try:
            services.save_force_settings(
                self.request.force, acting_user=self.request.user, **form.cleaned_data
            )
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
            return self.form_invalid(form)
        messages.success(self.request, _("Reminder settings saved."))
        return redirect("reminders:force-list", force_slug=self.request.force.slug)


class ReminderPreferencesView(FormView):
    """A user sees and changes their own e-mail preferences."""

    template_name = "reminders/preferences_edit.html"
    form_class = ReminderPreferencesForm

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["instance"] = self.request.user
        return kwargs

    def get_context_data(self, **kwargs):
        is_chief = Membership.objects.filter(
            user=self.request.user, role=Membership.Role.CHIEF_OFFICER
        ).exists()
        return super().get_context_data(is_chief=is_chief, **kwargs)

    def form_valid(self, form):
        services.set_email_reminders(self.request.user, form.cleaned_data["email_reminders"])
        messages.success(self.request, _("Your e-mail preferences are saved."))
        return redirect("reminders:preferences")
