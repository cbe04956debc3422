"""API tokens in the Django admin, for the platform operator: to look, never to touch (revoke
with `manage.py api_token USERNAME --revoke KEY`, which the audit records)."""

from django.contrib import admin

from caseload.core.admin import ReadOnlyAdmin

from .models import ApiToken


@admin.register(ApiToken)
class ApiTokenAdmin(ReadOnlyAdmin):
    list_display = ("name", "user", "token_key", "created", "last_used_at", "expiry")
    search_fields = ("name", "token_key", "user__username")
    fields = ("name", "user", "token_key", "created", "last_used_at", "expiry")
