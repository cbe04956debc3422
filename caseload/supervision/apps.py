from django.apps import AppConfig


class SupervisionConfig(AppConfig):
    """Supervision records: workload reviewed in regular supervision, overdue supervision
    flagged."""

    name = "caseload.supervision"
    label = "supervision"
    verbose_name = "Supervision"
