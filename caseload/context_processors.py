"""Navigation for each access role, built once per request."""

from .choices import AccessRole

_NAV = {
    AccessRole.CASEWORKER: [("My caseload", "my_caseload"), ("People", "participant_list")],
    AccessRole.MANAGER: [
        ("Home", "home"),
        ("My teams", "team_list"),
        ("My caseload", "my_caseload"),
        ("People", "participant_list"),
    ],
    AccessRole.DIRECTOR: [
        ("Home", "home"),
        ("Organisation", "organisation"),
        ("People", "participant_list"),
    ],
    AccessRole.ADMINISTRATOR: [
        ("Home", "home"),
        ("Organisation", "organisation"),
        ("People", "participant_list"),
        ("Subject access", "subject_access"),
        ("Retention", "retention_reviews"),
    ],
}


def navigation(request) -> dict:
    """The links the signed-in user's role may use, in order."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_links": []}
    role = AccessRole.ADMINISTRATOR if user.is_superuser else user.role
    return {"nav_links": _NAV.get(role, _NAV[AccessRole.CASEWORKER])}
