"""Writes to participants, households, contacts, visit policies and contact exports."""

from datetime import date, datetime, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from caseload.core.choices import CHILDREN_CASE_TYPES
from caseload.core.models import Case, Organisation, Team, User, Worker
from caseload.core.recompute import request_team_recompute

from . import selectors, visits
from .choices import CAN_BE_SEEN
from .models import (
    EDIT_WINDOW,
    Contact,
    ContactExport,
    Household,
    Participant,
    VisitPolicy,
)

# The longest date range one contact export may cover.
MAX_EXPORT_DAYS = 366


def _next_reference(model, organisation, prefix: str) -> str:
    count = model.objects.filter(organisation=organisation).count() + 1
    while model.objects.filter(
        organisation=organisation, reference=f"{prefix}{count:06d}"
    ).exists():
        count += 1
    return f"{prefix}{count:06d}"


@transaction.atomic
def household_create(*, organisation, reference: str = "") -> Household:
    """A new household; the reference is generated when not given."""
    household = Household(
        organisation=organisation,
        reference=reference or _next_reference(Household, organisation, "H"),
    )
    household.full_clean()
    household.save()
    return household


@transaction.atomic
def participant_create(
    *,
    organisation,
    given_name: str,
    family_name: str,
    date_of_birth,
    reference: str = "",
    household: Household | None = None,
    team: Team | None = None,
    by: User | None = None,
) -> Participant:
    """Record a person supported, registered by the team that met them."""
    participant = Participant(
        organisation=organisation,
        reference=reference or _next_reference(Participant, organisation, "P"),
        given_name=given_name,
        family_name=family_name,
        date_of_birth=date_of_birth,
        household=household,
        registered_by_team=team,
    )
    participant.full_clean()
    participant.save()
    return participant


@transaction.atomic
def participant_update(*, participant: Participant, by: User | None = None, **changes):
    """Change a person's details (names, date of birth, reference, household)."""
    allowed = {"given_name", "family_name", "date_of_birth", "reference", "household"}
    unknown = set(changes) - allowed
    if unknown:
        raise ValueError(f"participant_update cannot change {', '.join(sorted(unknown))}")
    for name, value in changes.items():
        setattr(participant, name, value)
    participant.full_clean()
    participant.save()
    return participant


@transaction.atomic
def sibling_household(*, participant: Participant) -> Household:
    """The participant's household, creating one for them if they have none."""
    if participant.household is not None:
        return participant.household
    household = household_create(organisation=participant.organisation)
    participant.household = household
    participant.save(update_fields=["household"])
    return household


class ContactLocked(ValidationError):
    """A contact that may no longer be edited in place: add a correction instead."""


def _contact_rules(contact: Contact, case: Case, now: datetime) -> None:
    """Rules every version of a contact keeps: not in the future, within the case's life,
    `seen` only where a person can be seen, and `seen alone` only for a child who was seen."""
    errors: dict[str, str] = {}
    if contact.occurred_at > now:
        errors["occurred_at"] = "A contact cannot be in the future."
    else:
        day = timezone.localtime(contact.occurred_at).date()
        if day < case.opened_on:
            errors["occurred_at"] = (
                f"The case opened on {case.opened_on:%d/%m/%Y}: a contact cannot be before that."
            )
        elif case.closed_on and day > case.closed_on:
            errors["occurred_at"] = (
                f"The case closed on {case.closed_on:%d/%m/%Y}: a contact cannot be after that."
            )
    if contact.seen and contact.contact_type not in CAN_BE_SEEN:
        errors["seen"] = (
            f"A {contact.get_contact_type_display().lower()} cannot count as seeing the person: "
            "record it as not seen."
        )
    if errors:
        raise ValidationError(errors)
    if not (contact.seen and case.case_type in CHILDREN_CASE_TYPES):
        contact.seen_alone = None


def _save(contact: Contact, case: Case, now: datetime) -> Contact:
    _contact_rules(contact, case, now)
    contact.full_clean()
    contact.save()
    request_team_recompute(case.team_id)  # last seen and visits due changed
    return contact


@transaction.atomic
def contact_log(
    *,
    case: Case,
    by: User | None,
    occurred_at: datetime,
    contact_type: str,
    seen: bool,
    seen_alone: bool | None = None,
    duration_minutes: int = 0,
    travel_minutes: int = 0,
    notes: str = "",
    worker: Worker | None = None,
    now: datetime | None = None,
) -> Contact:
    """Record a contact or an attempt on a case. The practitioner defaults to the recorder's
    worker record. Who may log is checked by the caller (`selectors.can_log_contact`)."""
    now = now or timezone.now()
    if worker is None and by is not None:
        worker = Worker.objects.filter(user=by).first()
    contact = Contact(
        case=case,
        occurred_at=occurred_at,
        contact_type=contact_type,
        seen=seen,
        seen_alone=seen_alone,
        duration_minutes=duration_minutes,
        travel_minutes=travel_minutes,
        notes=notes,
        worker=worker,
        recorded_by=by,
        recorded_at=now,
    )
    return _save(contact, case, now)


CONTACT_FIELDS = (
    "occurred_at",
    "contact_type",
    "seen",
    "seen_alone",
    "duration_minutes",
    "travel_minutes",
    "notes",
)


