from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The demo data (no models of its own). An app so that `seed_demo` is found."""

    name = "caseload.demo"
    label = "caseload_demo"
    verbose_name = "Demo data"
