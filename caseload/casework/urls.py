"""The organisation, teams, workers, My caseload and cases."""

from django.urls import path

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path("organisation/", views.organisation, name="organisation"),
    path("teams/", views.team_list, name="team_list"),
    path("teams/<int:pk>/", views.team_detail, name="team_detail"),
    path("workers/<int:pk>/", views.worker_detail, name="worker_detail"),
    path("workers/<int:pk>/edit/", views.worker_update, name="worker_update"),
    path("my-caseload/", views.my_caseload, name="my_caseload"),
    path("cases/<int:pk>/", views.case_detail, name="case_detail"),
    path("cases/<int:pk>/edit/", views.case_update, name="case_update"),
    path("cases/<int:pk>/close/", views.case_close, name="case_close"),
    path("people/<int:participant_pk>/cases/new/", views.case_create, name="case_create"),
]
