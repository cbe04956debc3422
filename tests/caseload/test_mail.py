"""E-mail that works from an inbox: plain text and HTML, absolute links, and the daily digest
per manager and director with a section for each thing waiting for them."""

from datetime import timedelta

import pytest
from django.core import mail as outbox
from django.utils import timezone

from caseload.config import schedule
from caseload.core.enqueue import task
from caseload.core.models import Flag, TaskRun
from caseload.digest import sections as digest_sections_module
from caseload.digest.services import digest_sections, digests_send
from caseload.flags import services as flag_services
from tests.caseload.factories import TeamFactory, WorkerFactory
from tests.participants.factories import CaseFactory, held_case
from weighting.models import CaseAssessment

pytestmark = pytest.mark.django_db
SITE = "https://caseload.example.org"


@pytest.fixture(autouse=True)
def _site(settings):
    settings.SITE_URL = SITE + "/"  # a trailing slash is fine


def _html(message) -> str:
    ((html, kind),) = message.alternatives
    assert kind == "text/html"
    return html


def _flag(team, worker, *, opened_at, kind="above_promise"):
    return Flag.objects.create(
        kind=kind,
        team=team,
        worker=worker,
        subject_key=f"worker:{worker.pk}",
        detail="16 cases against a promise of 15",
        opened_at=opened_at,
    )


def test_new_flags_email_the_manager_as_text_and_html_with_absolute_links(
    team, manager, director, django_capture_on_commit_callbacks
):
    worker = WorkerFactory(team=team, name="Heavy Load")
    for _ in range(16):
        held_case(worker)
    with django_capture_on_commit_callbacks(execute=True):
        flag_services.flags_refresh_team(team_id=team.pk)
    (message,) = outbox.outbox
    link = f"{SITE}/teams/{team.pk}/flags/"
    assert message.to == [manager.email]
    assert "Heavy Load" in message.body and link in message.body
    html = _html(message)
    assert f'href="{link}"' in html and "Heavy Load" in html
    assert 'href="/' not in html and "&amp;" not in message.body


@pytest.fixture
def busy_team(team, manager):
    """The manager's team with a new flag, a case waiting, a visit overdue and factors to agree."""
    now = timezone.now()
    worker = WorkerFactory(team=team, name="Heavy Load")
    _flag(team, worker, opened_at=now - timedelta(hours=2))
    CaseFactory(team=team, reference="Q-1", opened_on=timezone.localdate() - timedelta(days=9))
    overdue = held_case(
        worker, case_type="child_protection", opened_on=timezone.localdate() - timedelta(days=60)
    )
    CaseAssessment.objects.create(case=overdue, proposed_at=now)
    manager.wants_daily_digest = True
    manager.save()
    return team


def test_a_managers_digest_has_a_section_for_each_thing_waiting_for_them(busy_team, manager):
    found = {s.key: s for s in digest_sections(manager)}
    assert list(found) == ["flags_opened", "waiting", "visits", "factors", "flags_open"]
    assert found["waiting"].rows[0].text == (
        f"{busy_team.name}: 1 case, the longest waiting 9 days"
    )
    assert found["waiting"].rows[0].url == f"{SITE}/teams/{busy_team.pk}/queue/"
    assert "Heavy Load" in found["flags_opened"].rows[0].text
    assert found["visits"].rows[0].text == f"{busy_team.name}: 1 case with a visit overdue"
    assert found["factors"].summary == "1 case whose weighting a worker proposed."


def test_a_managers_digest_lists_transfers_to_answer_and_supervision_overdue(
    team, other_team, manager, outsider_manager
):
    from caseload.transfers.models import Transfer

    today = timezone.localdate()
    WorkerFactory(team=team, name="Due Today", start_date=today - timedelta(weeks=4))
    WorkerFactory(team=team, name="Overdue", start_date=today - timedelta(weeks=4, days=1))
    Transfer.objects.create(
        from_team=other_team, to_team=team, reason="moved_area", requested_by=outsider_manager
    )
    found = {s.key: s for s in digest_sections(manager)}
    assert found["transfers"].rows[0].text == (
        f"{team.name}: 1 transfer to answer, the oldest asked 0 days ago"
    )
    assert found["transfers"].rows[0].url == f"{SITE}/transfers/"
    assert found["supervision"].rows[0].text == f"{team.name}: 1 worker to supervise"
    assert found["supervision"].rows[0].url == f"{SITE}/supervision/teams/{team.pk}/"
    assert list(found).index("transfers") < list(found).index("supervision")
    elsewhere = {s.key for s in digest_sections(outsider_manager)}
    assert not {"transfers", "supervision"} & elsewhere  # they asked; this team answers


