from django.urls import path

from . import public, views, views_sign_off

app_name = "responses"

# Mounted at the site root: this app names its own paths (force pages under forces/<force_slug>/).
_force = "forces/<slug:force_slug>/responses/"
# Public pages name the force `slug`, not `force_slug`: they need no membership (see views).
_public = "public/<slug:slug>/responses/"

urlpatterns = [
    path(_force, views.response_list, name="list"),
    path(f"{_force}letterhead/", views.letterhead_edit, name="letterhead"),
    path(f"{_force}start/<int:inspection_pk>/", views.response_start, name="start"),
    path(f"{_force}<int:pk>/", views.response_detail, name="detail"),
    path(f"{_force}<int:pk>/edit/", views.response_edit, name="edit"),
    path(f"{_force}<int:pk>/submit/", views.response_submit, name="submit"),
    path(f"{_force}<int:pk>/sign-off/", views_sign_off.response_sign_off, name="sign-off"),
    path(f"{_force}<int:pk>/publish/", views.response_publish, name="publish"),
    path(f"{_force}<int:pk>/versions/", views.response_history, name="history"),
    path(
        f"{_force}<int:pk>/versions/<int:number>/changes/",
        views_sign_off.version_changes,
        name="version-changes",
    ),
    path(f"{_force}<int:pk>/ledger/", views.response_ledger, name="ledger"),
    path(f"{_force}<int:pk>/letter/render/", views.letter_render, name="letter-render"),
    path(f"{_force}<int:pk>/letter/status/", views.letter_status, name="letter-status"),
    path(f"{_force}<int:pk>/letter/<int:render_pk>/download/", views.letter_download, name="letter-download"),
    # The public front door: every force's published responses, as a page, open data and feeds.
    path("public/", public.front_door, name="public-index"),
    path("public/responses.<str:fmt>", public.open_data, name="public-data"),
    path("public/feed.atom", public.public_feed, name="public-feed"),
    path("public/<slug:slug>/responses/feed.atom", public.public_feed, name="public-force-feed"),
    path(_public, views.public_list, name="public-list"),
    path(f"{_public}<int:pk>/", views.public_detail, name="public-detail"),
    path(f"{_public}<int:pk>/letter.pdf", views.public_letter, name="public-letter"),
]
