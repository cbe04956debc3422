"""Capacity reductions with types: the lifecycle rule from a table, the scheduled job that moves
reductions on, the type's default and maximum, the director's list, "next change on" on the
worker page and the four weeks ahead on a manager's team page."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from caseload.core.models import CapacityReduction, ReductionType, TaskRun
from caseload.flags import tasks
from tests.caseload.factories import ReductionTypeFactory, WorkerFactory
from weighting import scoring, services

D = date(2026, 12, 1)


@pytest.mark.parametrize(
    ("on", "starts_on", "ends_on", "expected"),
    [
        (D - timedelta(days=1), D, D + timedelta(days=9), "scheduled"),  # the day before
        (D, D, D + timedelta(days=9), "in_force"),  # its first day
        (D + timedelta(days=9), D, D + timedelta(days=9), "in_force"),  # its last day
        (D + timedelta(days=10), D, D + timedelta(days=9), "ended"),  # the day after
        (D, D, D, "in_force"),  # one day long
        (D + timedelta(days=1), D, D, "ended"),
        (D + timedelta(days=3650), D, None, "in_force"),  # open-ended never ends
        (D - timedelta(days=1), D, None, "scheduled"),
    ],
)
def test_a_reductions_status_follows_its_dates(on, starts_on, ends_on, expected):
    assert scoring.reduction_status(starts_on, ends_on, on) == expected


@pytest.mark.parametrize(
    ("days", "expected"),
    [(1, D), (28, D + timedelta(days=27)), (365, D + timedelta(days=364)), (None, None)],
)
def test_a_default_length_counts_the_first_day(days, expected):
    assert scoring.reduction_end_date(D, days) == expected


@pytest.mark.parametrize(
    ("reductions", "expected"),
    [
        ([], None),
        ([("Training", 10, D + timedelta(days=5), None)], (D + timedelta(days=5), True)),
        # ends today: capacity comes back tomorrow
        ([("Training", 10, D - timedelta(days=5), D)], (D + timedelta(days=1), False)),
        # ended yesterday: nothing more to come
        ([("Training", 10, D - timedelta(days=5), D - timedelta(days=1))], None),
        # starts today: already in force, so its end is next
        (
            [("Phased return", 50, D, D + timedelta(days=27))],
            (D + timedelta(days=28), False),
        ),
        # the sooner of a start and an end
        (
            [
                ("Training", 10, D - timedelta(days=5), D + timedelta(days=3)),
                ("Phased return", 50, D + timedelta(days=2), None),
            ],
            (D + timedelta(days=2), True),
        ),
    ],
)
def test_the_next_change_is_the_first_start_or_the_day_after_an_end(reductions, expected):
    change = scoring.next_reduction_change(reductions, D)
    assert (change and (change.on, change.starts)) == expected


@pytest.fixture
def training(organisation):
    return ReductionTypeFactory(
        organisation=organisation,
        name="Training or study",
        default_percent=10,
        maximum_percent=50,
        default_days=90,
    )


@pytest.mark.django_db
def test_a_reduction_takes_its_types_default_percent_and_length_and_no_more_than_its_maximum(
    team, manager, training
):
    worker = WorkerFactory(team=team)
    today = timezone.localdate()
    made = services.reduction_create(worker=worker, by=manager, type=training, starts_on=today)
    assert made.percent == 10 and made.ends_on == today + timedelta(days=89)
    assert made.status == "in_force"
    later = services.reduction_create(
        worker=worker, by=manager, type=training, percent=50, starts_on=today + timedelta(days=1)
    )
    assert later.status == "scheduled"
    with pytest.raises(Exception, match="at most 50%") as refused:
        services.reduction_create(
            worker=worker, by=manager, type=training, percent=51, starts_on=today
        )
    assert "percent" in refused.value.error_dict


@pytest.mark.django_db
def test_another_organisations_type_is_refused(team, manager):
    other = ReductionTypeFactory(name="Theirs")
    with pytest.raises(Exception, match="your organisation's reduction types"):
        services.reduction_create(
            worker=WorkerFactory(team=team), by=manager, type=other, starts_on=D
        )


@pytest.mark.django_db
def test_the_scheduled_job_moves_reductions_on_records_it_and_asks_for_the_recompute(
    team, manager, training, monkeypatch
):
    asked = []
    monkeypatch.setattr(services, "request_team_recompute", asked.append)
    worker = WorkerFactory(team=team)
    today = timezone.localdate()
    rows = {
        "starting": dict(starts_on=today, ends_on=None, status="scheduled"),
        "not yet": dict(starts_on=today + timedelta(days=1), ends_on=None, status="scheduled"),
        "last day": dict(starts_on=today - timedelta(days=9), ends_on=today, status="in_force"),
        "ended": dict(
            starts_on=today - timedelta(days=9),
            ends_on=today - timedelta(days=1),
            status="in_force",
        ),
        "short, missed": dict(
            starts_on=today - timedelta(days=3),
            ends_on=today - timedelta(days=2),
            status="scheduled",
        ),
    }
    made = {
        name: CapacityReduction.objects.create(worker=worker, type=training, percent=10, **values)
        for name, values in rows.items()
    }
    counts = services.reductions_advance(today=today)
    assert counts == {"started": 1, "ended": 2, "teams": 1}
    status = {name: CapacityReduction.objects.get(pk=r.pk).status for name, r in made.items()}
    assert status == {
        "starting": "in_force",
        "not yet": "scheduled",
        "last day": "in_force",
        "ended": "ended",
        "short, missed": "ended",
    }
    assert asked == [team.pk]
    reason = made["ended"].history.latest().history_change_reason
    assert "scheduled job" in reason
    assert services.reductions_advance(today=today) == {"started": 0, "ended": 0, "teams": 0}


@pytest.mark.django_db
def test_the_scheduled_task_is_recorded_as_a_run(team, training):
    CapacityReduction.objects.create(
        worker=WorkerFactory(team=team),
        type=training,
        percent=10,
        starts_on=timezone.localdate(),
        status="scheduled",
    )
    counts = tasks.reductions_advance.apply().get()
    assert counts["started"] == 1
    assert TaskRun.objects.get(task="reductions_advance").outcome == "ok"


@pytest.mark.django_db
def test_the_worker_page_says_when_capacity_next_changes(client_for, team, manager, training):
    worker = WorkerFactory(team=team, name="Nia Next")
    today = timezone.localdate()
    page = client_for(manager).get(reverse("worker_detail", args=[worker.pk])).content.decode()
    assert "No change to Nia Next's capacity is scheduled." in page
    services.reduction_create(
        worker=worker, by=manager, type=training, starts_on=today + timedelta(days=3)
    )
    page = client_for(manager).get(reverse("worker_detail", args=[worker.pk])).content.decode()
    day = today + timedelta(days=3)
    assert (
        f"Next change on <strong>{day.day} {day:%b %Y}</strong>: training or study (10%) starts"
        in page
    )


@pytest.mark.django_db
def test_a_managers_team_page_lists_reductions_starting_or_ending_in_the_next_four_weeks(
    client_for, team, manager, caseworker, outsider_manager, training
):
    today = timezone.localdate()
    worker = WorkerFactory(team=team, name="Wes Weeks")
    for starts, ends in [
        (today + timedelta(days=28), None),  # starts on the last day of the four weeks: in
        (today + timedelta(days=29), None),  # the day after: out
        (today - timedelta(days=10), today + timedelta(days=27)),  # back on day 28: in
        (today - timedelta(days=10), today + timedelta(days=28)),  # back on day 29: out
    ]:
        CapacityReduction.objects.create(
            worker=worker, type=training, percent=10, starts_on=starts, ends_on=ends
        )
    response = client_for(manager).get(reverse("team_detail", args=[team.pk]))
    coming = response.context["coming_reductions"]
    assert sorted((c.on, c.starts) for c in coming) == [
        (today + timedelta(days=28), False),
        (today + timedelta(days=28), True),
    ]
    assert "Capacity changes in the next four weeks" in response.content.decode()
    mine = client_for(caseworker).get(reverse("team_detail", args=[team.pk])).content.decode()
    assert "Capacity changes in the next four weeks" not in mine
    assert client_for(outsider_manager).get(reverse("team_detail", args=[team.pk])).status_code in (
        403,
        404,
    )


@pytest.mark.django_db
def test_directors_keep_the_list_of_types_and_managers_read_it(
    client_for, organisation, director, manager, caseworker, outsider_manager
):
    client = client_for(director)
    assert client.post(reverse("reduction_types"), {"install": "defaults"}).status_code == 302
    names = set(
        ReductionType.objects.filter(organisation=organisation).values_list("name", flat=True)
    )
    assert {"Protected ASYE caseload", "Long-term sickness", "Trade union duties"} <= names
    asye = ReductionType.objects.get(organisation=organisation, name="Protected ASYE caseload")
    assert (asye.default_percent, asye.default_days) == (20, 365)
    sick = ReductionType.objects.get(organisation=organisation, name="Long-term sickness")
    assert (sick.default_percent, sick.maximum_percent, sick.default_days) == (100, 100, None)
    bad = client.post(
        reverse("reduction_types"),
        {"name": "Mentoring", "default_percent": 30, "maximum_percent": 20, "active": "on"},
    )
    assert "The default cannot be above the maximum." in bad.content.decode()
    client.post(
        reverse("reduction_types"),
        {"name": "Mentoring", "default_percent": 5, "maximum_percent": 20, "active": "on"},
    )
    mentoring = ReductionType.objects.get(name="Mentoring")
    client.post(
        reverse("reduction_type_edit", args=[mentoring.pk]),
        {"name": "Mentoring", "default_percent": 5, "maximum_percent": 25, "default_days": 60},
    )
    mentoring.refresh_from_db()
    assert (mentoring.maximum_percent, mentoring.default_days, mentoring.active) == (25, 60, False)
    page = client_for(manager).get(reverse("reduction_types")).content.decode()
    assert "Mentoring" in page and "Add a type" not in page
    refused = client_for(manager).post(
        reverse("reduction_types"), {"name": "Sneaky", "default_percent": 5, "maximum_percent": 5}
    )
    assert refused.status_code == 403
    assert (
        client_for(manager).get(reverse("reduction_type_edit", args=[mentoring.pk])).status_code
        == 403
    )
    assert client_for(caseworker).get(reverse("reduction_types")).status_code == 403
    assert not ReductionType.objects.filter(name="Sneaky").exists()
