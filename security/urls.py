from django.urls import path

from . import views

urlpatterns = [
    path("cases/<int:pk>/access/", views.case_access_log, name="case_access_log"),
    path("session/extend/", views.session_extend, name="session_extend"),
    path("session/status/", views.session_status, name="session_status"),
    path("retention/", views.retention_reviews, name="retention_reviews"),
    path("two-factor/", views.two_factor, name="two_factor"),
    path("sso/start/", views.SsoStart.as_view(), name="sso_start"),
    path("sso/callback/", views.SsoCallback.as_view(), name="sso_callback"),
]
