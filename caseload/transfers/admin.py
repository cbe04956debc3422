from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import Transfer, TransferCase


class TransferCaseInline(admin.TabularInline):
    model = TransferCase
    raw_id_fields = ["case"]
    extra = 0


@admin.register(Transfer)
class TransferAdmin(SimpleHistoryAdmin):
    list_display = ["pk", "from_team", "to_team", "status", "requested_at", "decided_at"]
    list_filter = ["status", "reason"]
    raw_id_fields = ["requested_by", "decided_by"]
    inlines = [TransferCaseInline]
