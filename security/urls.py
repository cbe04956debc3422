from django.urls import path

from . import views

urlpatterns = [
    path("cases/<int:pk>/access/", views.case_access_log, name="case_access_log"),
    path("people/<int:pk>/access/", views.participant_access_log, name="participant_access_log"),
    path("session/extend/", views.session_extend, name="session_extend"),
    path("session/status/", views.session_status, name="session_status"),
    path("subject-access/", views.subject_access, name="subject_access"),
    path("subject-access/<int:pk>/", views.subject_access_export, name="subject_access_export"),
    path("retention/", views.retention_reviews, name="retention_reviews"),
    path("two-factor/", views.two_factor, name="two_factor"),
]
