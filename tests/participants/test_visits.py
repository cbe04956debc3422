"""Table-driven tests for the pure visit rules (no database): working days across weekends,
due and overdue dates for each default policy."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from participants.visits import (
    DAYS,
    DEFAULT_FREQUENCIES,
    WEEKS,
    WORKING_DAYS,
    Frequency,
    add_working_days,
    days_since,
    due_after,
    visit_status,
    working_days_between,
)

# November 2026: Mondays are the 2nd, 9th, 16th, 23rd and 30th.
MON_2, TUE_3, WED_4, THU_5, FRI_6, SAT_7, SUN_8 = (date(2026, 11, d) for d in range(2, 9))
MON_9 = date(2026, 11, 9)


def _brute_force_add(start: date, count: int) -> date:
    day = start
    while count:
        day += timedelta(days=1)
        if day.weekday() < 5:
            count -= 1
    return day


@pytest.mark.parametrize(
    ("start", "count", "expected"),
    [
        (MON_2, 0, MON_2),
        (MON_2, 1, TUE_3),
        (MON_2, 4, FRI_6),
        (MON_2, 5, MON_9),
        (MON_2, 10, date(2026, 11, 16)),
        (WED_4, 10, date(2026, 11, 18)),
        (THU_5, 2, MON_9),
        (FRI_6, 1, MON_9),
        (FRI_6, 10, date(2026, 11, 20)),
        (SAT_7, 1, MON_9),
        (SAT_7, 5, date(2026, 11, 13)),
        (SAT_7, 10, date(2026, 11, 20)),
        (SUN_8, 1, MON_9),
        (SUN_8, 10, date(2026, 11, 20)),
        # Bank holidays are not skipped: Christmas Day and New Year's Day count as working days.
        (date(2026, 12, 24), 10, date(2027, 1, 7)),
    ],
)
def test_adding_working_days_skips_weekends(start, count, expected):
    assert add_working_days(start, count) == expected


def test_adding_working_days_agrees_with_counting_day_by_day_from_every_weekday():
    for offset in range(14):
        start = MON_2 + timedelta(days=offset)
        for count in range(30):
            assert add_working_days(start, count) == _brute_force_add(start, count), (start, count)


def test_adding_a_negative_number_of_working_days_is_refused():
    with pytest.raises(ValueError):
        add_working_days(MON_2, -1)


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        (MON_2, MON_2, 0),
        (FRI_6, SAT_7, 0),
        (SAT_7, SUN_8, 0),
        (FRI_6, MON_9, 1),
        (THU_5, date(2026, 11, 10), 3),
        (MON_2, MON_9, 5),
        (MON_2, date(2026, 11, 16), 10),
        (MON_9, MON_2, 0),
    ],
)
def test_counting_working_days_between_two_dates(start, end, expected):
    assert working_days_between(start, end) == expected


def test_counting_and_adding_working_days_agree():
    for offset in range(14):
        start = MON_2 + timedelta(days=offset)
        for count in range(1, 25):
            assert working_days_between(start, add_working_days(start, count)) == count


# (case type, last seen, today) -> (next due, days overdue)
POLICY_CASES = [
    # child protection: every 10 working days
    ("child_protection", FRI_6, date(2026, 11, 19), date(2026, 11, 20), 0),
    ("child_protection", FRI_6, date(2026, 11, 20), date(2026, 11, 20), 0),
    ("child_protection", FRI_6, date(2026, 11, 21), date(2026, 11, 20), 1),
    ("child_protection", FRI_6, date(2026, 11, 23), date(2026, 11, 20), 3),  # over a weekend
    ("child_protection", SAT_7, date(2026, 11, 23), date(2026, 11, 20), 3),  # seen on a Saturday
    ("child_protection", WED_4, date(2026, 11, 18), date(2026, 11, 18), 0),
    # looked-after: every 6 weeks
    ("looked_after", MON_2, date(2026, 12, 14), date(2026, 12, 14), 0),
    ("looked_after", MON_2, date(2026, 12, 15), date(2026, 12, 14), 1),
    # child in need: every 4 weeks (a due date may fall at a weekend)
    ("child_in_need", date(2026, 11, 1), date(2026, 11, 29), date(2026, 11, 29), 0),
    ("child_in_need", date(2026, 11, 1), date(2026, 12, 9), date(2026, 11, 29), 10),
    # early help and adult: every 4 weeks
    ("early_help", MON_2, date(2026, 11, 30), date(2026, 11, 30), 0),
    ("early_help", MON_2, date(2026, 12, 2), date(2026, 11, 30), 2),
    ("adult", THU_5, date(2026, 12, 4), date(2026, 12, 3), 1),
    # care leaver: every 8 weeks
    ("care_leaver", MON_2, date(2026, 12, 28), date(2026, 12, 28), 0),
]


@pytest.mark.parametrize(("case_type", "last_seen", "today", "due", "overdue"), POLICY_CASES)
def test_next_due_and_days_overdue_for_each_default_policy(
    case_type, last_seen, today, due, overdue
):
    status = visit_status(
        last_seen=last_seen,
        opened_on=date(2026, 1, 5),
        frequency=DEFAULT_FREQUENCIES[case_type],
        today=today,
    )
    assert status.last_seen == last_seen
    assert status.next_due == due
    assert status.days_overdue == overdue
    assert status.is_overdue is (overdue > 0)


def test_the_defaults_are_the_briefs():
    assert DEFAULT_FREQUENCIES["child_protection"] == Frequency(10, WORKING_DAYS)
    assert DEFAULT_FREQUENCIES["looked_after"] == Frequency(6, WEEKS)
    for case_type in ("child_in_need", "early_help", "adult"):
        assert DEFAULT_FREQUENCIES[case_type] == Frequency(4, WEEKS)


def test_a_case_never_seen_is_due_from_the_day_it_opened():
    status = visit_status(
        last_seen=None,
        opened_on=MON_2,
        frequency=DEFAULT_FREQUENCIES["child_protection"],
        today=date(2026, 11, 19),
    )
    assert status.last_seen is None
    assert status.next_due == date(2026, 11, 16)
    assert status.days_overdue == 3


@pytest.mark.parametrize(
    ("today", "until", "soon"),
    [(date(2026, 11, 12), 4, False), (date(2026, 11, 13), 3, True), (date(2026, 11, 16), 0, True)],
)
def test_a_visit_is_due_soon_in_the_three_days_before_it_is_due(today, until, soon):
    status = visit_status(
        last_seen=MON_2, opened_on=MON_2, frequency=Frequency(2, WEEKS), today=today
    )
    assert status.days_until_due == until
    assert status.is_due_soon is soon
    assert not status.is_overdue


def test_a_frequency_in_calendar_days_counts_weekends():
    assert due_after(FRI_6, Frequency(3, DAYS)) == MON_9


@pytest.mark.parametrize(("every", "unit"), [(0, WEEKS), (-1, DAYS), (2, "fortnights")])
def test_a_frequency_must_be_positive_and_in_a_known_unit(every, unit):
    with pytest.raises(ValueError):
        Frequency(every, unit)


def test_a_frequency_reads_as_words():
    assert str(Frequency(10, WORKING_DAYS)) == "every 10 working days"
    assert str(Frequency(1, WEEKS)) == "every 1 week"


def test_days_since_is_none_without_a_date():
    assert days_since(None, MON_9) is None
    assert days_since(MON_2, MON_9) == 7
