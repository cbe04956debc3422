"""Read paths for people and households, always scoped to the user."""

from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404

from caseload.models import Case
from caseload.selectors import current_allocations

from .models import Household, Participant


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
