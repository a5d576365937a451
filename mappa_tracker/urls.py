from django.contrib import admin
from django.urls import include, path

from forces.views import HomeView

from .health import healthz

urlpatterns = [
    path("", HomeView.as_view(), name="home"),
    path("healthz", healthz, name="healthz"),
    path("accounts/", include("accounts.urls")),
    path("accounts/sso/", include("accounts.oidc_urls")),  # single sign-on with a force's provider
    path("forces/", include("forces.urls")),
    path("forces/<slug:force_slug>/", include("recommendations.urls")),
    path("inspections/", include("recommendations.inspection_urls")),
    # Each app below names its own paths, force pages under forces/<force_slug>/.
    path("", include("responses.urls")),
    path("", include("reminders.urls")),
    path("", include("national.urls")),
    path("", include("spreadsheets.urls")),
    path("", include("api.urls")),
    path("", include("frontend.urls")),  # language switch and preference
    path("", include("audit.urls")),
    path("", include("history.urls")),
    path("", include("accounts.people_urls")),  # a team's people, and invitation links
    path("admin/", admin.site.urls),
]

handler400 = "frontend.views.bad_request"
handler403 = "frontend.views.permission_denied"
handler404 = "frontend.views.page_not_found"
handler500 = "frontend.views.server_error"
