"""Dashboards under /reports/."""

from django.urls import path

from . import views

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("organisation/", views.dashboard_organisation, name="dashboard_organisation"),
    path(
        "organisation/download/",
        views.dashboard_organisation_export,
        name="dashboard_organisation_export",
    ),
    path(
        "organisation/forecast/",
        views.forecast_organisation,
        name="dashboard_organisation_forecast",
    ),
    path("services/<int:pk>/", views.dashboard_service, name="dashboard_service"),
    path("services/<int:pk>/forecast/", views.forecast_service, name="dashboard_service_forecast"),
    path(
        "services/<int:pk>/download/",
        views.dashboard_service_export,
        name="dashboard_service_export",
    ),
    path("services/<int:pk>/evidence/", views.evidence_pack, name="evidence_pack"),
    path("teams/<int:pk>/", views.dashboard_team, name="dashboard_team"),
    path("teams/<int:pk>/forecast/", views.forecast_team, name="dashboard_team_forecast"),
    path("teams/<int:pk>/download/", views.dashboard_team_export, name="dashboard_team_export"),
]
