"""Writes to participants and households."""

from django.db import transaction

from caseload.models import Team, User

from .models import Household, Participant


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
    if participant.household_id:
        return participant.household
    household = household_create(organisation=participant.organisation)
    participant.household = household
    participant.save(update_fields=["household"])
    return household
