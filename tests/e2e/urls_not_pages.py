"""The site's URLs plus two that are not pages (a download and a POST-only action), to check
that the accessibility sweep skips them rather than failing."""

from django.http import HttpResponse
from django.urls import path
from django.views.decorators.http import require_POST

from caseload.config.urls import urlpatterns as site_urlpatterns


def download(request):
    return HttpResponse("a,b\n", content_type="text/csv")


@require_POST
def action(request):
    return HttpResponse(status=204)


urlpatterns = [
    *site_urlpatterns,
    path("test-download.csv", download, name="test_download"),
    path("test-action/", action, name="test_action"),
    path("test-action/<int:pk>/", action, name="test_unlinked"),
]
