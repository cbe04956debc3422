"""Navigation for each access role, built once per request."""

from caseload.core.choices import AccessRole
from caseload.core.models import Notification
from security.two_factor import is_verified, two_factor_required

_NAV = {
    AccessRole.CASEWORKER: [("My caseload", "my_caseload"), ("People", "participant_list")],
    AccessRole.MANAGER: [
        ("Home", "home"),
        ("Dashboard", "dashboard"),
        ("My teams", "team_list"),
        ("My caseload", "my_caseload"),
        ("People", "participant_list"),
        ("Transfers", "transfers"),
        ("Weighting", "scheme"),
    ],
    AccessRole.DIRECTOR: [
        ("Dashboard", "dashboard_organisation"),
        ("Organisation", "organisation"),
        ("People", "participant_list"),
        ("Weighting", "scheme"),
        ("Standards", "standards"),
        ("Reductions", "reduction_types"),
    ],
    AccessRole.ADMINISTRATOR: [
        ("Dashboard", "dashboard_organisation"),
        ("Organisation", "organisation"),
        ("People", "participant_list"),
        ("Weighting", "scheme"),
        ("Standards", "standards"),
        ("Reductions", "reduction_types"),
        ("Subject access", "subject_access"),
        ("Retention", "retention_reviews"),
    ],
}


def navigation(request) -> dict:
    """The links the signed-in user's role may use, in order."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_links": []}
    if not is_verified(request) and two_factor_required(user):
        # Before the second step nothing of the app is theirs yet: no links, no counts.
        return {"nav_links": [], "two_factor_pending": True}
    role = AccessRole.ADMINISTRATOR if user.is_superuser else user.role
    links = list(_NAV.get(role, _NAV[AccessRole.CASEWORKER]))
    unseen = 0
    if role != AccessRole.CASEWORKER:
        unseen = Notification.objects.filter(recipient=user, seen_at__isnull=True).count()
        links.append(("Notifications", "notifications"))
    if role == AccessRole.ADMINISTRATOR:
        links.append(("Imports", "import_list"))
        links.append(("Background runs", "task_runs"))
    return {"nav_links": links, "unseen_notifications": unseen}
