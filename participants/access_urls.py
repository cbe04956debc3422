"""A person's access log and subject access, under /security/ with the other audit pages."""

from django.urls import path

from . import access_views

urlpatterns = [
    path(
        "people/<int:pk>/access/",
        access_views.participant_access_log,
        name="participant_access_log",
    ),
    path("subject-access/", access_views.subject_access, name="subject_access"),
    path(
        "subject-access/<int:pk>/",
        access_views.subject_access_export,
        name="subject_access_export",
    ),
]
