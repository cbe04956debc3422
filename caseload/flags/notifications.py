"""Telling people about flags: in-app notifications and an e-mail to the team's managers when
flags open (the daily digest is `caseload.digest`). Messages name workers and case references,
never the people supported.

Flags that open are told about team by team, but worked out for any number of teams at once
(`notify_opened`): the first run on fresh data opens half a million flags across thousands of
teams, and a query (or a model instance) per team or per flag would cost minutes.
"""

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from typing import Protocol

from django.db import transaction
from django.db.models import Q

from caseload.core import mail
from caseload.core.choices import AccessRole, FlagKind
from caseload.core.models import Case, Flag, Notification, Team, User, Worker

CHUNK = 5000  # ids per query when looking names up


class OpenedFlag(Protocol):
    """What telling about a flag needs: a `Flag`, or the refresh's plain record of one."""

    @property
    def pk(self) -> int: ...
    @property
    def team_id(self) -> int: ...
    @property
    def kind(self) -> str: ...
    @property
    def worker_id(self) -> int | None: ...
    @property
    def case_id(self) -> int | None: ...
    @property
    def subject_key(self) -> str: ...
    @property
    def detail(self) -> str: ...


def _recipients(team_ids: list[int]) -> dict[int, list[User]]:
    """{team id: the active managers of the team and directors of its organisation}, in three
    queries whatever the number of teams."""
    organisation_of = dict(
        Team.objects.filter(pk__in=team_ids).values_list("pk", "service__organisation_id")
    )
    managed: dict[int, set[int]] = defaultdict(set)
    for user_id, team_id in Team.managers.through.objects.filter(
        team_id__in=team_ids, user__is_active=True
    ).values_list("user_id", "team_id"):
        managed[team_id].add(user_id)
    users = User.objects.filter(is_active=True).filter(
        Q(pk__in={pk for pks in managed.values() for pk in pks})
        | Q(role=AccessRole.DIRECTOR, organisation_id__in=set(organisation_of.values()))
    )
    by_pk, directors = {}, defaultdict(set)
    for user in users:
        by_pk[user.pk] = user
        if user.role == AccessRole.DIRECTOR:
            directors[user.organisation_id].add(user.pk)
    return {
        team_id: [
            by_pk[pk] for pk in sorted(managed[team_id] | directors[organisation_id]) if pk in by_pk
        ]
        for team_id, organisation_id in organisation_of.items()
    }


def notify_flags_opened(*, team: Team, flags: list[Flag]) -> None:
    """In-app notifications for managers and directors; an email to the team's managers after
    the transaction commits. Messages name workers and case references, never participants."""
    notify_opened({team.pk: flags})


def notify_opened(flags_by_team: Mapping[int, Sequence[OpenedFlag]]) -> None:
    """`notify_flags_opened` for many teams at once: a fixed handful of queries, plus one
    insert per 2,000 notifications and one e-mail per team with managers to tell."""
    flags_by_team = {team_id: flags for team_id, flags in flags_by_team.items() if flags}
    if not flags_by_team:
        return
    recipients = _recipients(list(flags_by_team))
    Notification.objects.bulk_create(
        (
            Notification(recipient_id=user.pk, flag_id=flag.pk)
            for team_id, flags in flags_by_team.items()
            for user in recipients.get(team_id, ())
            for flag in flags
        ),
        batch_size=2000,
        ignore_conflicts=True,
    )
    managers = {
        team_id: [u.email for u in users if u.role == AccessRole.MANAGER and u.email]
        for team_id, users in recipients.items()
    }
    mailed = [team_id for team_id, to in managers.items() if to]
    if not mailed:
        return
    told = [flag for team_id in mailed for flag in flags_by_team[team_id]]
    names = _names(Worker, "name", {f.worker_id for f in told if f.worker_id})
    references = _names(Case, "reference", {f.case_id for f in told if f.case_id})
    for team in Team.objects.filter(pk__in=mailed).order_by("pk"):
        flags = flags_by_team[team.pk]
        context = {
            "team": team,
            "flags": [
                line(
                    flag.kind,
                    subject(names.get(flag.worker_id), references.get(flag.case_id), flag),
                    flag.detail,
                )
                for flag in flags
            ],
            "flags_url": mail.link("team_flags", team.pk),
        }
        subject_line = (
            f"Caseload: {len(flags)} new flag{'s' if len(flags) != 1 else ''} in {team.name}"
        )
        transaction.on_commit(_sender(subject_line, context, managers[team.pk]))


def _sender(subject_line: str, context: dict, to: list[str]):
    return lambda: mail.send(subject=subject_line, template="flags_opened", context=context, to=to)


def _names(model, field: str, ids: Iterable[int]) -> dict[int, str]:
    ids = sorted(ids)
    found: dict[int, str] = {}
    for start in range(0, len(ids), CHUNK):
        found.update(
            model.objects.filter(pk__in=ids[start : start + CHUNK]).values_list("pk", field)
        )
    return found


def flag_line(flag: Flag) -> dict:
    """A flag as a message shows it: its kind, whom or which case it is about, and why."""
    return line(
        flag.kind,
        subject(
            flag.worker.name if flag.worker_id else None,
            flag.case.reference if flag.case_id else None,
            flag,
        ),
        flag.detail,
    )


def line(kind: str, about: str, detail: str) -> dict:
    return {"kind": FlagKind(kind).label, "subject": about, "detail": detail}


def subject(worker_name: str | None, case_reference: str | None, flag: OpenedFlag) -> str:
    """Whom or which case a flag is about: the worker's name, else the case's reference."""
    if flag.worker_id:
        return worker_name or ""
    return f"case {case_reference}" if flag.case_id else flag.subject_key
