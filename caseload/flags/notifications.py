"""Telling people about flags: in-app notifications, an e-mail to the team's managers when
flags open, and the daily digest. Messages name workers and case references, never the people
supported."""

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q
from django.urls import reverse

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
    lines = [f"- {flag.get_kind_display()}: {_subject(flag)} ({flag.detail})" for flag in flags]
    body = (
        f"New flags in {team.name}:\n\n"
        + "\n".join(lines)
        + f"\n\nSee them in Caseload: {reverse('team_flags', args=[team.pk])}\n"
    )
    subject = f"Caseload: {len(flags)} new flag{'s' if len(flags) != 1 else ''} in {team.name}"
    transaction.on_commit(
        lambda: send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, managers, fail_silently=True)
    )


def _subject(flag: Flag) -> str:
    if flag.worker_id:
        return flag.worker.name
    return f"case {flag.case.reference}" if flag.case_id else flag.subject_key


def send_digests() -> dict:
    """Email each manager and director who asked for it a digest of their open flags."""
    sent = 0
    for user in User.objects.filter(is_active=True, wants_daily_digest=True).exclude(email=""):
        flags = list(
            Flag.objects.open().visible_to(user).select_related("team", "worker", "case")[:200]
        )
        if not flags or user.role not in (AccessRole.MANAGER, AccessRole.DIRECTOR):
            continue
        lines = [
            f"- {f.team.name}: {f.get_kind_display()}: {_subject(f)} ({f.detail})" for f in flags
        ]
        send_mail(
            f"Caseload daily digest: {len(flags)} open flag{'s' if len(flags) != 1 else ''}",
            "Open flags in your teams:\n\n" + "\n".join(lines) + "\n",
            settings.DEFAULT_FROM_EMAIL,
            [user.email],
            fail_silently=True,
        )
        sent += 1
    return {"digests": sent}
