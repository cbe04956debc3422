"""Check-ins under /checkins/."""

from django.urls import path

from . import views

urlpatterns = [
    path("", views.checkin_list, name="checkin_list"),
    path("new/", views.checkin_create, name="checkin_create"),
    path("teams/<int:pk>/", views.team_checkins, name="team_checkins"),
]
