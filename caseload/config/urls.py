"""URL configuration: each app's pages under its own prefix."""

from django.contrib import admin
from django.urls import include, path

from caseload.casework import views as casework_views

from . import errors, guides, signin

urlpatterns = [
    path("", include("caseload.casework.urls")),
    path("", include("caseload.allocation.urls")),
    path("", include("caseload.flags.urls")),
    path("", include("caseload.exclusions.urls")),
    path("", include("caseload.transfers.urls")),
    path("people/", include("participants.urls")),
    path("weighting/", include("weighting.urls")),
    path("security/", include("security.urls")),
    path("security/", include("participants.access_urls")),
    path("reports/", include("reports.urls")),
    path("imports/", include("caseload.imports.urls")),
    path("checkins/", include("caseload.checkins.urls")),
    path("supervision/", include("caseload.supervision.urls")),
    path("outcomes/", include("caseload.outcomes.urls")),
    path("", include("participants.contact_urls")),
    path("", include("caseload.api.urls")),
    path("healthz/", casework_views.healthz, name="healthz"),
    path("favicon.ico", errors.favicon, name="favicon"),
    *(
        path(f"guides/{slug}/", guides.guide, {"slug": slug}, name=guides.url_name(slug))
        for slug in guides.GUIDES
    ),
    path("accounts/login/", signin.SignInView.as_view(), name="login"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("admin/", admin.site.urls),
]

handler403 = "caseload.config.errors.permission_denied"
handler404 = "caseload.config.errors.page_not_found"
handler500 = "caseload.config.errors.server_error"
