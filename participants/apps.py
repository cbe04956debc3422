from django.apps import AppConfig


class ParticipantsConfig(AppConfig):
    """People supported, their households and contacts."""

    name = "participants"

    def ready(self) -> None:
        from caseload import bulk_conditions, jobs

        from .flags import visit_overdue_conditions, visit_overdue_conditions_bulk

        if visit_overdue_conditions not in jobs.EXTRA_CONDITIONS:
            jobs.EXTRA_CONDITIONS.append(visit_overdue_conditions)
        if visit_overdue_conditions_bulk not in bulk_conditions.EXTRA_BULK_CONDITIONS:
            bulk_conditions.EXTRA_BULK_CONDITIONS.append(visit_overdue_conditions_bulk)
