"""Demo supervision: every worker other than a manager supervised about every four weeks (two
for the newly qualified) for six months, most with the caseload reviewed, some cases discussed
and actions agreed; about one in eight has gone past their due date. Teams without a demo
manager sign-in are supervised by the demo director's sign-in. Bulk inserts."""

from datetime import timedelta

from caseload.core.choices import MANAGER_ROLES, AccessRole, ExperienceBand
from caseload.core.models import User, Worker
from caseload.supervision.models import Supervision, SupervisionAction, SupervisionPlan
from caseload.supervision.rules import every_weeks
from weighting.loads import held_case_ids

MONTHS_BACK = 182
ACTIONS = (
    "Book a co-worker for the next home visit",
    "Write up the child's plan before the review",
    "Ask for legal planning advice",
    "Take a day for court preparation",
)


def seed_supervision(*, rng, organisation, today) -> int:
    """Create supervisions, their cases and actions for the organisation's workers in post."""
    workers = list(
        Worker.objects.in_post(today)
        .filter(team__service__organisation=organisation)
        .exclude(role__in=MANAGER_ROLES)
        .order_by("pk")
    )
    director = User.objects.filter(organisation=organisation, role=AccessRole.DIRECTOR).first()
    managers = {
        team_id: user
        for user in User.objects.filter(organisation=organisation, role=AccessRole.MANAGER)
        for team_id in user.managed_teams.values_list("pk", flat=True)
    }
    held = held_case_ids(workers, today)
    plans, supervisions, discussed, agreed = [], [], [], []
    for worker in workers:
        newly = worker.experience == ExperienceBand.NEWLY_QUALIFIED
        qualified_on = worker.start_date if newly else None
        if qualified_on:
            plans.append(SupervisionPlan(worker=worker, qualified_on=qualified_on))
        weeks = every_weeks(own=None, qualified_on=qualified_on, newly_qualified=newly, on=today)
        supervisor = managers.get(worker.team_id, director)
        late = rng.random() < 0.12
        day = today - timedelta(days=rng.randrange(0, weeks * 7 - 2))
        if late:
            day -= timedelta(weeks=weeks, days=rng.randrange(3, 20))
        start = max(worker.start_date or today, today - timedelta(days=MONTHS_BACK))
        while day >= start and supervisor is not None:
            row = Supervision(
                worker=worker,
                held_on=day,
                supervisor=supervisor,
                caseload_reviewed=rng.random() < 0.85,
                notes="Reviewed the caseload against bandwidth." if rng.random() < 0.5 else "",
            )
            supervisions.append(row)
            cases = held.get(worker.pk, [])
            discussed.append((row, rng.sample(cases, min(len(cases), rng.randrange(0, 4)))))
            if rng.random() < 0.5:
                due = day + timedelta(days=14)
                agreed.append(
                    SupervisionAction(
                        supervision=row,
                        description=rng.choice(ACTIONS),
                        owner=worker,
                        due_on=due,
                        done_on=due - timedelta(days=2)
                        if due < today and rng.random() < 0.8
                        else None,
                    )
                )
            day -= timedelta(weeks=weeks, days=rng.randrange(-3, 4))
    SupervisionPlan.objects.bulk_create(plans, batch_size=5000)
    Supervision.objects.bulk_create(supervisions, batch_size=5000)
    through = Supervision.cases.through
    through.objects.bulk_create(
        [
            through(supervision_id=row.pk, case_id=case_id)
            for row, ids in discussed
            for case_id in ids
        ],
        batch_size=5000,
    )
    for action in agreed:
        action.supervision_id = action.supervision.pk
    SupervisionAction.objects.bulk_create(agreed, batch_size=5000)
    return len(supervisions)
