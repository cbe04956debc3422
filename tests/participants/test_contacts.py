"""Contacts through the services: last seen, the 24-hour edit window, the correction chain,
validation, visit policies and who may log."""

from datetime import datetime, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from caseload.core.models import Case
from participants import selectors, services
from participants.models import Contact, VisitPolicy
from participants.visits import DEFAULT_FREQUENCIES, WEEKS, WORKING_DAYS, Frequency
from tests.caseload.factories import UserFactory, WorkerFactory
from tests.participants.factories import CaseFactory, ContactFactory, held_case

pytestmark = pytest.mark.django_db


def _at(days_ago: int, hour: int = 10):
    moment = timezone.localtime() - timedelta(days=days_ago)
    return moment.replace(hour=hour, minute=0, second=0, microsecond=0)


def _log(case, by, *, days_ago=1, seen=True, contact_type="home_visit", **extra):
    return services.contact_log(
        case=case,
        by=by,
        occurred_at=_at(days_ago),
        contact_type=contact_type,
        seen=seen,
        duration_minutes=extra.pop("duration_minutes", 30),
        **extra,
    )


@pytest.fixture
def own_case(caseworker):
    return held_case(caseworker.worker, opened_on=timezone.localdate() - timedelta(days=200))


class TestLastSeen:
    def test_a_seen_contact_sets_last_seen(self, own_case, caseworker):
        _log(own_case, caseworker, days_ago=9)
        _log(own_case, caseworker, days_ago=3)
        assert selectors.last_seen_dates([own_case.pk]) == {
            own_case.pk: _at(3).date(),
        }

    def test_a_failed_attempt_does_not_reset_last_seen(self, own_case, caseworker):
        _log(own_case, caseworker, days_ago=20)
        _log(own_case, caseworker, days_ago=2, seen=False)
        _log(own_case, caseworker, days_ago=1, seen=False, contact_type="phone")
        assert selectors.last_seen_dates([own_case.pk])[own_case.pk] == _at(20).date()
        selectors.with_visit_status([own_case], organisation_id=caseworker.organisation_id)
        assert own_case.visit.last_seen == _at(20).date()

    def test_a_case_with_only_attempts_has_never_been_seen(self, own_case, caseworker):
        _log(own_case, caseworker, seen=False)
        assert selectors.last_seen_dates([own_case.pk]) == {}

    def test_last_seen_follows_the_correction_not_the_original(self, own_case, caseworker):
        original = _log(own_case, caseworker, days_ago=2)
        services.contact_correct(
            contact=original, by=caseworker, reason="Nobody was in: it was an attempt.", seen=False
        )
        assert selectors.last_seen_dates([own_case.pk]) == {}


class TestEditingAndCorrecting:
    def test_the_author_may_edit_within_24_hours_and_the_change_is_in_the_history(
        self, own_case, caseworker
    ):
        contact = _log(own_case, caseworker)
        services.contact_update(
            contact=contact,
            by=caseworker,
            now=contact.recorded_at + timedelta(hours=23),
            duration_minutes=50,
        )
        contact.refresh_from_db()
        assert contact.duration_minutes == 50
        assert contact.history.count() == 2

    def test_editing_after_24_hours_is_refused_and_a_correction_is_kept_beside_the_original(
        self, own_case, caseworker
    ):
        contact = _log(own_case, caseworker, notes="Seen at home.")
        later = contact.recorded_at + timedelta(hours=24, minutes=1)
        with pytest.raises(services.ContactLocked):
            services.contact_update(contact=contact, by=caseworker, now=later, notes="Changed")
        correction = services.contact_correct(
            contact=contact,
            by=caseworker,
            reason="Wrong duration.",
            now=later,
            duration_minutes=75,
        )
        contact.refresh_from_db()
        assert contact.notes == "Seen at home."
        assert contact.duration_minutes == 30
        assert correction.corrects == contact
        assert correction.duration_minutes == 75
        assert correction.notes == "Seen at home."
        assert list(Contact.objects.filter(case=own_case).current()) == [correction]
        assert Contact.objects.filter(case=own_case).count() == 2

    def test_a_second_correction_points_at_the_original_and_only_the_newest_counts(
        self, own_case, caseworker, manager
    ):
        original = _log(own_case, caseworker)
        first = services.contact_correct(contact=original, by=caseworker, reason="a", notes="1")
        second = services.contact_correct(contact=first, by=manager, reason="b", notes="2")
        assert second.corrects == original
        assert list(Contact.objects.filter(case=own_case).current()) == [second]
        assert [c.pk for c in selectors.contact_versions(manager, first)] == [
            original.pk,
            first.pk,
            second.pk,
        ]

    def test_only_the_author_may_edit(self, own_case, caseworker, manager):
        contact = _log(own_case, caseworker)
        with pytest.raises(PermissionDenied):
            services.contact_update(contact=contact, by=manager, notes="mine now")

    def test_a_corrected_contact_cannot_be_edited_in_place(self, own_case, caseworker):
        contact = _log(own_case, caseworker)
        services.contact_correct(contact=contact, by=caseworker, reason="Wrong type.")
        with pytest.raises(services.ContactLocked):
            services.contact_update(contact=contact, by=caseworker, notes="late change")

    def test_a_correction_needs_a_reason(self, own_case, caseworker):
        contact = _log(own_case, caseworker)
        with pytest.raises(ValidationError):
            services.contact_correct(contact=contact, by=caseworker, reason="  ")

    def test_the_database_refuses_a_correction_without_a_reason(self, own_case):
        original = ContactFactory(case=own_case)
        with pytest.raises(IntegrityError), transaction.atomic():
            ContactFactory(case=own_case, corrects=original, correction_reason="")


