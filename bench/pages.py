"""The pages the bench times: one line per page, (name, URL builder, who signs in).

A URL builder takes the bench's context (the demo manager's team, a case waiting in it) and
returns a path; a page whose URL name does not exist yet is reported as "not yet available".
"minimal" is the yardstick: a signed-in page that loads next to nothing.
"""

from django.urls import reverse

PAGES = [
    ("minimal", lambda ctx: reverse("password_change"), "caseworker"),
    ("my_caseload", lambda ctx: reverse("my_caseload"), "caseworker"),
    ("allocation_queue", lambda ctx: reverse("team_queue", args=[ctx.team_pk]), "manager"),
    ("allocate_case", lambda ctx: reverse("case_allocate", args=[ctx.waiting_case_pk]), "manager"),
    ("team_detail", lambda ctx: reverse("team_detail", args=[ctx.team_pk]), "manager"),
    ("organisation", lambda ctx: reverse("organisation"), "director"),
    # Today's organisation and service figures come from the scheduled snapshot (the bench
    # takes one first, as beat does every 15 minutes); "_live" asks for them to be worked out
    # in the background (the answer is a redirect to the page, which says they are coming).
    ("director_dashboard", lambda ctx: reverse("dashboard_organisation"), "director"),
    (
        "service_dashboard",
        lambda ctx: reverse("dashboard_service", args=[ctx.service_pk]),
        "director",
    ),
    (
        "director_dashboard_live",
        lambda ctx: reverse("dashboard_organisation") + "?live=1",
        "director",
    ),
    ("team_dashboard", lambda ctx: reverse("dashboard_team", args=[ctx.team_pk]), "manager"),
]
