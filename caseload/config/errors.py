"""The site's frame outside the apps: friendly error pages that keep its look (under /api/,
JSON for API clients), and the favicon at the address browsers ask for."""

from django.contrib.auth.decorators import login_not_required
from django.contrib.staticfiles.storage import staticfiles_storage
from django.http import HttpResponseRedirect, HttpResponseServerError, JsonResponse
from django.shortcuts import render
from django.template import loader
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET

# The API's own pages (its docs) answer errors as pages; everything else under /api/ is JSON.
_API = "/api/"
_API_PAGES = ("/api/docs/",)


def _for_api(request) -> bool:
    return request.path.startswith(_API) and not request.path.startswith(_API_PAGES)


def permission_denied(request, exception=None):
    if _for_api(request):
        return JsonResponse({"detail": "You do not have permission to do this."}, status=403)
    return render(request, "403.html", status=403)


def page_not_found(request, exception=None):
    if _for_api(request):
        return JsonResponse({"detail": "Not found."}, status=404)
    return render(request, "404.html", status=404)


def server_error(request):
    if _for_api(request):
        return JsonResponse({"detail": "Something went wrong on our side."}, status=500)
    # No context processors may run safely after an unknown failure (the database may be the
    # fault): the template uses nothing but static files.
    return HttpResponseServerError(loader.get_template("500.html").render())


@login_not_required
@require_GET
@cache_control(public=True, max_age=86400)
def favicon(request):
    """/favicon.ico, which browsers ask for on their own: the icon among the static files."""
    return HttpResponseRedirect(staticfiles_storage.url("favicon.ico"))
