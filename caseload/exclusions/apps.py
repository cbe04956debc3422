from django.apps import AppConfig


class ExclusionsConfig(AppConfig):
    """Workers who must not hold a case or a household's cases (conflict of interest, risk to
    staff, a family's request), recorded by managers and honoured by every allocation path."""

    name = "caseload.exclusions"
    label = "exclusions"
    verbose_name = "Exclusions"
