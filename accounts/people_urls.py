"""People pages: a force's under forces/<force>/people/, the national team's, and the invitation link."""

from django.urls import path

from . import people_views as views

app_name = "people"


def _team_paths(prefix: str, names: str, national: bool):
    return [
        path(f"{prefix}", views.PeopleListView.as_view(national=national), name=f"{names}list"),
        path(f"{prefix}invite/", views.InviteView.as_view(national=national), name=f"{names}invite"),
        path(f"{prefix}audit/", views.PeopleAuditView.as_view(national=national), name=f"{names}audit"),
        path(f"{prefix}<int:pk>/", views.PersonView.as_view(national=national), name=f"{names}person"),
        path(
            f"{prefix}<int:pk>/deactivate/",
            views.DeactivateView.as_view(national=national),
            name=f"{names}deactivate",
        ),
        path(
            f"{prefix}invitations/<int:pk>/resend/",
            views.InvitationActionView.as_view(national=national, action="resend"),
            name=f"{names}invitation-resend",
        ),
        path(
            f"{prefix}invitations/<int:pk>/cancel/",
            views.InvitationActionView.as_view(national=national, action="cancel"),
            name=f"{names}invitation-cancel",
        ),
    ]


urlpatterns = [
    *_team_paths("forces/<slug:force_slug>/people/", "", national=False),
    *_team_paths("national-team/people/", "national-", national=True),
    path("invitations/<str:token>/", views.AcceptInvitationView.as_view(), name="accept"),
]
