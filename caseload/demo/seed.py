"""Deterministic demo data: an organisation that looks like a real council.

`seed(size=..., seed=...)` builds everything from one random generator, so the same size and
seed always give the same organisation. Large sizes use bulk inserts in batches; only the demo
logins get passwords (hashed once), so seeding 25,000 workers stays quick.
"""

import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from caseload.core import bulk
from caseload.core.choices import AccessRole, ExperienceBand, WorkerRole
from caseload.core.models import Case, Organisation, Service, Team, User, Worker
from weighting.defaults import ensure_defaults
from weighting.services import reduction_create, reduction_types_install_defaults

from .assessments import seed_assessments
from .casework import seed_casework
from .checkins import seed_checkins
from .forecast import seed_forecast
from .names import FAMILY_NAMES, GIVEN_NAMES
from .outcomes import seed_outcomes
from .supervision import seed_supervision

BATCH = 2000

CHILDREN_TEAMS = (
    "Assessment",
    "Child Protection",
    "Children in Care",
    "Court and Permanence",
    "Family Support",
    "Disabled Children",
    "Care Leavers",
)
REGIONS = (
    "North",
    "South",
    "East",
    "West",
    "Central",
    "Riverside",
    "Hillside",
    "Coastal",
    "Valley",
    "Forest",
    "Market",
    "Harbour",
)


@dataclass(frozen=True)
class SizeSpec:
    """How big an organisation to build."""

    services: int
    teams_per_service: int
    workers_per_team: int


SIZES = {
    "small": SizeSpec(services=3, teams_per_service=2, workers_per_team=8),
    "council": SizeSpec(services=8, teams_per_service=12, workers_per_team=10),
    "national": SizeSpec(services=25, teams_per_service=100, workers_per_team=10),
}


@dataclass
class DemoLogin:
    """A printed demo sign-in."""

    username: str
    role: str
    description: str


@dataclass
class SeedResult:
    """What `seed` made, for the command to print."""

    organisation: Organisation
    logins: list[DemoLogin] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)


def _service_names(count: int) -> Iterator[tuple[str, str]]:
    """Service names and kinds: children's, early help, adults' multiple disadvantage."""
    yield "Children's Safeguarding", "children"
    if count > 1:
        yield "Early Help", "early_help"
    if count > 2:
        yield "Changing Futures (adults)", "adults"
    for index in range(3, count):
        yield f"Children's Services Area {index - 2}", "children"


def _team_name(kind: str, index: int) -> str:
    region = REGIONS[index % len(REGIONS)]
    suffix = f" {index // len(REGIONS) + 1}" if index >= len(REGIONS) else ""
    if kind == "early_help":
        return f"Early Help {region}{suffix}"
    if kind == "adults":
        return f"Multiple Disadvantage {region}{suffix}"
    return f"{CHILDREN_TEAMS[index % len(CHILDREN_TEAMS)]} {region}{suffix}"


def _worker_mix(kind: str, size: int) -> list[tuple[str, bool]]:
    """(role, qualified) for each post in a team: a manager first, then practitioners."""
    posts: list[tuple[str, bool]] = [(WorkerRole.TEAM_MANAGER, True)]
    if kind == "adults":
        posts += [(WorkerRole.CASEWORKER, False)] * (size - 1)
        return posts
    posts.append((WorkerRole.ADVANCED_PRACTITIONER, True))
    support = 2 if kind == "early_help" else 1
    posts += [(WorkerRole.SOCIAL_WORKER, True)] * (size - 2 - support)
    posts += [(WorkerRole.SUPPORT_WORKER, False)] * support
    return posts


