from django.apps import AppConfig


class ApiConfig(AppConfig):
    """The REST API (/api/): per-user tokens and the endpoints, over the pages' selectors and
    services."""

    name = "caseload.api"
    label = "api"
    verbose_name = "API"
