from django.apps import AppConfig


class CaseloadConfig(AppConfig):
    """Organisation, teams, workers, cases and allocation."""

    name = "caseload"
    verbose_name = "Caseload"