class _Names:
    """Unique, deterministic full names."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.used: set[str] = set()

    def next(self) -> str:
        for _ in range(20):
            name = f"{self.rng.choice(GIVEN_NAMES)} {self.rng.choice(FAMILY_NAMES)}"
            if name not in self.used:
                self.used.add(name)
                return name
        name = f"{name} {len(self.used)}"
        self.used.add(name)
        return name


def _build_worker(rng, names, team, role, qualified, today, number) -> Worker:
    newly_qualified = role == WorkerRole.SOCIAL_WORKER and rng.random() < 0.25
    years = rng.uniform(0.1, 1.0) if newly_qualified else rng.uniform(1, 15)
    fte = Decimal(rng.choice(["1.00"] * 7 + ["0.80", "0.60", "0.50"]))
    return Worker(
        team=team,
        reference=f"W{number:06d}",
        name=names.next(),
        role=role,
        qualified=qualified,
        experience=ExperienceBand.NEWLY_QUALIFIED
        if newly_qualified
        else ExperienceBand.EXPERIENCED,
        fte=fte,
        agency=role == WorkerRole.SOCIAL_WORKER and rng.random() < 0.15,
        start_date=today - timedelta(days=int(years * 365)),
    )


def _seed_organisation(rng: random.Random, spec: SizeSpec, today: date) -> tuple:
    organisation = Organisation.objects.create(name="Northshire County Council")
    names = _Names(rng)
    services, teams, workers = [], [], []
    for service_name, kind in _service_names(spec.services):
        services.append((Service(organisation=organisation, name=service_name), kind))
    Service.objects.bulk_create([service for service, _ in services])
    team_kinds = []
    for service, kind in services:
        for index in range(spec.teams_per_service):
            team = Team(
                service=service, name=_team_name(kind, index), reference=f"T{len(teams) + 1:05d}"
            )
            teams.append(team)
            team_kinds.append(kind)
    number = 0
    for team, kind in zip(teams, team_kinds, strict=True):
        posts = _worker_mix(kind, spec.workers_per_team)
        team_workers = []
        for role, qualified in posts:
            number += 1
            team_workers.append(_build_worker(rng, names, team, role, qualified, today, number))
        permanent = sum((w.fte for w in team_workers if not w.agency), Decimal("0"))
        vacant = Decimal(rng.choice(["0", "0", "0.5", "1", "1.5", "2", "3"]))
        team.establishment_fte = permanent + vacant
        workers.extend(team_workers)
    Team.objects.bulk_create(teams, batch_size=BATCH)
    # bulk_create on SQLite/PostgreSQL sets primary keys, so workers can point at their teams.
    for worker in workers:
        worker.team_id = worker.team.pk
    bulk.insert(Worker, workers, history=True, reason="Demo data")
    return organisation, teams, team_kinds, workers


def _demo_users(organisation, teams, workers, today) -> list[DemoLogin]:
    """Sign-ins for each role, linked to workers in the first two teams."""
    password = make_password(settings.DEMO_PASSWORD)
    first, second = teams[0], teams[1]
    by_team: dict[int, list[Worker]] = {}
    for worker in workers:
        by_team.setdefault(worker.team_id, []).append(worker)

    def pick(team, role):
        return next(w for w in by_team[team.pk] if w.role == role)

    plan = [
        (
            "caseworker",
            AccessRole.CASEWORKER,
            pick(first, WorkerRole.SOCIAL_WORKER),
            f"social worker in {first.name}",
        ),
        (
            "support",
            AccessRole.CASEWORKER,
            pick(first, WorkerRole.SUPPORT_WORKER),
            f"support worker in {first.name}",
        ),
        (
            "manager",
            AccessRole.MANAGER,
            pick(first, WorkerRole.TEAM_MANAGER),
            f"team manager of {first.name}",
        ),
        (
            "manager2",
            AccessRole.MANAGER,
            pick(second, WorkerRole.TEAM_MANAGER),
            f"team manager of {second.name} (another team)",
        ),
        ("director", AccessRole.DIRECTOR, None, "director of children's and adults' services"),
        (
            "admin",
            AccessRole.ADMINISTRATOR,
            None,
            "organisation administrator (imports, standards, subject access; the app's pages)",
        ),
    ]
    logins = []
    for username, role, worker, description in plan:
        given, _, family = (worker.name if worker else f"Demo {username.title()}").partition(" ")
        user = User.objects.create(
            username=username,
            first_name=given,
            last_name=family,
            email=f"{username}@example.org",
            password=password,
            role=role,
            organisation=organisation,
            # Nobody in an organisation is staff or a superuser: the Django admin shows every
            # organisation's records, so only a platform operator signs in there.
            is_staff=False,
            is_superuser=False,
        )
        if worker:
            Worker.objects.filter(pk=worker.pk).update(user=user, email=user.email)
        if role == AccessRole.MANAGER:
            worker.team.managers.add(user)
        logins.append(DemoLogin(username, role, description))
    # One practitioner in the first team is leaving in three weeks (for reallocation demos).
    leaver = [w for w in by_team[first.pk] if w.role == WorkerRole.SOCIAL_WORKER][-1]
    Worker.objects.filter(pk=leaver.pk).update(leave_date=today + timedelta(days=21))
    return logins


def _seed_reductions(organisation: Organisation, workers: list[Worker], today: date) -> None:
    """The default reduction types, and a few reductions so the pages show each state: a
    protected ASYE caseload in force, training that ends soon, a phased return to come."""
    reduction_types_install_defaults(organisation=organisation)
    types = {t.name: t for t in organisation.reduction_types.all()}
    newly = [w for w in workers if w.experience == ExperienceBand.NEWLY_QUALIFIED][:1]
    others = [w for w in workers if w.experience == ExperienceBand.EXPERIENCED][:2]
    plans = [
        (newly, "Protected ASYE caseload", today - timedelta(days=60), None),
        (others[:1], "Training or study", today - timedelta(days=20), today + timedelta(days=9)),
        (others[1:2], "Phased return", today + timedelta(days=12), None),
    ]
    for chosen, name, starts_on, ends_on in plans:
        for worker in chosen:
            reduction_create(
                worker=worker, by=None, type=types[name], starts_on=starts_on, ends_on=ends_on
            )


def has_data() -> bool:
    """Whether the database already holds an organisation."""
    return Organisation.objects.exists()


@transaction.atomic
def seed(*, size: str = "small", seed: int = 1, today: date | None = None) -> SeedResult:
    """Build the demo organisation of the given size. The database should be empty."""
    ensure_defaults()
    spec = SIZES[size]
    rng = random.Random(seed)  # noqa: S311 - demo data, not security
    today = today or timezone.localdate()
    organisation, teams, team_kinds, workers = _seed_organisation(rng, spec, today)
    _seed_reductions(organisation, workers, today)
    logins = _demo_users(organisation, teams, workers, today)
    counts = {"services": spec.services, "teams": len(teams), "workers": len(workers)}
    counts |= seed_casework(
        rng=rng,
        organisation=organisation,
        teams=teams,
        team_kinds=team_kinds,
        workers=workers,
        today=today,
    )
    counts["assessments"] = seed_assessments(rng=rng, organisation=organisation, today=today)
    _escalations(teams, today)
    # The check-ins below work loads out on past days across the whole organisation: plan those
    # queries on the rows just written, not on the empty tables (at national size the stale
    # plan ran past the statement timeout).
    bulk.statistics_refresh()
    counts["checkins"] = seed_checkins(rng=rng, organisation=organisation, today=today)
    counts["supervisions"] = seed_supervision(rng=rng, organisation=organisation, today=today)
    counts["expected_ends"] = seed_forecast(
        rng=rng, organisation=organisation, teams=teams, today=today
    )
    counts["outcome_reviews"] = seed_outcomes(rng=rng, organisation=organisation, today=today)
    return SeedResult(organisation=organisation, logins=logins, counts=counts)


def existing_logins() -> list[DemoLogin]:
    """The demo sign-ins already in the database, each described by its role and team, for
    reprinting and for the sign-in page in demo mode (two queries)."""
    users = (
        User.objects.filter(email__endswith="@example.org", is_active=True)
        .select_related("worker__team")
        .prefetch_related("managed_teams")
        .order_by("pk")
    )
    return [DemoLogin(u.username, u.role, _described(u)) for u in users]


def _described(user) -> str:
    """Who a demo user is, in a few words: "Team manager of Cobalt Court team"."""
    teams = [team.name for team in user.managed_teams.all()]
    worker = getattr(user, "worker", None)
    if teams:
        return f"{user.get_role_display()} of {', '.join(teams)}"
    if worker is not None:
        return f"{worker.get_role_display()} in {worker.team.name}"
    return f"{user.get_role_display()} of the whole organisation"


def _escalations(teams, today: date) -> None:
    """In each of the first two teams, a support worker's case whose need has risen to high:
    it waits in the queue as "needs reallocation" for a qualified worker."""
    for team in teams[:2]:
        case = (
            Case.objects.filter(
                team=team,
                allocations__ended_on__isnull=True,
                allocations__worker__role=WorkerRole.SUPPORT_WORKER,
            )
            .order_by("pk")
            .first()
        )
        if case:
            Case.objects.filter(pk=case.pk).update(
                need_level="high", needs_reallocation=True, waiting_since=today - timedelta(days=2)
            )
