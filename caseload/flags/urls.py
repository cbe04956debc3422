"""Flags, notifications and the record of background runs."""

from django.urls import path

from . import views

urlpatterns = [
    path("teams/<int:pk>/flags/", views.team_flags, name="team_flags"),
    path("flags/<int:pk>/acknowledge/", views.flag_acknowledge, name="flag_acknowledge"),
    path("notifications/", views.notifications, name="notifications"),
    path("task-runs/", views.task_runs, name="task_runs"),
]
