"""Administrator screens for the organisation and sign-ins."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from simple_history.admin import SimpleHistoryAdmin

from .models import Flag, Organisation, Service, TaskRun, Team, User, Worker


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
class TaskRunAdmin(admin.ModelAdmin):
    list_display = ("task", "started_at", "finished_at", "outcome")
    list_filter = ("task", "outcome")
    readonly_fields = ("task", "started_at", "finished_at", "outcome", "counts", "detail")


@admin.register(Flag)
class FlagAdmin(admin.ModelAdmin):
    list_display = ("kind", "team", "subject_key", "opened_at", "acknowledged_at", "resolved_at")
    list_filter = ("kind", "team__service")
    raw_id_fields = ("worker", "case", "acknowledged_by")
