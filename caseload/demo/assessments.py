"""Demo assessments: every open case gets factors; most agreed, some awaiting agreement,
some amended by the supervisor, some stale or needing review. Bulk inserts."""

from collections import Counter
from datetime import datetime, time, timedelta

from django.utils import timezone

from caseload.core.choices import CaseStatus
from caseload.core.models import Case
from weighting.choices import AssessmentStatus, Stage
from weighting.models import AssessmentFactor, CaseAssessment

BATCH = 5000
SIBLINGS = {0: "none", 1: "one_or_two", 2: "one_or_two"}


def _moment(day) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(10, 0)))


def _choices(rng, case_type, court, siblings) -> list[tuple[str, str]]:
    choices = [
        ("case_type", case_type),
        ("court", court),
        ("siblings", SIBLINGS.get(siblings, "three_or_more")),
        ("travel", rng.choices(["under_30", "30_60", "over_60"], weights=[80, 16, 4])[0]),
    ]
    for extra, chance in (("interpreter", 0.05), ("disability", 0.1), ("high_risk", 0.08)):
        if rng.random() < chance:
            choices.append(("extras", extra))
    return choices


def seed_assessments(*, rng, organisation, today) -> int:
    """Create an assessment for every open case in the organisation."""
    cases = list(
        Case.objects.filter(team__service__organisation=organisation)
        .exclude(status=CaseStatus.CLOSED)
        .values_list("pk", "case_type", "court", "opened_on", "participant__household_id")
        .order_by("pk")
    )
    households = Counter(h for *_, h in cases if h)
    assessments, lines = [], []
    for case_id, case_type, court, opened_on, household in cases:
        siblings = households[household] - 1 if household else 0
        choices = _choices(rng, case_type, court, siblings)
        proposed_on = opened_on + timedelta(days=rng.randint(1, 14))
        proposed_on = min(proposed_on, today)
        roll = rng.random()
        assessment = CaseAssessment(
            case_id=case_id,
            is_current=True,
            proposed_at=_moment(proposed_on),
            status=AssessmentStatus.AGREED,
        )
        agreed = list(choices)
        if roll < 0.18 or (today - proposed_on).days < 7:
            assessment.status = AssessmentStatus.PROPOSED
            agreed = []
        else:
            # Supervision reviews factors regularly; about one in six is overdue (stale).
            agreed_on = max(proposed_on, today - timedelta(days=rng.randint(0, 100)))
            assessment.agreed_at = _moment(agreed_on)
            if roll > 0.9:
                assessment.status = AssessmentStatus.AMENDED
                assessment.agreement_note = (
                    "Travel is longer than proposed: the family moved out of area."
                )
                agreed = [c for c in choices if c[0] != "travel"] + [("travel", "over_60")]
            if roll > 0.97:
                assessment.needs_review = True
                assessment.review_reason = "Changed: level of need"
        assessments.append((assessment, choices, agreed))
    CaseAssessment.objects.bulk_create([a for a, _, _ in assessments], batch_size=BATCH)
    for assessment, proposed, agreed in assessments:
        lines += [
            AssessmentFactor(assessment_id=assessment.pk, stage=Stage.PROPOSED, factor=f, option=o)
            for f, o in proposed
        ]
        lines += [
            AssessmentFactor(assessment_id=assessment.pk, stage=Stage.AGREED, factor=f, option=o)
            for f, o in agreed
        ]
    AssessmentFactor.objects.bulk_create(lines, batch_size=BATCH)
    return len(assessments)
