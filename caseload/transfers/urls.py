"""Transfers: ask for a case, a manager's incoming and outgoing, and the answers."""

from django.urls import path

from . import views

urlpatterns = [
    path("cases/<int:pk>/transfer/", views.case_transfer, name="case_transfer"),
    path("transfers/", views.transfers, name="transfers"),
    path("transfers/<int:pk>/accept/", views.transfer_accept, name="transfer_accept"),
    path("transfers/<int:pk>/decline/", views.transfer_decline, name="transfer_decline"),
    path("transfers/<int:pk>/withdraw/", views.transfer_withdraw, name="transfer_withdraw"),
]
