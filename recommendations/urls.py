from django.urls import path

from . import views

app_name = "recommendations"

urlpatterns = [
    path("records/<int:pk>/", views.RecordDetailView.as_view(), name="record-detail"),
]
