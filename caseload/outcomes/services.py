"""Writes for outcomes: a case's engagement stage changes, and an outcome review is recorded.
Only for open adult multiple-disadvantage cases, by their holder or their team's manager."""

from datetime import date

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from caseload.core.choices import CaseType
from caseload.core.models import Case, User
from caseload.core.recompute import request_team_recompute
from caseload.core.selectors import can_change_case
from weighting.services import assessment_mark_needs_review

from .choices import LESS_INTENSIVE, ORDER, Domain, Stage
from .models import OutcomeRating, OutcomeReview, StageChange


def _check(case: Case, by: User, on: date, field: str) -> None:
    if case.case_type != CaseType.ADULT:
        raise ValidationError("Engagement and outcomes are recorded for adult cases only.")
    if not can_change_case(by, case):
        raise ValidationError("Only the case holder or the team manager can record this.")
    if on > timezone.localdate():
        raise ValidationError({field: "The date cannot be in the future."})
    if on < case.opened_on:
        raise ValidationError(
            {field: f"The date cannot be before the case opened ({case.opened_on:%d/%m/%Y})."}
        )


def prompts_reweighting(before: str | None, after: str) -> bool:
    """A person who reaches a less intensive stage (stabilised, stepping down) needs less
    intensive work; one who goes back to an earlier stage needs more: either way their factors
    are reviewed."""
    if after in LESS_INTENSIVE and before not in LESS_INTENSIVE:
        return True
    return before is not None and ORDER[after] < ORDER[before]


@transaction.atomic
def stage_change(
    *, case: Case, stage: str, started_on: date, by: User, note: str = ""
) -> StageChange:
    """Move the case to an engagement stage from a day. When the move changes how intensive the
    work is (`prompts_reweighting`), the case's factors are marked for review and the team's
    flags worked out again after commit."""
    case = Case.objects.select_for_update().get(pk=case.pk)
    _check(case, by, started_on, "started_on")
    if stage not in Stage.values:
        raise ValidationError({"stage": "Choose a stage."})
    current = StageChange.objects.filter(case=case).order_by("-started_on", "-pk").first()
    if current is not None:
        if started_on < current.started_on:
            raise ValidationError(
                {
                    "started_on": f"The current stage began on {current.started_on:%d/%m/%Y}: "
                    "a change cannot start before it."
                }
            )
        if stage == current.stage:
            raise ValidationError({"stage": f"The case is {current.get_stage_display()} already."})
    prompt = prompts_reweighting(current.stage if current else None, stage)
    try:
        with transaction.atomic():
            change = StageChange.objects.create(
                case=case,
                stage=stage,
                started_on=started_on,
                note=note.strip(),
                recorded_by=by,
                prompted_reweighting=prompt,
            )
    except IntegrityError:
        raise ValidationError(
            {"started_on": "A stage change on this day is recorded already."}
        ) from None
    if prompt:
        assessment_mark_needs_review(
            case=case, reason=f"Engagement stage now {change.get_stage_display().lower()}"
        )
        request_team_recompute(case.team_id)
    return change


@transaction.atomic
def outcome_review_record(
    *, case: Case, reviewed_on: date, ratings: dict[str, int | None], by: User, note: str = ""
) -> OutcomeReview:
    """Record the person's outcome ratings (1 to 5) at a review; a domain may be left unrated,
    but not all of them."""
    _check(case, by, reviewed_on, "reviewed_on")
    given = {domain: value for domain, value in ratings.items() if value is not None}
    if not given:
        raise ValidationError("Rate at least one domain.")
    for domain, value in given.items():
        if domain not in Domain.values:
            raise ValidationError(f"{domain!r} is not an outcome domain.")
        if not 1 <= value <= 5:
            raise ValidationError({domain: "A rating is from 1 to 5."})
    try:
        with transaction.atomic():
            review = OutcomeReview.objects.create(
                case=case, reviewed_on=reviewed_on, note=note.strip(), recorded_by=by
            )
    except IntegrityError:
        raise ValidationError(
            {"reviewed_on": f"A review on {reviewed_on:%d/%m/%Y} is recorded already."}
        ) from None
    OutcomeRating.objects.bulk_create(
        OutcomeRating(review=review, domain=domain, rating=value) for domain, value in given.items()
    )
    return review
