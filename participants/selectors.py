"""Read paths for people, households, contacts and visits, always scoped to the user."""

from dataclasses import dataclass
from datetime import date, datetime
from statistics import median

from django.db.models import Case as DBCase
from django.db.models import (
    Count,
    DateField,
    DateTimeField,
    Exists,
    F,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import TruncDate
from django.shortcuts import get_object_or_404
from django.utils import timezone

from caseload.core.access import manages_team
from caseload.core.choices import CaseType
from caseload.core.dates import end_of_day, start_of_day
from caseload.core.models import Allocation, Case, Team, Worker
from caseload.core.selectors import current_allocations

from . import visits
from .models import EDIT_WINDOW, Contact, ContactExport, Household, Participant, VisitPolicy


def participant_search(user, *, q: str = "", date_of_birth=None) -> QuerySet[Participant]:
    """People the user may see, matching a name or reference and a date of birth."""
    people = Participant.objects.visible_to(user).select_related("household")
    for word in q.split():
        people = people.filter(
            Q(given_name__icontains=word)
            | Q(family_name__icontains=word)
            | Q(reference__iexact=word)
        )
    if date_of_birth:
        people = people.filter(date_of_birth=date_of_birth)
    return people.order_by("family_name", "given_name", "pk")


def participant_for_user(user, pk: int) -> Participant:
    """One person the user may see, or 404."""
    return get_object_or_404(
        Participant.objects.visible_to(user).select_related("household", "registered_by_team"),
        pk=pk,
    )


def _with_holders(cases: list[Case]) -> list[Case]:
    current = current_allocations([c.pk for c in cases])
    for case in cases:
        case.current = current.get(case.pk)
    return cases


def participant_cases(user, participant: Participant) -> list[Case]:
    """The person's cases the user may see, newest first, each with its current holder."""
    cases = list(
        Case.objects.visible_to(user)
        .filter(participant=participant)
        .select_related("team")
        .order_by("-opened_on")
    )
    return _with_holders(cases)


def siblings(user, participant: Participant) -> list[Participant]:
    """Other household members the user may see, each with `open_cases` and their holders."""
    if not participant.household_id:
        return []
    people = list(
        Participant.objects.visible_to(user)
        .filter(household_id=participant.household_id)
        .exclude(pk=participant.pk)
        .order_by("date_of_birth")
    )
    cases = _with_holders(
        list(
            Case.objects.visible_to(user)
            .open()
            .filter(participant__in=people)
            .select_related("team")
        )
    )
    by_person: dict[int, list[Case]] = {}
    for case in cases:
        by_person.setdefault(case.participant_id, []).append(case)
    for person in people:
        person.open_cases = by_person.get(person.pk, [])
    return people


def households_for(user) -> QuerySet[Household]:
    """Households the user may choose from on a form."""
    return Household.objects.visible_to(user)


# Contacts and visits ------------------------------------------------------------------------


def visit_frequencies(organisation_id) -> dict[str, visits.Frequency]:
    """How often each case type must be seen in an organisation: its own policy, else the
    product default. One query."""
    frequencies = dict(visits.DEFAULT_FREQUENCIES)
    rows = VisitPolicy.objects.for_organisation(organisation_id).order_by(
        F("organisation_id").asc(nulls_first=True)
    )
    for row in rows:
        frequencies[row.case_type] = row.frequency
    return frequencies


@dataclass(frozen=True)
class PolicyRow:
    """One case type on the visit policy page: what applies, and whether it is the default."""

    case_type: str
    label: str
    frequency: visits.Frequency
    default: visits.Frequency
    policy: VisitPolicy | None

    @property
    def is_default(self) -> bool:
        return self.frequency == self.default


def visit_policy_rows(organisation_id) -> list[PolicyRow]:
    """Every case type with the frequency that applies in the organisation. Two queries."""
    defaults = dict(visits.DEFAULT_FREQUENCIES)
    for row in VisitPolicy.objects.filter(organisation__isnull=True):
        defaults[row.case_type] = row.frequency
    own = {
        row.case_type: row for row in VisitPolicy.objects.filter(organisation_id=organisation_id)
    }
    rows = []
    for case_type, label in CaseType.choices:
        policy = own.get(case_type)
        default = defaults[case_type]
        rows.append(
            PolicyRow(case_type, label, policy.frequency if policy else default, default, policy)
        )
    return rows


@dataclass(frozen=True)
class PolicyChange:
    """One change to an organisation's visit frequency for a case type."""

    when: datetime
    who: str
    kind: str
    changes: list


def visit_policy_history(organisation_id) -> list[PolicyChange]:
    """Changes to the organisation's own visit frequencies, newest first: which case type,
    who, and the frequency before (the default, for the first change) and after."""
    defaults = visit_frequencies(None)
    records = (
        VisitPolicy.history.filter(organisation_id=organisation_id)
        .select_related("history_user")
        .order_by("case_type", "history_date", "history_id")
    )
    rows, previous = [], {}
    for record in records:
        label = CaseType(record.case_type).label
        before = previous.get(record.case_type, defaults.get(record.case_type))
        after = visits.Frequency(record.every, record.unit)
        previous[record.case_type] = after
        who = record.history_user.get_full_name() if record.history_user else ""
        rows.append(
            PolicyChange(
                when=record.history_date,
                who=who or "System",
                kind=label,
                changes=[("Visit", str(before) if before else "—", str(after))],
            )
        )
    return sorted(rows, key=lambda row: row.when, reverse=True)


def last_seen_dates(cases) -> dict[int, date]:
    """The day each case was last seen (the latest standing contact with `seen`), by case id,
    in one query. Failed attempts, calls and messages never count."""
    rows = (
        Contact.objects.current()
        .filter(case__in=cases, seen=True)
        .values("case_id")
        .annotate(last=Max("occurred_at"))
    )
    return {row["case_id"]: timezone.localtime(row["last"]).date() for row in rows}


def with_visit_status(cases: list[Case], *, organisation_id, today: date | None = None):
    """Give each case `visit_frequency` and `visit` (a `visits.VisitStatus`; None when the
    case is closed). Two queries, whatever the number of cases."""
    today = today or timezone.localdate()
    frequencies = visit_frequencies(organisation_id)
    last_seen = last_seen_dates([case.pk for case in cases if case.is_open])
    for case in cases:
        case.visit_frequency = frequencies.get(case.case_type)
        case.visit = None
        if case.is_open and case.visit_frequency:
            case.visit = visits.visit_status(
                last_seen=last_seen.get(case.pk),
                opened_on=case.opened_on,
                frequency=case.visit_frequency,
                today=today,
            )
    return cases


def overdue_visit_cases(cases, organisation_id, on: date, *, seen_until=None):
    """The cases in `cases` whose statutory visit is overdue on the date, in one query, each
    with `last_seen` (the day last seen, or None). `cases` should hold only cases open on the
    date; `seen_until`, if given, ignores contacts from then on (for a past date)."""
    frequencies = {t: f for t, f in visit_frequencies(organisation_id).items() if f}
    last_starts = {t: visits.last_start_overdue(f, on) for t, f in frequencies.items()}
    # Overdue: opened on or before the type's last start, and not seen since (no standing
    # contact with the person seen from the day after it).
    last_start = DBCase(
        *[When(case_type=t, then=Value(day)) for t, day in last_starts.items()],
        output_field=DateField(),
    )
    seen_after = DBCase(
        *[When(case_type=t, then=Value(end_of_day(day))) for t, day in last_starts.items()],
        output_field=DateTimeField(),
    )
    earliest = end_of_day(min(last_starts.values(), default=on))
    seen = Contact.objects.current().filter(case=OuterRef("pk"), seen=True)
    if seen_until is not None:
        seen = seen.filter(occurred_at__lt=seen_until)
    # The constant lower bound only narrows the scan (every threshold is on or after it).
    seen_since = seen.filter(occurred_at__gte=earliest).filter(
        occurred_at__gte=OuterRef("seen_after")
    )
    last_seen = seen.order_by("-occurred_at").values(day=TruncDate("occurred_at"))[:1]
    return (
        cases.filter(case_type__in=list(last_starts))
        .annotate(last_start=last_start, seen_after=seen_after)
        .filter(opened_on__lte=F("last_start"))
        .filter(~Exists(seen_since))
        .annotate(last_seen=Subquery(last_seen, output_field=DateField()))
    ), frequencies


def sort_by_due(cases: list[Case]) -> list[Case]:
    """Soonest due (most overdue) first; cases with nothing due go last."""
    return sorted(cases, key=lambda case: (case.visit is None, case.visit and case.visit.next_due))


def overdue_visits(user, team: Team, *, today: date | None = None) -> list[Case]:
    """The team's open cases whose visit is overdue, most overdue first, each with `visit` and
    `current` (its holder, or None when unallocated). Three queries, whatever the size of the
    team: the database picks the overdue cases (`overdue_visit_cases`)."""
    today = today or timezone.localdate()
    cases = Case.objects.visible_to(user).open().filter(team=team)
    rows, frequencies = overdue_visit_cases(cases, team.service.organisation_id, today)
    overdue = list(rows.select_related("participant").order_by("pk"))
    for case in overdue:
        case.visit_frequency = frequencies[case.case_type]
        case.visit = visits.visit_status(
            last_seen=case.last_seen,
            opened_on=case.opened_on,
            frequency=case.visit_frequency,
            today=today,
        )
    overdue.sort(key=lambda case: (-case.visit.days_overdue, case.pk))
    holders = current_allocations([case.pk for case in overdue]) if overdue else {}
    for case in overdue:
        case.current = holders.get(case.pk)
    return overdue


def can_log_contact(user, case: Case) -> bool:
    """The case's holder, a caseworker in the case's team (covering a visit) and the team's
    managers may log contacts; directors and administrators read them. The caller has already
    loaded the case through `Case.objects.visible_to(user)`."""
    if not user.is_authenticated or not (user.is_caseworker or user.is_manager):
        return False
    holder = getattr(case, "current", None)
    if holder is not None and holder.worker.user_id == user.pk:
        return True
    if manages_team(user, case.team_id):
        return True
    if user.is_caseworker:
        return Worker.objects.in_post().filter(user=user, team_id=case.team_id).exists()
    return Allocation.objects.current().filter(case_id=case.pk, worker__user=user).exists()


def can_edit_contact(user, contact: Contact, *, now: datetime | None = None) -> bool:
    """The author, within 24 hours of recording it, while it is the version that stands."""
    now = now or timezone.now()
    return (
        contact.recorded_by_id == user.pk
        and now <= contact.recorded_at + EDIT_WINDOW
        and not Contact.objects.filter(corrects_id=contact.original_pk, pk__gt=contact.pk).exists()
    )


def case_contacts(user, case: Case) -> QuerySet[Contact]:
    """The standing version of each contact on a case the user may see, newest first."""
    return (
        Contact.objects.visible_to(user)
        .current()
        .filter(case=case)
        .select_related("worker", "recorded_by")
        .order_by("-occurred_at", "-pk")
    )


def contact_for_user(user, pk: int) -> Contact:
    """One contact (any version) on a case the user may see, or 404."""
    return get_object_or_404(
        Contact.objects.visible_to(user).select_related(
            "case__participant", "case__team", "worker", "recorded_by"
        ),
        pk=pk,
    )


def contact_versions(user, contact: Contact) -> list[Contact]:
    """The original and every correction of it, oldest first; the last one stands."""
    original = contact.original_pk
    return list(
        Contact.objects.visible_to(user)
        .filter(Q(pk=original) | Q(corrects_id=original))
        .select_related("worker", "recorded_by")
        .order_by("pk")
    )


@dataclass(frozen=True)
class Engagement:
    """Successful contacts (seen) against attempts (not seen) over a case's life."""

    seen: int
    attempts: int
    last_seen: date | None
    days_since_last_seen: int | None

    @property
    def total(self) -> int:
        return self.seen + self.attempts

    @property
    def percent_seen(self) -> int | None:
        return round(100 * self.seen / self.total) if self.total else None


def _engagement_counts():
    return {
        "seen_count": Count("pk", filter=Q(seen=True)),
        "attempt_count": Count("pk", filter=Q(seen=False)),
        "last_seen_at": Max("occurred_at", filter=Q(seen=True)),
    }


def _local_date(moment) -> date | None:
    return timezone.localtime(moment).date() if moment else None


def engagement_for_case(user, case: Case, *, today: date | None = None) -> Engagement:
    """Attempts against successful contacts, and days since last seen, in one query."""
    today = today or timezone.localdate()
    row = case_contacts(user, case).order_by().aggregate(**_engagement_counts())
    last_seen = _local_date(row["last_seen_at"])
    return Engagement(
        seen=row["seen_count"],
        attempts=row["attempt_count"],
        last_seen=last_seen,
        days_since_last_seen=visits.days_since(last_seen, today),
    )


@dataclass
class EngagementSummary:
    """Engagement of one caseworker's (or the whole team's) open adult cases."""

    label: str
    cases: int = 0
    seen: int = 0
    attempts: int = 0
    never_seen: int = 0
    not_seen_28_days: int = 0
    days_since_seen: list[int] | None = None

    @property
    def percent_seen(self) -> int | None:
        total = self.seen + self.attempts
        return round(100 * self.seen / total) if total else None

    @property
    def median_days_since_seen(self) -> float | None:
        return median(self.days_since_seen) if self.days_since_seen else None

    def add(self, engagement: Engagement) -> None:
        self.cases += 1
        self.seen += engagement.seen
        self.attempts += engagement.attempts
        if engagement.days_since_last_seen is None:
            self.never_seen += 1
            self.not_seen_28_days += 1
        else:
            self.days_since_seen = (self.days_since_seen or []) + [engagement.days_since_last_seen]
            if engagement.days_since_last_seen >= 28:
                self.not_seen_28_days += 1


def team_engagement(
    user, team: Team, *, today: date | None = None
) -> tuple[list[EngagementSummary], EngagementSummary | None]:
    """For the team's open adult cases: one row per holder and a team total (None when the
    team holds no adult cases). Three queries."""
    today = today or timezone.localdate()
    case_ids = list(
        Case.objects.visible_to(user)
        .open()
        .filter(team=team, case_type=CaseType.ADULT)
        .values_list("pk", flat=True)
    )
    if not case_ids:
        return [], None
    counts = {
        row["case_id"]: row
        for row in Contact.objects.current()
        .filter(case_id__in=case_ids)
        .values("case_id")
        .annotate(**_engagement_counts())
    }
    holders = current_allocations(case_ids)
    by_holder: dict[str, EngagementSummary] = {}
    total = EngagementSummary(label="Team")
    for case_id in case_ids:
        row = counts.get(case_id, {})
        last_seen = _local_date(row.get("last_seen_at"))
        engagement = Engagement(
            seen=row.get("seen_count", 0),
            attempts=row.get("attempt_count", 0),
            last_seen=last_seen,
            days_since_last_seen=visits.days_since(last_seen, today),
        )
        holder = holders.get(case_id)
        label = holder.worker.name if holder else "Awaiting allocation"
        by_holder.setdefault(label, EngagementSummary(label=label)).add(engagement)
        total.add(engagement)
    ordered = sorted(
        by_holder.values(), key=lambda row: (row.label == "Awaiting allocation", row.label)
    )
    return ordered, total


def export_teams(user) -> QuerySet[Team]:
    """Teams whose contacts the user may export: a manager's own teams, or every team in the
    organisation for directors and administrators."""
    return Team.objects.managed_by(user).select_related("service")


def can_export_contacts(user, team: Team) -> bool:
    return export_teams(user).filter(pk=team.pk).exists()


def can_export_notes(user, team: Team) -> bool:
    """Notes leave the system only with the team's own managers, who supervise the work."""
    return manages_team(user, team.pk)


def contacts_for_export(user, team: Team, *, date_from: date, date_to: date) -> QuerySet:
    """The standing contacts on the team's cases in a date range (local days, inclusive),
    oldest first."""
    start, end = start_of_day(date_from), end_of_day(date_to)
    return (
        Contact.objects.visible_to(user)
        .current()
        .filter(case__team=team, occurred_at__gte=start, occurred_at__lt=end)
        .select_related("case__participant", "worker", "recorded_by")
        .order_by("occurred_at", "pk")
    )


def recent_exports(user, *, limit: int = 20) -> list[ContactExport]:
    """The latest contact exports of the teams the user may export."""
    return list(
        ContactExport.objects.filter(team__in=export_teams(user))
        .select_related("team", "exported_by")
        .order_by("-exported_at", "-pk")[:limit]
    )
