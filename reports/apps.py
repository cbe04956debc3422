from django.apps import AppConfig


class ReportsConfig(AppConfig):
    """Dashboards, figures, snapshots and exports."""

    name = "reports"