class TestValidation:
    def test_a_contact_cannot_be_in_the_future(self, own_case, caseworker):
        with pytest.raises(ValidationError) as error:
            services.contact_log(
                case=own_case,
                by=caseworker,
                occurred_at=timezone.now() + timedelta(minutes=5),
                contact_type="home_visit",
                seen=True,
            )
        assert "occurred_at" in error.value.error_dict

    def test_a_contact_cannot_be_before_the_case_opened(self, caseworker):
        case = held_case(caseworker.worker, opened_on=timezone.localdate() - timedelta(days=3))
        with pytest.raises(ValidationError, match="opened"):
            _log(case, caseworker, days_ago=10)

    @pytest.mark.parametrize("contact_type", ["phone", "message"])
    def test_a_call_or_a_message_cannot_count_as_seeing_the_person(
        self, own_case, caseworker, contact_type
    ):
        with pytest.raises(ValidationError) as error:
            _log(own_case, caseworker, contact_type=contact_type, seen=True)
        assert "seen" in error.value.error_dict

    @pytest.mark.parametrize("minutes", [721, 5000])
    def test_durations_over_twelve_hours_are_refused(self, own_case, caseworker, minutes):
        with pytest.raises(ValidationError):
            _log(own_case, caseworker, duration_minutes=minutes)
        with pytest.raises(ValidationError):
            _log(own_case, caseworker, travel_minutes=minutes)

    def test_the_database_refuses_durations_over_twelve_hours(self, own_case):
        with pytest.raises(IntegrityError), transaction.atomic():
            ContactFactory(case=own_case, duration_minutes=721)

    def test_child_seen_alone_is_kept_only_for_a_child_who_was_seen(self, team, caseworker):
        child = held_case(caseworker.worker, case_type="child_protection")
        adult = held_case(caseworker.worker, case_type="adult")
        assert _log(child, caseworker, seen_alone=True).seen_alone is True
        assert _log(child, caseworker, seen=False, seen_alone=True).seen_alone is None
        assert _log(adult, caseworker, seen_alone=True).seen_alone is None

    def test_the_practitioner_defaults_to_the_recorders_worker(self, own_case, caseworker):
        assert _log(own_case, caseworker).worker == caseworker.worker


class TestWhoMayLog:
    def test_the_holder_a_colleague_in_the_team_and_the_manager_may_log(
        self, own_case, caseworker, manager, team
    ):
        colleague = UserFactory(username="colleague", organisation=team.service.organisation)
        WorkerFactory(team=team, user=colleague)
        own_case.current = None
        for user in (caseworker, manager, colleague):
            assert selectors.can_log_contact(user, own_case), user

    def test_directors_administrators_and_other_teams_may_not_log(
        self, own_case, director, administrator, outsider, outsider_manager
    ):
        for user in (director, administrator, outsider, outsider_manager):
            assert not selectors.can_log_contact(user, own_case), user

    def test_a_caseworker_from_another_team_cannot_read_the_contacts(
        self, own_case, caseworker, outsider
    ):
        contact = _log(own_case, caseworker)
        assert not Contact.objects.visible_to(outsider).filter(pk=contact.pk).exists()
        assert Contact.objects.visible_to(caseworker).filter(pk=contact.pk).exists()


