"""Writes to transfers: ask, accept (into the queue or to a worker at once), decline, withdraw.
The holder keeps the case until the receiving team accepts it; every step is told to the
other side in-app and by e-mail, naming cases by reference and never the people supported."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from caseload.allocation import rules
from caseload.allocation.services import allocation_create, allocation_end
from caseload.core.choices import AllocationReason
from caseload.core.models import Case, Notification, Team, User, Worker
from caseload.core.recompute import request_team_recompute

from .choices import TransferStatus
from .models import Transfer, TransferCase
from .selectors import transferable_with


def _locked_cases(ids) -> list[Case]:
    """The cases, locked (SELECT ... FOR UPDATE) in id order so two requests cannot deadlock."""
    return list(
        Case.objects.select_for_update(of=("self",))
        .select_related("participant", "team__service")
        .filter(pk__in=list(ids))
        .order_by("pk")
    )


def _references(cases) -> str:
    return ", ".join(c.reference or f"case {c.pk}" for c in cases)


def _managers(team: Team) -> list[User]:
    return list(User.objects.filter(is_active=True, managed_teams=team))


def _notify(users, message: str) -> None:
    """An in-app notification for each user, and an e-mail after the transaction commits."""
    url = reverse("transfers")
    users = {u.pk: u for u in users if u is not None}.values()
    Notification.objects.bulk_create(
        [Notification(recipient=u, message=message[:300], url=url) for u in users]
    )
    emails = [u.email for u in users if u.email]
    if emails:
        body = f"{message}\n\nSee it in Caseload: {url}\n"
        transaction.on_commit(
            lambda: send_mail(
                f"Caseload: {message[:80]}",
                body,
                settings.DEFAULT_FROM_EMAIL,
                emails,
                fail_silently=True,
            )
        )


@transaction.atomic
def transfer_request(
    *,
    case: Case,
    to_team: Team,
    reason: str,
    detail: str,
    whole_household: bool,
    by: User | None,
) -> Transfer:
    """Ask for the case (and, with `whole_household`, its household's other open cases in the
    team) to move to `to_team`. Locks the cases, so of two requests for one case at once the
    second waits and is refused; the database's one-pending-transfer-per-case constraint
    refuses it too where there are no row locks."""
    ids = [case.pk] + ([c.pk for c in transferable_with(case)] if whole_household else [])
    cases = _locked_cases(ids)
    case = next(c for c in cases if c.pk == case.pk)
    if not case.is_open:
        raise ValidationError("A closed case cannot be transferred.")
    if to_team.pk == case.team_id:
        raise ValidationError({"to_team": "Choose another team: the case is in this one."})
    if to_team.service.organisation_id != case.team.service.organisation_id:
        raise ValidationError({"to_team": "The team belongs to another organisation."})
    pending = TransferCase.objects.filter(case__in=cases, pending=True).select_related("case")
    if busy := [row.case for row in pending]:
        raise ValidationError(
            f"A transfer of {_references(busy)} is already pending: it must be answered or "
            "withdrawn first."
        )
    transfer = Transfer(
        from_team_id=case.team_id,
        to_team=to_team,
        reason=reason,
        detail=detail.strip(),
        requested_by=by,
    )
    transfer.full_clean()
    transfer.save()
    try:
        with transaction.atomic():
            TransferCase.objects.bulk_create(
                [TransferCase(transfer=transfer, case=c) for c in cases]
            )
    except IntegrityError as error:
        raise ValidationError(
            f"A transfer of {_references(cases)} is already pending: it must be answered or "
            "withdrawn first."
        ) from error
    _notify(
        _managers(to_team),
        f"{case.team.name} asks {to_team.name} to take {_references(cases)} "
        f"({transfer.get_reason_display().lower()}).",
    )
    return transfer


def _locked_pending(transfer: Transfer) -> Transfer:
    transfer = (
        Transfer.objects.select_for_update(of=("self",))
        .select_related("from_team__service", "to_team__service", "requested_by")
        .get(pk=transfer.pk)
    )
    if not transfer.is_pending:
        raise ValidationError(f"This transfer was {transfer.get_status_display().lower()} already.")
    return transfer


def _decide(transfer: Transfer, status: str, by: User | None, note: str = "") -> None:
    transfer.status = status
    transfer.decided_by = by
    transfer.decided_at = timezone.now()
    transfer.decision_note = note.strip()
    transfer.full_clean()
    transfer.save()
    transfer.rows.update(pending=False)


@transaction.atomic
def transfer_accept(
    *,
    transfer: Transfer,
    by: User | None,
    worker: Worker | None = None,
    override_reason: str = "",
    override_category: str = "",
) -> Transfer:
    """The receiving team takes the cases: each moves to the team and either joins its queue
    (the holder's allocation ends today) or goes at once to `worker`, through
    `allocation_create` with its checks (eligibility, exclusions, promise and bandwidth)."""
    transfer = _locked_pending(transfer)
    cases = _locked_cases(transfer.rows.values_list("case_id", flat=True))
    if closed := [c for c in cases if not c.is_open]:
        raise ValidationError(
            f"{_references(closed)} closed since the transfer was asked: decline it, or ask "
            "the sender to withdraw it."
        )
    if worker is not None and worker.team_id != transfer.to_team_id:
        raise ValidationError({"worker": "Choose a worker in the receiving team."})
    today = timezone.localdate()
    for case in cases:
        current = case.allocations.current().first()
        case.team = transfer.to_team
        if worker is None:
            if current:
                allocation_end(allocation=current, ended_on=today)
            for name, value in rules.queue_state(held=False, waiting_since=today).items():
                setattr(case, name, value)
        case.full_clean()
        case.save()
        if worker is not None:
            allocation_create(
                case=case,
                worker=worker,
                by=by,
                reason=AllocationReason.TRANSFER,
                note=f"Transferred from {transfer.from_team.name}.",
                override_reason=override_reason,
                override_category=override_category,
                replacing=current.pk if current else None,
            )
    _decide(transfer, TransferStatus.ACCEPTED, by)
    for team_id in (transfer.from_team_id, transfer.to_team_id):
        request_team_recompute(team_id)
    where = f"to {worker.name}" if worker else "into its queue"
    _notify(
        [*_managers(transfer.from_team), transfer.requested_by],
        f"{transfer.to_team.name} accepted {_references(cases)} {where}.",
    )
    return transfer


@transaction.atomic
def transfer_decline(*, transfer: Transfer, by: User | None, reason: str) -> Transfer:
    """The receiving team says no, with a reason; the cases stay where they are."""
    if not reason.strip():
        raise ValidationError({"reason": "Say why the transfer is declined."})
    transfer = _locked_pending(transfer)
    _decide(transfer, TransferStatus.DECLINED, by, reason)
    cases = [row.case for row in transfer.rows.select_related("case")]
    _notify(
        [*_managers(transfer.from_team), transfer.requested_by],
        f"{transfer.to_team.name} declined {_references(cases)}: {reason.strip()}",
    )
    return transfer


@transaction.atomic
def transfer_withdraw(*, transfer: Transfer, by: User | None, note: str = "") -> Transfer:
    """The sending team takes the request back while it is pending."""
    transfer = _locked_pending(transfer)
    _decide(transfer, TransferStatus.WITHDRAWN, by, note)
    cases = [row.case for row in transfer.rows.select_related("case")]
    _notify(
        _managers(transfer.to_team),
        f"{transfer.from_team.name} withdrew the transfer of {_references(cases)}.",
    )
    return transfer