def test_the_digest_goes_as_text_and_html_to_those_who_asked_and_names_no_person_supported(
    busy_team, manager, outsider_manager
):
    outsider_manager.wants_daily_digest = True
    outsider_manager.save()
    result = digests_send()
    assert result == {"digests": 1}  # the outsider's team has nothing to say
    (message,) = outbox.outbox
    assert message.to == [manager.email]
    assert "WAITING FOR ALLOCATION OR REALLOCATION" in message.body
    assert f"{SITE}/teams/{busy_team.pk}/queue/" in message.body
    html = _html(message)
    assert f'href="{SITE}/teams/{busy_team.pk}/queue/"' in html
    assert f'href="{SITE}/notifications/"' in html  # where to stop it
    for case in busy_team.cases.select_related("participant"):
        assert case.participant.family_name not in message.body
        assert case.participant.family_name not in html


def test_another_teams_manager_sees_nothing_of_this_team_in_their_digest(
    busy_team, outsider_manager
):
    assert digest_sections(outsider_manager) == []


def test_a_director_sees_every_team_and_a_caseworker_never_gets_a_digest(
    busy_team, director, caseworker, other_team
):
    CaseFactory(team=other_team, opened_on=timezone.localdate() - timedelta(days=2))
    waiting = {s.key: s for s in digest_sections(director)}["waiting"]
    assert {row.url for row in waiting.rows} == {
        f"{SITE}/teams/{busy_team.pk}/queue/",
        f"{SITE}/teams/{other_team.pk}/queue/",
    }
    assert "factors" not in {s.key for s in digest_sections(director)}  # managers agree them
    caseworker.wants_daily_digest = True
    caseworker.save()
    digests_send()
    assert all(message.to != [caseworker.email] for message in outbox.outbox)


def test_a_flag_opened_exactly_a_day_ago_is_new_and_a_second_earlier_is_not(team, manager):
    now = timezone.now()
    worker = WorkerFactory(team=team)
    _flag(team, worker, opened_at=now - timedelta(days=1))
    sections = {s.key: s for s in digest_sections(manager, now=now)}
    assert sections["flags_opened"].summary.startswith("1 flag")
    Flag.objects.update(opened_at=now - timedelta(days=1, seconds=1))
    sections = {s.key: s for s in digest_sections(manager, now=now)}
    assert "flags_opened" not in sections and "flags_open" in sections


def test_a_long_section_shows_ten_rows_and_counts_the_rest(manager, organisation, settings):
    for index in range(12):
        team = TeamFactory(service__organisation=organisation, name=f"Team {index:02d}")
        team.managers.add(manager)
        CaseFactory(team=team)
    waiting = {s.key: s for s in digest_sections(manager)}["waiting"]
    assert len(waiting.rows) == digest_sections_module.MOST_ROWS == 10
    assert waiting.more == 2
    assert waiting.summary == "12 cases in your teams' queues."


def test_the_digest_costs_the_same_queries_for_one_team_or_many(
    manager, organisation, django_assert_max_num_queries
):
    def teams(n):
        for _ in range(n):
            team = TeamFactory(service__organisation=organisation)
            team.managers.add(manager)
            worker = WorkerFactory(team=team)
            _flag(team, worker, opened_at=timezone.now())
            CaseFactory(team=team)

    teams(1)
    with django_assert_max_num_queries(11) as one:
        digest_sections(manager)
    teams(6)
    with django_assert_max_num_queries(len(one.captured_queries)):
        digest_sections(manager)


def test_nobody_gets_a_digest_with_nothing_in_it(manager):
    manager.wants_daily_digest = True
    manager.save()
    assert digests_send() == {"digests": 0}
    assert outbox.outbox == []


def test_the_digest_is_scheduled_daily_and_runs_as_a_recorded_task(busy_team, manager, settings):
    entry = settings.CELERY_BEAT_SCHEDULE["daily-digests"]
    assert entry["task"] == "caseload.send_digests"
    task(entry["task"]).apply().get()
    assert len(outbox.outbox) == 1
    assert TaskRun.objects.get(task="send_digests").counts == {"digests": 1}


def test_the_embedded_schedule_sends_the_digest_when_it_is_due(busy_team, manager):
    long_ago = timezone.now() - timedelta(days=2)
    last_run = {name: timezone.now() for name in ("recompute-all", "snapshot")}
    last_run["daily-digests"] = long_ago
    ran = schedule.run_due(last_run)
    assert "daily-digests" in ran
    assert any(message.to == [manager.email] for message in outbox.outbox)
