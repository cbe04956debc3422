"""The site's frame outside the apps: friendly error pages that keep its look, and the favicon
at the address browsers ask for."""

from django.contrib.auth.decorators import login_not_required
from django.contrib.staticfiles.storage import staticfiles_storage
from django.http import HttpResponseRedirect, HttpResponseServerError
from django.shortcuts import render
from django.template import loader
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET


def permission_denied(request, exception=None):
    return render(request, "403.html", status=403)


def page_not_found(request, exception=None):
    return render(request, "404.html", status=404)


def server_error(request):
    # No context processors may run safely after an unknown failure (the database may be the
    # fault): the template uses nothing but static files.
    return HttpResponseServerError(loader.get_template("500.html").render())


@login_not_required
@require_GET
@cache_control(public=True, max_age=86400)
def favicon(request):
    """/favicon.ico, which browsers ask for on their own: the icon among the static files."""
    return HttpResponseRedirect(staticfiles_storage.url("favicon.ico"))
