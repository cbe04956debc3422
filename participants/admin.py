"""Administrator screens for people, households, contacts, visit policies and exports.
Contacts and exports are read-only here: a contact is changed only through the services (24-hour
edit, then corrections), so the admin cannot rewrite the record."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from caseload.core.admin import ReadOnlyAdmin
from security.admin import AuditedAdminMixin

from .models import Contact, ContactExport, Household, Participant, VisitPolicy


@admin.register(Household)
class HouseholdAdmin(SimpleHistoryAdmin):
    search_fields = ("reference",)
    list_filter = ("organisation",)


@admin.register(Participant)
class ParticipantAdmin(AuditedAdminMixin, SimpleHistoryAdmin):
    list_display = ("reference", "family_name", "given_name", "date_of_birth", "household")
    search_fields = ("reference", "family_name", "given_name")
    raw_id_fields = ("household", "registered_by_team")

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Contact)
class ContactAdmin(ReadOnlyAdmin):
    list_display = ("occurred_at", "case", "contact_type", "seen", "worker", "corrects")
    list_filter = ("contact_type", "seen")
    date_hierarchy = "occurred_at"
    list_select_related = ("case", "worker")
    raw_id_fields = ("case", "worker", "recorded_by", "corrects")
    search_fields = ("case__reference",)


@admin.register(ContactExport)
class ContactExportAdmin(ReadOnlyAdmin):
    list_display = ("exported_at", "team", "exported_by", "date_from", "date_to", "row_count")
    list_filter = ("include_notes",)
    list_select_related = ("team", "exported_by")


@admin.register(VisitPolicy)
class VisitPolicyAdmin(SimpleHistoryAdmin):
    list_display = ("case_type", "organisation", "every", "unit")
    list_filter = ("organisation",)
