from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import Exclusion


@admin.register(Exclusion)
class ExclusionAdmin(SimpleHistoryAdmin):
    list_display = ["worker", "case", "household", "reason", "recorded_at", "removed_at"]
    list_filter = ["reason"]
    raw_id_fields = ["worker", "case", "household", "recorded_by", "removed_by"]
