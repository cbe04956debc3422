"""Allocation pages: the queue, allocating a case, a leaver's caseload, rebalancing."""

from django.urls import path

from . import views

urlpatterns = [
    path("teams/<int:pk>/queue/", views.team_queue, name="team_queue"),
    path("teams/<int:pk>/rebalance/", views.team_rebalance, name="team_rebalance"),
    path("cases/<int:pk>/allocate/", views.case_allocate, name="case_allocate"),
    path("workers/<int:pk>/reallocate/", views.worker_leaver, name="worker_leaver"),
]