@transaction.atomic
def contact_update(
    *, contact: Contact, by: User, now: datetime | None = None, **changes
) -> Contact:
    """Change a contact in place: only its author, only within 24 hours of recording it, and
    only while nobody has corrected it. Every change is kept in the contact's history."""
    unknown = set(changes) - set(CONTACT_FIELDS)
    if unknown:
        raise ValueError(f"contact_update cannot change {', '.join(sorted(unknown))}")
    now = now or timezone.now()
    contact = Contact.objects.select_for_update().select_related("case").get(pk=contact.pk)
    if contact.recorded_by_id != by.pk:
        raise PermissionDenied("Only the person who recorded a contact may edit it.")
    if now > contact.recorded_at + EDIT_WINDOW:
        raise ContactLocked(
            "This contact was recorded more than 24 hours ago, so it can no longer be edited. "
            "Add a correction instead: the original is kept."
        )
    if Contact.objects.filter(corrects_id=contact.original_pk, pk__gt=contact.pk).exists():
        raise ContactLocked("This contact has been corrected: add another correction instead.")
    for name, value in changes.items():
        setattr(contact, name, value)
    return _save(contact, contact.case, now)


@transaction.atomic
def contact_correct(
    *, contact: Contact, by: User, reason: str, now: datetime | None = None, **fields
) -> Contact:
    """Append a correction to a contact. The correction points at the original (never at an
    earlier correction), the original and earlier corrections stay unchanged, and the newest
    correction is the version that counts."""
    unknown = set(fields) - set(CONTACT_FIELDS)
    if unknown:
        raise ValueError(f"contact_correct cannot set {', '.join(sorted(unknown))}")
    if not reason.strip():
        raise ValidationError({"correction_reason": "Say why the contact is being corrected."})
    now = now or timezone.now()
    # Lock the original so two corrections made at once are appended one after the other.
    original = (
        Contact.objects.select_for_update()
        .select_related("case")
        .get(pk=contact.corrects_id or contact.pk)
    )
    latest = original.corrections.order_by("-pk").first() or original
    correction = Contact(
        case=original.case,
        corrects=original,
        correction_reason=reason.strip(),
        worker_id=latest.worker_id,
        recorded_by=by,
        recorded_at=now,
        **{name: getattr(latest, name) for name in CONTACT_FIELDS},
    )
    for name, value in fields.items():
        setattr(correction, name, value)
    return _save(correction, original.case, now)


@transaction.atomic
def visit_policy_set(
    *, organisation: Organisation, case_type: str, every: int, unit: str, by: User | None = None
) -> VisitPolicy:
    """Set how often an organisation's cases of one type must be seen. The first change from
    the default makes the organisation's own policy; every change is kept in its history. The
    returned policy is unsaved when the value is the default and there was no own policy."""
    policy = (
        VisitPolicy.objects.select_for_update()
        .filter(organisation=organisation, case_type=case_type)
        .first()
    )
    if policy is None:
        default = selectors.visit_frequencies(None).get(case_type)
        policy = VisitPolicy(organisation=organisation, case_type=case_type)
        if default and (default.every, default.unit) == (every, unit):
            policy.every, policy.unit = every, unit
            return policy  # the default already says so: nothing to record
    elif policy.every == every and policy.unit == unit:
        return policy
    policy.every = every
    policy.unit = unit
    if by is not None:
        # simple-history's documented way to name who made a change outside a request
        policy._history_user = by  # type: ignore[attr-defined]
    policy.full_clean()
    policy.save()
    return policy


@transaction.atomic
def visit_policies_ensure_defaults() -> int:
    """Make sure the product-wide default policy rows exist (after a flush, say). Returns how
    many were added; existing rows are left alone."""
    have = set(VisitPolicy.objects.filter(organisation=None).values_list("case_type", flat=True))
    missing = [
        VisitPolicy(organisation=None, case_type=case_type, every=f.every, unit=f.unit)
        for case_type, f in visits.DEFAULT_FREQUENCIES.items()
        if case_type not in have
    ]
    VisitPolicy.objects.bulk_create(missing)
    return len(missing)


def _check_export_dates(date_from: date, date_to: date, today: date) -> None:
    if date_to < date_from:
        raise ValidationError({"date_to": "The end date must be on or after the start date."})
    if date_to > today:
        raise ValidationError({"date_to": "The end date cannot be in the future."})
    if date_to - date_from > timedelta(days=MAX_EXPORT_DAYS - 1):
        raise ValidationError({"date_from": f"Export at most {MAX_EXPORT_DAYS} days at a time."})


@transaction.atomic
def contact_export_create(
    *, team: Team, by: User, date_from: date, date_to: date, include_notes: bool = False
) -> ContactExport:
    """Record that `by` is downloading `team`'s contacts for a date range. Refused unless they
    may export the team's contacts, and notes only for those allowed to include them."""
    if not selectors.can_export_contacts(by, team):
        raise PermissionDenied("Only the team's managers, directors and administrators export.")
    if include_notes and not selectors.can_export_notes(by, team):
        raise PermissionDenied("Only the team's own managers may include notes in an export.")
    _check_export_dates(date_from, date_to, timezone.localdate())
    export = ContactExport(
        team=team,
        exported_by=by,
        date_from=date_from,
        date_to=date_to,
        include_notes=include_notes,
        row_count=selectors.contacts_for_export(
            by, team, date_from=date_from, date_to=date_to
        ).count(),
    )
    export.full_clean()
    export.save()
    return export
