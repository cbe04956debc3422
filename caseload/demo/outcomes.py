"""Demo engagement and outcomes: each open adult multiple-disadvantage case moves through the
engagement stages with time (locating, engaging, engaged, then for some stabilised and stepping
down), with an outcome review about every three months whose ratings mostly rise. Bulk
inserts."""

from datetime import timedelta

from caseload.core.choices import CaseStatus, CaseType
from caseload.core.models import Case
from caseload.outcomes.choices import Domain, Stage
from caseload.outcomes.models import OutcomeRating, OutcomeReview, StageChange

# Roughly when each stage begins, in days after the case opened.
STAGE_DAYS = (
    (Stage.LOCATING, 0),
    (Stage.ENGAGING, 21),
    (Stage.ENGAGED, 70),
    (Stage.STABILISED, 200),
    (Stage.STEPPING_DOWN, 420),
)


def seed_outcomes(*, rng, organisation, today) -> int:
    """Create stage histories and reviews for the organisation's open adult cases."""
    cases = list(
        Case.objects.filter(team__service__organisation=organisation, case_type=CaseType.ADULT)
        .exclude(status=CaseStatus.CLOSED)
        .values_list("pk", "opened_on")
    )
    stages, reviews, ratings = [], [], []
    for pk, opened_on in cases:
        pace = rng.uniform(0.7, 1.6)
        for stage, days in STAGE_DAYS:
            day = opened_on + timedelta(days=int(days * pace))
            if day > today or (stage == Stage.STABILISED and rng.random() < 0.3):
                break
            stages.append(StageChange(case_id=pk, stage=stage, started_on=day))
        level = {domain: rng.randint(1, 3) for domain in Domain.values}
        day = opened_on + timedelta(days=rng.randrange(20, 45))
        while day <= today:
            review = OutcomeReview(case_id=pk, reviewed_on=day)
            reviews.append(review)
            for domain in Domain.values:
                level[domain] = min(5, max(1, level[domain] + rng.choice((-1, 0, 0, 1, 1))))
                ratings.append((review, domain, level[domain]))
            day += timedelta(days=rng.randrange(80, 100))
    StageChange.objects.bulk_create(stages, batch_size=5000)
    OutcomeReview.objects.bulk_create(reviews, batch_size=5000)
    OutcomeRating.objects.bulk_create(
        (OutcomeRating(review_id=r.pk, domain=d, rating=v) for r, d, v in ratings),
        batch_size=5000,
    )
    return len(reviews)
