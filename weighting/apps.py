from django.apps import AppConfig


class WeightingConfig(AppConfig):
    """Weighting schemes, case assessments, bandwidth and caseload promises."""

    name = "weighting"
