"""Telling people about flags: in-app notifications and an e-mail to the team's managers when
flags open (the daily digest is `caseload.digest`). Messages name workers and case references,
never the people supported."""

from django.db import transaction
from django.db.models import Q

from caseload.core import mail
from caseload.core.choices import AccessRole
from caseload.core.models import Flag, Notification, Team, User


def _recipients(team: Team) -> list[User]:
    """Managers of the team and directors of its organisation."""
    return list(
        User.objects.filter(is_active=True)
        .filter(
            Q(managed_teams=team)
            | Q(role=AccessRole.DIRECTOR, organisation_id=team.service.organisation_id)
        )
        .distinct()
    )


def notify_flags_opened(*, team: Team, flags: list[Flag]) -> None:
    """In-app notifications for managers and directors; an email to the team's managers after
    the transaction commits. Messages name workers and case references, never participants."""
    recipients = _recipients(team)
    Notification.objects.bulk_create(
        [Notification(recipient=user, flag=flag) for user in recipients for flag in flags],
        ignore_conflicts=True,
    )
    managers = [u.email for u in recipients if u.role == AccessRole.MANAGER and u.email]
    if not managers:
        return
    context = {
        "team": team,
        "flags": [flag_line(flag) for flag in flags],
        "flags_url": mail.link("team_flags", team.pk),
    }
    subject = f"Caseload: {len(flags)} new flag{'s' if len(flags) != 1 else ''} in {team.name}"
    transaction.on_commit(
        lambda: mail.send(subject=subject, template="flags_opened", context=context, to=managers)
    )


def flag_line(flag: Flag) -> dict:
    """A flag as a message shows it: its kind, whom or which case it is about, and why."""
    return {"kind": flag.get_kind_display(), "subject": _subject(flag), "detail": flag.detail}


def _subject(flag: Flag) -> str:
    if flag.worker_id:
        return flag.worker.name
    return f"case {flag.case.reference}" if flag.case_id else flag.subject_key
