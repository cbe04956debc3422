"""Platform operators' screens for the organisation and sign-ins (only a superuser uses the
Django admin; organisation administrators work in the app's own pages)."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from simple_history.admin import SimpleHistoryAdmin

from .models import Flag, Organisation, Service, TaskRun, Team, User, Worker


class ReadOnlyAdmin(admin.ModelAdmin):
    """For records the app writes itself (runs, flags, audit, contacts): look, never touch.
    Nobody adds, changes or deletes them here, so no hand-made row can break what the code
    keeps true."""

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    fieldsets = BaseUserAdmin.fieldsets + (("Caseload", {"fields": ("role", "organisation")}),)
    list_display = ("username", "first_name", "last_name", "role", "organisation", "is_active")
    list_filter = ("role", "organisation", "is_active")


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    search_fields = ("name",)


@admin.register(Service)
class ServiceAdmin(admin.ModelAdmin):
    list_display = ("name", "organisation")
    list_filter = ("organisation",)


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ("name", "service", "establishment_fte")
    list_filter = ("service",)
    filter_horizontal = ("managers",)
    search_fields = ("name", "reference")


@admin.register(Worker)
class WorkerAdmin(SimpleHistoryAdmin):
    list_display = ("name", "team", "role", "qualified", "experience", "fte", "agency")
    list_filter = ("role", "qualified", "experience", "agency", "team__service")
    search_fields = ("name", "reference", "email")
    raw_id_fields = ("user",)


@admin.register(TaskRun)
class TaskRunAdmin(ReadOnlyAdmin):
    list_display = ("task", "started_at", "finished_at", "outcome", "heartbeat_at")
    list_filter = ("task", "outcome")


@admin.register(Flag)
class FlagAdmin(ReadOnlyAdmin):
    list_display = ("kind", "team", "subject_key", "opened_at", "acknowledged_at", "resolved_at")
    list_filter = ("kind", "team__service")
    raw_id_fields = ("worker", "case", "acknowledged_by")