class TestVisitPolicies:
    def test_the_defaults_are_shipped_as_rows(self):
        services.visit_policies_ensure_defaults()  # a flush in another test may have emptied it
        rows = {p.case_type: p.frequency for p in VisitPolicy.objects.filter(organisation=None)}
        assert rows["child_protection"] == Frequency(10, WORKING_DAYS)
        assert rows["looked_after"] == Frequency(6, WEEKS)
        assert rows["adult"] == Frequency(4, WEEKS)

    def test_an_organisations_policy_overrides_the_default_and_keeps_history(
        self, organisation, director
    ):
        services.visit_policies_ensure_defaults()
        policy = services.visit_policy_set(
            organisation=organisation, case_type="child_in_need", every=2, unit="weeks", by=director
        )
        services.visit_policy_set(
            organisation=organisation, case_type="child_in_need", every=3, unit="weeks", by=director
        )
        frequencies = selectors.visit_frequencies(organisation.pk)
        assert frequencies["child_in_need"] == Frequency(3, WEEKS)
        assert frequencies["child_protection"] == DEFAULT_FREQUENCIES["child_protection"]
        assert policy.history.count() == 2
        assert VisitPolicy.objects.get(organisation=None, case_type="child_in_need").every == 4

    def test_another_organisations_policy_does_not_apply(self, organisation, director):
        from tests.caseload.factories import OrganisationFactory

        other = OrganisationFactory(name="Elsewhere")
        services.visit_policy_set(organisation=other, case_type="adult", every=1, unit="weeks")
        assert selectors.visit_frequencies(organisation.pk)["adult"] == Frequency(4, WEEKS)

    def test_a_policy_must_be_between_1_and_104(self, organisation):
        with pytest.raises(ValidationError):
            services.visit_policy_set(
                organisation=organisation, case_type="adult", every=0, unit="weeks"
            )
        with pytest.raises(ValidationError):
            services.visit_policy_set(
                organisation=organisation, case_type="adult", every=105, unit="weeks"
            )

    def test_the_team_overdue_list_uses_the_organisations_policy(
        self, organisation, team, caseworker, manager
    ):
        case = held_case(caseworker.worker, opened_on=timezone.localdate() - timedelta(days=100))
        _log(case, caseworker, days_ago=20)
        team.refresh_from_db()
        assert selectors.overdue_visits(manager, team) == []
        services.visit_policy_set(
            organisation=organisation, case_type="child_in_need", every=2, unit="weeks"
        )
        overdue = selectors.overdue_visits(manager, team)
        assert [c.pk for c in overdue] == [case.pk]
        assert overdue[0].visit.days_overdue == 6


class TestEngagement:
    def test_attempts_and_successful_contacts_over_the_life_of_an_adult_case(self, caseworker):
        case = held_case(caseworker.worker, case_type="adult", opened_on=_at(300).date())
        _log(case, caseworker, days_ago=250)
        _log(case, caseworker, days_ago=12)
        for days_ago in (8, 5, 2):
            _log(case, caseworker, days_ago=days_ago, seen=False, contact_type="phone")
        engagement = selectors.engagement_for_case(caseworker, case)
        assert (engagement.seen, engagement.attempts) == (2, 3)
        assert engagement.days_since_last_seen == 12
        assert engagement.percent_seen == 40

    def test_the_team_summary_counts_each_holder_and_the_cases_never_seen(
        self, team, caseworker, manager
    ):
        seen = held_case(caseworker.worker, case_type="adult", opened_on=_at(90).date())
        never = held_case(caseworker.worker, case_type="adult", opened_on=_at(90).date())
        CaseFactory(team=team, case_type="adult", opened_on=_at(10).date())
        _log(seen, caseworker, days_ago=40)
        _log(never, caseworker, days_ago=3, seen=False, contact_type="message")
        team.refresh_from_db()
        rows, total = selectors.team_engagement(manager, team)
        assert [r.label for r in rows] == ["Alice Social", "Awaiting allocation"]
        assert (total.cases, total.seen, total.attempts, total.never_seen) == (3, 1, 1, 2)
        assert total.not_seen_28_days == 3
        assert total.median_days_since_seen == 40

    def test_a_team_without_adult_cases_has_no_summary(self, team, manager, caseworker):
        held_case(caseworker.worker)
        assert selectors.team_engagement(manager, team) == ([], None)


def test_the_current_filter_is_one_query_for_many_cases(caseworker, django_assert_num_queries):
    cases = [held_case(caseworker.worker) for _ in range(5)]
    for case in cases:
        original = ContactFactory(case=case)
        ContactFactory(case=case, corrects=original, correction_reason="x", seen=False)
    with django_assert_num_queries(1):
        assert selectors.last_seen_dates(Case.objects.all()) == {}


def test_contacts_count_by_local_day_across_midnight(caseworker):
    case = held_case(caseworker.worker)
    late = datetime.combine(
        timezone.localdate() - timedelta(days=2),
        datetime.min.time().replace(hour=23, minute=30),
        tzinfo=timezone.get_current_timezone(),
    )
    ContactFactory(case=case, occurred_at=late)
    assert selectors.last_seen_dates([case.pk])[case.pk] == late.date()


def test_setting_a_frequency_to_the_default_records_nothing(organisation):
    services.visit_policies_ensure_defaults()
    services.visit_policy_set(organisation=organisation, case_type="adult", every=4, unit="weeks")
    assert not VisitPolicy.objects.filter(organisation=organisation).exists()
