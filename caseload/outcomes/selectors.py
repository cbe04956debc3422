"""Reads for outcomes: a case's history, and a team's or a programme's (service's) stages and
movement, in a fixed number of queries."""

from collections import Counter
from dataclasses import dataclass
from datetime import date

from django.db.models import OuterRef, QuerySet, Subquery

from caseload.core.choices import CaseType
from caseload.core.models import Case

from . import movement as M
from .choices import Domain, Stage
from .models import OutcomeRating, OutcomeReview, StageChange


def stage_history(case: Case) -> QuerySet[StageChange]:
    return StageChange.objects.filter(case=case).select_related("recorded_by")


def reviews(case: Case) -> QuerySet[OutcomeReview]:
    return (
        OutcomeReview.objects.filter(case=case)
        .select_related("recorded_by")
        .prefetch_related("ratings")
    )


def current_stage(case: Case) -> StageChange | None:
    return stage_history(case).order_by("-started_on", "-pk").first()


def adult_cases(teams, on: date) -> QuerySet[Case]:
    """Adult multiple-disadvantage cases of the teams open on the day, each with its stage
    then (`stage_now`, None when none is recorded)."""
    stage = StageChange.objects.filter(case=OuterRef("pk"), started_on__lte=on).order_by(
        "-started_on", "-pk"
    )
    return (
        Case.objects.open_on(on)
        .filter(team__in=teams, case_type=CaseType.ADULT)
        .annotate(stage_now=Subquery(stage.values("stage")[:1]))
    )


@dataclass
class Outcomes:
    """A scope's outcomes on a day: people by stage, movement per domain, month by month."""

    people: int
    by_stage: list[tuple[str, str, int]]  # (stage, label, people); "" is "not recorded"
    movement: list[M.DomainMovement]
    months: list[tuple[date, dict, int]]
    rows: list[tuple]  # for the export: one per case review


def _months(on: date, count: int = 12) -> list[date]:
    first = on.replace(day=1)
    index = first.year * 12 + first.month - 1
    return [date((index - i) // 12, (index - i) % 12 + 1, 1) for i in range(count - 1, -1, -1)]


def outcomes(teams, on: date) -> Outcomes:
    """People by engagement stage now, each domain's movement from first to latest rating, and
    the average ratings month by month, for the open adult cases of the teams (two
    queries)."""
    cases = list(
        adult_cases(teams, on).order_by("reference").values_list("pk", "reference", "stage_now")
    )
    stages = Counter(stage or "" for _, _, stage in cases)
    by_stage = [(s, label, stages.get(s, 0)) for s, label in Stage.choices]
    by_stage.append(("", "Not recorded", stages.get("", 0)))
    rated = [
        M.Rated(case_id, reviewed_on, domain, rating)
        for case_id, reviewed_on, domain, rating in OutcomeRating.objects.filter(
            review__case_id__in=[pk for pk, _, _ in cases], review__reviewed_on__lte=on
        )
        .order_by("review__reviewed_on")
        .values_list("review__case_id", "review__reviewed_on", "domain", "rating")
    ]
    reference = {pk: ref for pk, ref, _ in cases}
    stage_of = {pk: stage for pk, _, stage in cases}
    per_review: dict[tuple[int, date], dict[str, int]] = {}
    for row in rated:
        per_review.setdefault((row.case_id, row.reviewed_on), {})[row.domain] = row.rating
    ordered = sorted(per_review.items(), key=lambda kv: (reference[kv[0][0]], kv[0][1]))
    rows = [
        (
            reference[case_id],
            Stage(stage_of[case_id]).label if stage_of[case_id] else "",
            day,
            *(values.get(d) for d in Domain.values),
        )
        for (case_id, day), values in ordered
    ]
    return Outcomes(
        people=len(cases),
        by_stage=by_stage,
        movement=M.movement(rated, Domain.values),
        months=M.averages_by_month(rated, _months(on), Domain.values),
        rows=rows,
    )
