from django.apps import AppConfig


class ImportsConfig(AppConfig):
    """Imports and exports of a council's records (no models of its own: runs are `ImportRun`
    in the core app). An app so that its management commands are found."""

    name = "caseload.imports"
    label = "caseload_imports"
    verbose_name = "Imports"
