"""Outcomes under /outcomes/."""

from django.urls import path

from . import views

urlpatterns = [
    path("cases/<int:case_pk>/", views.case_outcomes, name="case_outcomes"),
    path("cases/<int:case_pk>/stage/", views.stage_create, name="outcomes_stage_create"),
    path("cases/<int:case_pk>/review/", views.review_create, name="outcomes_review_create"),
    path("teams/<int:team_pk>/", views.outcomes_team, name="outcomes_team"),
    path("services/<int:pk>/", views.outcomes_service, name="outcomes_service"),
]
