from django.apps import AppConfig


class OutcomesConfig(AppConfig):
    """Engagement stages and outcome ratings for adults facing multiple disadvantage."""

    name = "caseload.outcomes"
    label = "outcomes"
    verbose_name = "Outcomes"
