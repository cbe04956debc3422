"""Administrator screens: the audit trail (read-only), retention rules and reviews, and an
audit mixin for admin pages that show a person's record."""

from django.contrib import admin

from caseload.core.admin import ReadOnlyAdmin

from .audit import audit_record
from .choices import AuditAction
from .models import AuditEvent, RetentionReview, RetentionRule, TwoFactorRule
from .services import retention_review_decide
from .two_factor import forget_rules


class AuditedAdminMixin:
    """Record views and changes made through the admin's change page, as the app's views do."""

    def change_view(self, request, object_id, form_url="", extra_context=None):
        response = super().change_view(request, object_id, form_url, extra_context)
        obj = self.get_object(request, object_id)
        if obj is not None and response.status_code in (200, 302):
            changed = request.method == "POST" and response.status_code == 302
            action = AuditAction.EDIT if changed else AuditAction.VIEW
            audit_record(request=request, action=action, obj=obj, detail="admin")
        return response


def _own_organisation(request, queryset, field: str):
    if request.user.is_superuser:
        return queryset
    return queryset.filter(**{field: request.user.organisation_id})


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    """Read-only: nobody adds, changes or deletes audit rows here."""

    list_display = ("at", "username", "role", "action", "object_repr", "ip_address")
    list_filter = ("action", "role")
    search_fields = ("username", "object_repr", "ip_address")
    date_hierarchy = "at"

    def get_queryset(self, request):
        return _own_organisation(request, super().get_queryset(request), "organisation_id")


@admin.register(RetentionRule)
class RetentionRuleAdmin(admin.ModelAdmin):
    list_display = ("case_type", "organisation", "keep_years_after_closure", "keep_until_age")
    list_filter = ("organisation",)
    fields = ("organisation", "case_type", "keep_years_after_closure", "keep_until_age", "basis")


@admin.register(RetentionReview)
class RetentionReviewAdmin(admin.ModelAdmin):
    """Record a decision on a case past retention. Caseload deletes nothing."""

    list_display = ("case", "retain_until", "found_on", "status", "decided_by", "decided_at")
    list_filter = ("status",)
    fields = ("case", "retain_until", "found_on", "status", "note", "decided_by", "decided_at")
    readonly_fields = ("case", "retain_until", "found_on", "decided_by", "decided_at")

    def get_queryset(self, request):
        return _own_organisation(request, super().get_queryset(request), "organisation_id")

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def save_model(self, request, obj, form, change):
        retention_review_decide(review=obj, status=obj.status, note=obj.note, by=request.user)


@admin.register(TwoFactorRule)
class TwoFactorRuleAdmin(admin.ModelAdmin):
    """Require (or stop requiring) two-factor sign-in for an access role."""

    list_display = ("role", "required")
    fields = ("role", "required")

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        forget_rules()

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        forget_rules()
