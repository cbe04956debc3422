"""Contacts, visit policies and contact exports (included at the site root)."""

from django.urls import path

from . import views

urlpatterns = [
    path("cases/<int:case_pk>/contacts/", views.case_contact_list, name="case_contact_list"),
    path("cases/<int:case_pk>/contacts/new/", views.contact_create, name="contact_create"),
    path("contacts/<int:pk>/", views.contact_detail, name="contact_detail"),
    path("contacts/<int:pk>/edit/", views.contact_update, name="contact_update"),
    path("contacts/<int:pk>/correct/", views.contact_correct, name="contact_correct"),
    path("contacts/export/", views.contact_export, name="contact_export"),
    path("visit-policies/", views.visit_policies, name="visit_policies"),
]
