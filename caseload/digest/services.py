"""Sending the daily digest: one message per manager or director who asked for it, with every
section that has something to say (`sections.SECTIONS`), as plain text and HTML."""

from datetime import datetime, timedelta

from django.utils import timezone

from caseload.core import mail
from caseload.core.choices import AccessRole
from caseload.core.models import Team, User

from .sections import SECTIONS, Section

RECIPIENT_ROLES = (AccessRole.MANAGER, AccessRole.DIRECTOR)


def digest_sections(user: User, *, now: datetime | None = None) -> list[Section]:
    """The sections of `user`'s digest now: what happened in the last day in the teams they
    see, and what waits for them. Empty when there is nothing to say."""
    now = now or timezone.now()
    teams = list(Team.objects.visible_to(user).select_related("service").order_by("name"))
    if not teams:
        return []
    since, today = now - timedelta(days=1), timezone.localdate(now)
    found = (section(user, teams, since=since, today=today) for section in SECTIONS)
    return [section for section in found if section is not None]


def digest_recipients():
    """Active managers and directors with an e-mail address who asked for the digest."""
    return (
        User.objects.filter(is_active=True, wants_daily_digest=True, role__in=RECIPIENT_ROLES)
        .exclude(email="")
        .order_by("pk")
    )


def digests_send(*, now: datetime | None = None) -> dict:
    """E-mail each recipient their digest; nobody gets one with nothing in it."""
    now = now or timezone.now()
    sent = 0
    for user in digest_recipients():
        sections = digest_sections(user, now=now)
        if not sections:
            continue
        on = timezone.localdate(now)
        mail.send(
            subject=f"Caseload daily digest, {on.day} {on:%B %Y}",
            template="digest",
            context={
                "user": user,
                "sections": sections,
                "on": on,
                "home_url": mail.link("home"),
                "settings_url": mail.link("notifications"),
            },
            to=[user.email],
        )
        sent += 1
    return {"digests": sent}
