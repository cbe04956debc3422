"""Supervision under /supervision/."""

from django.urls import path

from . import views

urlpatterns = [
    path("", views.supervision_mine, name="supervision_mine"),
    path("teams/<int:team_pk>/", views.supervision_team, name="supervision_team"),
    path("workers/<int:worker_pk>/", views.supervision_worker, name="supervision_worker"),
    path("workers/<int:worker_pk>/new/", views.supervision_create, name="supervision_create"),
    path("workers/<int:worker_pk>/plan/", views.supervision_plan, name="supervision_plan"),
    path(
        "workers/<int:worker_pk>/actions/done/",
        views.supervision_action_done,
        name="supervision_action_done",
    ),
]
