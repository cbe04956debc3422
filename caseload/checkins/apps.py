from django.apps import AppConfig


class CheckinsConfig(AppConfig):
    """Workers' own answer to "Is my caseload manageable?", beside the measured load."""

    name = "caseload.checkins"
    label = "checkins"
    verbose_name = "Check-ins"
