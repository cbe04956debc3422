"""Transfer pages: ask (the case's manager), a manager's incoming and outgoing, accept or
decline (the receiving team's manager), withdraw (the sending team's manager). Each POST calls
one service and writes an audit row for each case."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from caseload.core import once
from caseload.core.access import MANAGERS_AND_ABOVE, manages_team, role_required
from caseload.core.forms import add_service_errors
from caseload.core.selectors import case_for_user
from security.audit import audit_record, audit_view
from security.choices import AuditAction

from . import selectors, services
from .forms import AcceptForm, DeclineForm, TransferForm
from .models import Transfer


def _audit(request, transfer: Transfer, detail: str) -> None:
    for row in transfer.rows.select_related("case"):
        audit_record(request=request, action=AuditAction.EDIT, obj=row.case, detail=detail)


@require_http_methods(["GET", "POST"])
@role_required(*MANAGERS_AND_ABOVE)
def case_transfer(request, pk: int) -> HttpResponse:
    """Ask for the case (and its household's open cases in the team) to move to another team."""
    case = case_for_user(request.user, pk)
    if not (manages_team(request.user, case.team_id) and case.is_open):
        raise PermissionDenied("Only the manager of an open case's team asks for a transfer.")
    teams = list(selectors.teams_to_transfer_to(case))
    siblings = selectors.transferable_with(case)
    form = TransferForm(request.POST or None, teams=teams, siblings=siblings)
    if request.method == "POST" and (first := once.previous(request)) is not None:
        return redirect(first.url)
    if request.method == "POST" and form.is_valid():
        to_team = next(t for t in teams if t.pk == form.cleaned_data["to_team"])
        try:
            done = once.submit(
                request,
                lambda: services.transfer_request(
                    case=case,
                    to_team=to_team,
                    reason=form.cleaned_data["reason"],
                    detail=form.cleaned_data["detail"],
                    whole_household=form.cleaned_data.get("whole_household", False),
                    by=request.user,
                ),
                url=lambda _: case.get_absolute_url(),
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            if not done.repeated:
                _audit(request, done.result, f"transfer to {to_team.name} asked")
                keeps = "The holder keeps it" if case.current else "It stays in your queue"
                messages.success(
                    request, f"Transfer to {to_team.name} asked. {keeps} until it is accepted."
                )
            return redirect(done.url)
    audit_view(request, case)
    return render(
        request,
        "transfers/case_transfer.html",
        {"case": case, "form": form, "siblings": siblings},
    )


@require_GET
@role_required(*MANAGERS_AND_ABOVE)
def transfers(request) -> HttpResponse:
    """Transfers into and out of the user's teams: pending first, with the case summaries and
    the forms to answer them."""
    found = selectors.transfers_for(request.user)
    workers: dict[int, list] = {}  # one query per receiving team, not per transfer
    for transfer in found.incoming:
        if transfer.is_pending and request.user.is_manager:
            team_id = transfer.to_team_id
            if team_id not in workers:
                workers[team_id] = list(selectors.receiving_workers(transfer))
            transfer.accept_form = AcceptForm(workers=workers[team_id], prefix=f"t{transfer.pk}")
    return render(
        request,
        "transfers/transfers.html",
        {"found": found, "decline_form": DeclineForm(), "is_manager": request.user.is_manager},
    )


def _answer(request, pk: int, *, receiving: bool) -> Transfer:
    """The transfer the manager may answer (the receiver) or withdraw (the sender); anyone
    else gets 404, as if it did not exist."""
    if not request.user.is_manager:
        raise PermissionDenied("Only team managers answer transfers.")
    find = selectors.transfer_for_receiver if receiving else selectors.transfer_for_sender
    transfer = find(request.user, pk)
    if transfer is None:
        raise Http404("No such transfer.")
    return transfer


@require_POST
@role_required(*MANAGERS_AND_ABOVE)
def transfer_accept(request, pk: int) -> HttpResponse:
    """Accept into the queue, or to a worker of the receiving team at once."""
    transfer = _answer(request, pk, receiving=True)
    workers = list(selectors.receiving_workers(transfer))
    form = AcceptForm(request.POST, workers=workers, prefix=f"t{transfer.pk}")
    if not form.is_valid():
        messages.error(request, "Choose the queue or a worker in your team.")
        return redirect("transfers")
    worker_id = form.cleaned_data["worker"]
    worker = next((w for w in workers if w.pk == worker_id), None)
    try:
        services.transfer_accept(
            transfer=transfer,
            by=request.user,
            worker=worker,
            override_reason=form.cleaned_data["override_reason"],
            override_category=form.cleaned_data["override_category"],
        )
    except ValidationError as error:
        messages.error(request, "Not accepted: " + " ".join(error.messages))
        return redirect("transfers")
    _audit(request, transfer, "transfer accepted")
    messages.success(request, f"Accepted into {transfer.to_team.name}.")
    return redirect("team_queue" if worker is None else "team_detail", pk=transfer.to_team_id)


@require_POST
@role_required(*MANAGERS_AND_ABOVE)
def transfer_decline(request, pk: int) -> HttpResponse:
    """Decline, with the reason; the cases stay with the sending team."""
    transfer = _answer(request, pk, receiving=True)
    form = DeclineForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Say why you decline the transfer.")
        return redirect("transfers")
    try:
        services.transfer_decline(
            transfer=transfer, by=request.user, reason=form.cleaned_data["reason"]
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        _audit(request, transfer, "transfer declined")
        messages.success(request, "Transfer declined; the sending team has been told.")
    return redirect("transfers")


@require_POST
@role_required(*MANAGERS_AND_ABOVE)
def transfer_withdraw(request, pk: int) -> HttpResponse:
    """The sender takes a pending transfer back."""
    transfer = _answer(request, pk, receiving=False)
    try:
        services.transfer_withdraw(
            transfer=transfer, by=request.user, note=request.POST.get("note", "")[:1000]
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        _audit(request, transfer, "transfer withdrawn")
        messages.success(request, "Transfer withdrawn.")
    return redirect("transfers")
