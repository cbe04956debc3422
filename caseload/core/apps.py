from django.apps import AppConfig


class CoreConfig(AppConfig):
    """Organisation, services, teams, workers, cases and allocations: the models every other app
    builds on. The label stays `caseload`, so tables and migrations keep their names."""

    name = "caseload.core"
    label = "caseload"
    verbose_name = "Caseload"
