"""Read paths for transfers: a manager's incoming and outgoing, what the receiving team may see
of a case before it accepts (a summary, never the person, notes or contacts), the pending
transfers on a team's page and the steps in a case's history."""

from dataclasses import dataclass

from django.db.models import Prefetch, QuerySet

from caseload.core.choices import Court
from caseload.core.history import HistoryRow
from caseload.core.models import Case, Team, Worker
from weighting import selectors as weighting

from .choices import TransferStatus
from .models import Transfer, TransferCase


def transferable_with(case: Case) -> list[Case]:
    """The other open cases of the case's household in the same team: they may move with it."""
    household = case.participant.household_id
    if not household:
        return []
    return list(
        Case.objects.open()
        .filter(team_id=case.team_id, participant__household_id=household)
        .exclude(pk=case.pk)
        .order_by("pk")
    )


def teams_to_transfer_to(case: Case) -> QuerySet[Team]:
    """Every other team in the case's organisation."""
    return (
        Team.objects.filter(service__organisation_id=case.team.service.organisation_id)
        .exclude(pk=case.team_id)
        .select_related("service")
        .order_by("service__name", "name")
    )


@dataclass(frozen=True)
class CaseSummary:
    """What a receiving team sees of a case before accepting it: no person, notes or contacts."""

    reference: str
    case_type: str
    need_level: str
    court: str  # "" when there is no court work
    points: int


def _with_rows(transfers: QuerySet[Transfer]) -> QuerySet[Transfer]:
    return transfers.select_related(
        "from_team", "to_team", "requested_by", "decided_by"
    ).prefetch_related(
        Prefetch("rows", queryset=TransferCase.objects.select_related("case").order_by("case_id"))
    )


def summaries(transfers: list[Transfer], organisation_id: int) -> None:
    """Give each transfer `summary`: a `CaseSummary` per case, its points from the weighting in
    force. Two queries for the weights whatever the number of transfers."""
    cases = [row.case for t in transfers for row in t.rows.all()]
    weights = weighting.case_weights(cases, organisation_id) if cases else {}
    for transfer in transfers:
        transfer.summary = [
            CaseSummary(
                reference=row.case.reference,
                case_type=row.case.get_case_type_display(),
                need_level=row.case.get_need_level_display(),
                court=row.case.get_court_display() if row.case.court != Court.NONE else "",
                points=weighting.estimated_points(row.case, weights[row.case.pk]),
            )
            for row in transfer.rows.all()
        ]


@dataclass
class ManagerTransfers:
    """A manager's transfers: into their teams and out of them, pending first."""

    incoming: list[Transfer]
    outgoing: list[Transfer]
    managed_ids: set[int]


RECENT = 50  # decided transfers kept on the page, each way


def transfers_for(user) -> ManagerTransfers:
    """Transfers into and out of the teams the user manages (every team in the organisation for
    directors, who read but do not act), each with its case summaries."""
    teams = Team.objects.managed_by(user)
    managed = set(teams.values_list("pk", flat=True))
    order = ("-requested_at", "-pk")
    incoming = list(_with_rows(Transfer.objects.filter(to_team__in=managed).order_by(*order)))
    outgoing = list(_with_rows(Transfer.objects.filter(from_team__in=managed).order_by(*order)))
    incoming = _pending_first(incoming)
    outgoing = _pending_first(outgoing)
    if user.organisation_id:
        summaries([*incoming, *outgoing], user.organisation_id)
    return ManagerTransfers(incoming, outgoing, managed)


def _pending_first(transfers: list[Transfer]) -> list[Transfer]:
    pending = [t for t in transfers if t.is_pending]
    decided = [t for t in transfers if not t.is_pending]
    return pending + decided[:RECENT]


def transfer_for_receiver(user, pk: int) -> Transfer | None:
    """A transfer into a team the user manages, or None."""
    return (
        _with_rows(Transfer.objects.filter(pk=pk, to_team__in=Team.objects.managed_by(user)))
        .select_related("to_team__service", "from_team__service")
        .first()
    )


def transfer_for_sender(user, pk: int) -> Transfer | None:
    """A transfer out of a team the user manages, or None."""
    return _with_rows(
        Transfer.objects.filter(pk=pk, from_team__in=Team.objects.managed_by(user))
    ).first()


def receiving_workers(transfer: Transfer) -> QuerySet[Worker]:
    """Who in the receiving team may be given the cases at once."""
    return transfer.to_team.workers.in_post().order_by("name")


def pending_for_team(team: Team) -> dict[str, list[Transfer]]:
    """The team's pending transfers, in and out, for its page."""
    pending = list(_with_rows(Transfer.objects.pending().of_teams([team.pk])))
    return {
        "incoming": [t for t in pending if t.to_team_id == team.pk],
        "outgoing": [t for t in pending if t.from_team_id == team.pk],
    }


def pending_case_ids(cases) -> set[int]:
    """Which of these cases have a transfer pending."""
    return set(
        TransferCase.objects.filter(case__in=cases, pending=True).values_list("case_id", flat=True)
    )


def case_transfer_history(case: Case) -> list[HistoryRow]:
    """Each step of each transfer of the case, for its change history."""
    rows = []
    transfers = Transfer.objects.filter(rows__case=case).select_related(
        "from_team", "to_team", "requested_by", "decided_by"
    )
    for transfer in transfers:
        detail = f": {transfer.detail}" if transfer.detail else ""
        rows.append(
            HistoryRow(
                when=transfer.requested_at,
                who=_name(transfer.requested_by),
                kind=f"Transfer to {transfer.to_team.name} asked "
                f"({transfer.get_reason_display().lower()}{detail})",
            )
        )
        if transfer.status != TransferStatus.PENDING:
            note = f": {transfer.decision_note}" if transfer.decision_note else ""
            rows.append(
                HistoryRow(
                    when=transfer.decided_at,
                    who=_name(transfer.decided_by),
                    kind=f"Transfer to {transfer.to_team.name} "
                    f"{transfer.get_status_display().lower()}{note}",
                )
            )
    return rows


def _name(user) -> str:
    return (user.get_full_name() or user.get_username()) if user else "System"
