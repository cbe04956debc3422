"""Overdue visits as flag conditions for the background jobs (registered in apps.py)."""

from caseload.choices import FlagKind
from caseload.jobs import Condition
from caseload.models import Case, Team

from .selectors import with_visit_status


def visit_overdue_conditions(team: Team) -> list[Condition]:
    """A condition for every open case in the team whose statutory visit is overdue."""
    cases = list(Case.objects.open().filter(team=team).order_by("pk"))
    with_visit_status(cases, organisation_id=team.service.organisation_id)
    return [
        Condition(
            FlagKind.VISIT_OVERDUE,
            f"case:{case.pk}",
            case_id=case.pk,
            detail=f"Case {case.reference}: visit {case.visit.days_overdue} days overdue",
        )
        for case in cases
        if case.visit and case.visit.is_overdue
    ]
