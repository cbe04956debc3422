"""What the forecast reads from the database, for one scope (the organisation, a service or a
team) on a day, in a fixed number of queries, turned into `projection.Inputs`."""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import Count, Q
from django.utils import timezone

from caseload.core.models import Case, Organisation, Service, Team, Worker
from weighting import scoring
from weighting.loads import reductions_for
from weighting.selectors import case_weights, standard_kind, standards_for

from . import projection as P

ARRIVAL_WEEKS = 12


@dataclass(frozen=True)
class ForecastScope:
    """Which part of the organisation a forecast is for."""

    organisation: Organisation
    service: Service | None = None
    team: Team | None = None

    @property
    def kind(self) -> str:
        return "team" if self.team else "service" if self.service else "organisation"

    @property
    def name(self) -> str:
        return (self.team or self.service or self.organisation).name

    @property
    def key(self) -> str:
        return f"{self.kind}:{(self.team or self.service or self.organisation).pk}"

    def teams(self):
        teams = Team.objects.filter(service__organisation=self.organisation)
        if self.service is not None:
            teams = teams.filter(service=self.service)
        if self.team is not None:
            teams = teams.filter(pk=self.team.pk)
        return teams


def band_tops(organisation: Organisation) -> dict[str, Decimal]:
    """Top of band per kind of worker, for scenarios."""
    return {kind: Decimal(s.band_top) for kind, s in standards_for(organisation.pk).items()}


def forecast_inputs(scope: ForecastScope, on: date | None = None) -> P.Inputs:
    """The scope's open cases with their points and expected ends, its workers in post or
    starting later with their bands, dates and reductions, and the average weekly new cases of
    each type over the last 12 weeks."""
    on = on or timezone.localdate()
    teams = scope.teams()
    organisation_id = scope.organisation.pk
    cases = list(
        Case.objects.open_on(on)
        .filter(team__in=teams)
        .order_by("pk")
        .values_list("pk", "case_type", "expected_end")
    )
    weights = case_weights([pk for pk, _, _ in cases], organisation_id, on)
    case_rows = [P.CaseIn(weights[pk].total, kind, end) for pk, kind, end in cases]
    workers = list(
        Worker.objects.filter(team__in=teams)
        .filter(Q(leave_date__isnull=True) | Q(leave_date__gte=on))
        .order_by("pk")
    )
    standards = standards_for(organisation_id)
    reductions = reductions_for(workers)
    worker_rows = []
    for worker in workers:
        kind = standard_kind(worker)
        standard = standards[kind]
        worker_rows.append(
            P.WorkerIn(
                fte=worker.fte,
                band=scoring.Band(Decimal(standard.band_bottom), Decimal(standard.band_top)),
                kind=kind,
                starts_on=worker.start_date,
                leaves_on=worker.leave_date,
                reductions=tuple(reductions.get(worker.pk, ())),
            )
        )
    return P.Inputs(
        start=on, cases=case_rows, workers=worker_rows, arrivals=_arrivals(teams, case_rows, on)
    )


def _arrivals(teams, cases: list[P.CaseIn], on: date) -> list[P.Arrivals]:
    """Per case type: cases opened in the 12 weeks before the day ÷ 12, each worth the average
    points of the type's open cases (of all open cases if none of the type is open)."""
    since = on - timedelta(weeks=ARRIVAL_WEEKS)
    opened = dict(
        Case.objects.filter(team__in=teams, opened_on__gte=since, opened_on__lt=on)
        .order_by()
        .values("case_type")
        .annotate(n=Count("pk"))
        .values_list("case_type", "n")
    )
    overall = _average([c.points for c in cases])
    rows = []
    for case_type, count in sorted(opened.items()):
        points = [c.points for c in cases if c.case_type == case_type]
        rows.append(
            P.Arrivals(
                case_type=case_type,
                per_week=Decimal(count) / ARRIVAL_WEEKS,
                points=_average(points) if points else overall,
            )
        )
    return rows


def _average(values: list[int]) -> Decimal:
    return Decimal(sum(values)) / len(values) if values else Decimal("0")
