"""Administrator screens for people and households."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from security.admin import AuditedAdminMixin

from .models import Household, Participant


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
