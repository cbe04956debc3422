"""Template tags that give the case and team pages their contacts and visits panels, so the
caseload views need no change: each tag reads through the participants selectors, scoped to
the signed-in user."""

from django import template
from django.utils import timezone

from caseload.core.choices import CHILDREN_CASE_TYPES, CaseType

from .. import selectors

register = template.Library()


@register.simple_tag(takes_context=True)
def case_contacts_panel(context, case, limit: int = 10) -> dict:
    """What the case page shows about contacts: visit status, the latest contacts, engagement
    for adult cases, and whether the user may log one. About five queries."""
    user = context["request"].user
    selectors.with_visit_status([case], organisation_id=case.team.service.organisation_id)
    contacts = selectors.case_contacts(user, case)
    latest = list(contacts[: limit + 1])
    return {
        "visit": case.visit,
        "frequency": case.visit_frequency,
        "contacts": latest[:limit],
        "more": len(latest) > limit,
        "engagement": (
            selectors.engagement_for_case(user, case) if case.case_type == CaseType.ADULT else None
        ),
        "can_log": selectors.can_log_contact(user, case),
        "now": timezone.now(),
        "is_children": case.case_type in CHILDREN_CASE_TYPES,
    }


@register.simple_tag(takes_context=True)
def team_visits_panel(context, team, limit: int = 50) -> dict:
    """What the team page shows: overdue visits (most overdue first), the engagement of its
    adult cases, and whether the user may export its contacts. A fixed number of queries."""
    user = context["request"].user
    overdue = selectors.overdue_visits(user, team)
    engagement_rows, engagement_total = selectors.team_engagement(user, team)
    return {
        "overdue": overdue[:limit],
        "overdue_count": len(overdue),
        "engagement_rows": engagement_rows,
        "engagement_total": engagement_total,
        "can_export": selectors.can_export_contacts(user, team),
        "can_set_policies": user.sees_whole_organisation,
    }
