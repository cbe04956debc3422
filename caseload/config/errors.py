"""Friendly error pages that keep the site's navigation; under /api/, JSON for API clients."""

from django.http import JsonResponse
from django.shortcuts import render

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
    # No context processors may run safely after an unknown failure: plain template.
    from django.http import HttpResponseServerError
    from django.template import loader

    return HttpResponseServerError(loader.get_template("500.html").render())
