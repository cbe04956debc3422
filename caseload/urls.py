"""URL configuration: each app's pages under its own prefix."""

from django.contrib import admin
from django.urls import include, path

from . import allocation_views, flag_views, views

urlpatterns = [
    path("", views.home, name="home"),
    path("organisation/", views.organisation, name="organisation"),
    path("teams/", views.team_list, name="team_list"),
    path("teams/<int:pk>/", views.team_detail, name="team_detail"),
    path("teams/<int:pk>/flags/", flag_views.team_flags, name="team_flags"),
    path("flags/<int:pk>/acknowledge/", flag_views.flag_acknowledge, name="flag_acknowledge"),
    path("notifications/", flag_views.notifications, name="notifications"),
    path("task-runs/", flag_views.task_runs, name="task_runs"),
    path("teams/<int:pk>/queue/", allocation_views.team_queue, name="team_queue"),
    path("teams/<int:pk>/rebalance/", allocation_views.team_rebalance, name="team_rebalance"),
    path("cases/<int:pk>/allocate/", allocation_views.case_allocate, name="case_allocate"),
    path("workers/<int:pk>/reallocate/", allocation_views.worker_leaver, name="worker_leaver"),
    path("workers/<int:pk>/", views.worker_detail, name="worker_detail"),
    path("workers/<int:pk>/edit/", views.worker_update, name="worker_update"),
    path("my-caseload/", views.my_caseload, name="my_caseload"),
    path("cases/<int:pk>/", views.case_detail, name="case_detail"),
    path("cases/<int:pk>/edit/", views.case_update, name="case_update"),
    path("cases/<int:pk>/close/", views.case_close, name="case_close"),
    path("people/<int:participant_pk>/cases/new/", views.case_create, name="case_create"),
    path("people/", include("participants.urls")),
    path("weighting/", include("weighting.urls")),
    path("security/", include("security.urls")),
    path("reports/", include("reports.urls")),
    path("imports/", include("caseload.imports.urls")),
    path("", include("participants.contact_urls")),
    path("healthz/", views.healthz, name="healthz"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("admin/", admin.site.urls),
]

handler403 = "caseload.errors.permission_denied"
handler404 = "caseload.errors.page_not_found"
handler500 = "caseload.errors.server_error"
