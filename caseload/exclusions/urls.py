"""Exclusions: a case's list and form, and removing one."""

from django.urls import path

from . import views

urlpatterns = [
    path("cases/<int:pk>/exclusions/", views.case_exclusions, name="case_exclusions"),
    path("exclusions/<int:pk>/remove/", views.exclusion_remove, name="exclusion_remove"),
]
