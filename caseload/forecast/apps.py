from django.apps import AppConfig


class ForecastConfig(AppConfig):
    """The next weeks of load against capacity, and scenarios (no models of its own; an app so
    that its management command is found)."""

    name = "caseload.forecast"
    label = "forecast"
    verbose_name = "Forecast"
