"""Outcome pages: a case's engagement and reviews (recorded by its holder or the team manager),
and the outcomes of a team or a programme with the numbers beside every chart, and exports."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from caseload.core import once, selectors
from caseload.core.access import DIRECTORS_AND_ADMINS, MANAGERS_AND_ABOVE, role_required
from caseload.core.choices import CaseType
from caseload.core.forms import add_service_errors
from caseload.core.models import Service, Team
from caseload.core.spreadsheet import Column, Table
from reports import charts, exports
from security.audit import audit_record, audit_view
from security.choices import AuditAction

from . import selectors as outcomes_selectors
from . import services
from .choices import SHORT, Domain
from .forms import ReviewForm, StageForm


def _adult_case(request, case_pk: int):
    case = selectors.case_for_user(request.user, case_pk)
    if case.case_type != CaseType.ADULT:
        raise Http404("Engagement and outcomes are recorded for adult cases only.")
    return case


def _changeable_case(request, case_pk: int):
    case = _adult_case(request, case_pk)
    if not selectors.can_change_case(request.user, case):
        raise PermissionDenied("Only the case holder or the team manager can record this.")
    return case


@require_GET
def case_outcomes(request, case_pk: int) -> HttpResponse:
    """A case's engagement stages and outcome reviews."""
    case = _adult_case(request, case_pk)
    audit_view(request, case)
    reviews = list(outcomes_selectors.reviews(case))
    for review in reviews:
        given = {r.domain: r.rating for r in review.ratings.all()}
        review.row = [given.get(domain) for domain in Domain.values]
    return render(
        request,
        "outcomes/case.html",
        {
            "case": case,
            "stages": outcomes_selectors.stage_history(case),
            "reviews": reviews,
            "domains": Domain.choices,
            "can_change": selectors.can_change_case(request.user, case),
        },
    )


@require_http_methods(["GET", "POST"])
def stage_create(request, case_pk: int) -> HttpResponse:
    """The holder or the team manager moves the case to an engagement stage."""
    case = _changeable_case(request, case_pk)
    form = StageForm(request.POST or None)
    if request.method == "POST" and (first := once.previous(request)) is not None:
        return redirect(first.url)
    if request.method == "POST" and form.is_valid():
        try:
            done = once.submit(
                request,
                lambda: services.stage_change(case=case, by=request.user, **form.cleaned_data),
                url=lambda _: reverse("case_outcomes", args=[case.pk]),
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            change = done.result
            if change is not None and change.prompted_reweighting:
                messages.warning(
                    request,
                    f"Now {change.get_stage_display().lower()}: the case's factors are marked "
                    "for review, so its weight can follow how intensive the work is.",
                )
            elif not done.repeated:
                messages.success(request, "Stage recorded.")
            return redirect(done.url)
    audit_view(request, case)
    return render(request, "outcomes/stage_form.html", {"case": case, "form": form})


@require_http_methods(["GET", "POST"])
def review_create(request, case_pk: int) -> HttpResponse:
    """The holder or the team manager records an outcome review."""
    case = _changeable_case(request, case_pk)
    form = ReviewForm(request.POST or None)
    if request.method == "POST" and (first := once.previous(request)) is not None:
        return redirect(first.url)
    if request.method == "POST" and form.is_valid():
        try:
            done = once.submit(
                request,
                lambda: services.outcome_review_record(
                    case=case,
                    reviewed_on=form.cleaned_data["reviewed_on"],
                    ratings=form.ratings(),
                    note=form.cleaned_data["note"],
                    by=request.user,
                ),
                url=lambda _: reverse("case_outcomes", args=[case.pk]),
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            if not done.repeated:
                messages.success(request, "Outcome review recorded.")
            return redirect(done.url)
    audit_view(request, case)
    domains = [form[d] for d in Domain.values]
    return render(
        request, "outcomes/review_form.html", {"case": case, "form": form, "domains": domains}
    )


EXPORT_COLUMNS = [
    Column("case", "Case"),
    Column("stage_now", "Stage now"),
    Column("reviewed_on", "Reviewed on", "date"),
    *(Column(domain.value, domain.label, "count") for domain in Domain),
]


def _page(request, name: str, kind: str, pk: int, teams) -> HttpResponse:
    today = timezone.localdate()
    result = outcomes_selectors.outcomes(teams, today)
    fmt = request.GET.get("format", "")
    if fmt:
        if fmt not in exports.FORMATS:
            raise Http404("Unknown format")
        audit_record(request=request, action=AuditAction.EXPORT, detail=f"outcomes for {kind} {pk}")
        table = Table(
            title="Outcome reviews, one row per review (ratings 1 to 5, higher is better)",
            scope=name,
            on=today,
            columns=EXPORT_COLUMNS,
            rows=result.rows,
            sheet_name="Outcomes",
        )
        return exports.download(table, filename=f"outcomes-{kind}-{pk}-{today}", fmt=fmt)
    overall = [
        (month.strftime("%b %Y"), _mean([v for v in averages.values() if v is not None]))
        for month, averages, _ in result.months
    ]
    return render(
        request,
        "outcomes/scope.html",
        {
            "name": name,
            "kind": kind,
            "result": result,
            "domains": Domain.choices,
            "labels": dict(Domain.choices),
            "stage_svg": charts.bar_chart(
                f"stages-{kind}",
                [(label, count) for _, label, count in result.by_stage],
                title="People by engagement stage now",
                axis_label="Engagement stage",
                description="People by engagement stage; the table beside it gives every count.",
            ),
            "improved_svg": charts.bar_chart(
                f"improved-{kind}",
                [(SHORT[Domain(m.domain)], m.improved) for m in result.movement],
                title="People whose rating improved, by domain",
                axis_label="Outcome domain",
                description="People improved in each domain; the table beside it gives every "
                "number.",
            ),
            "trend_svg": charts.line_chart(
                f"ratings-{kind}", overall, title="Average rating across domains, by month"
            ),
        },
    )


def _mean(values):
    return round(sum(values) / len(values), 2) if values else None


@require_GET
@role_required(*MANAGERS_AND_ABOVE)
def outcomes_team(request, team_pk: int) -> HttpResponse:
    """A team's outcomes."""
    team = get_object_or_404(Team.objects.visible_to(request.user), pk=team_pk)
    return _page(request, team.name, "team", team.pk, Team.objects.filter(pk=team.pk))


@require_GET
@role_required(*DIRECTORS_AND_ADMINS)
def outcomes_service(request, pk: int) -> HttpResponse:
    """A programme's (service's) outcomes."""
    service = get_object_or_404(Service, pk=pk, organisation=request.user.organisation)
    return _page(request, service.name, "service", service.pk, service.teams.all())
