"""Check-ins: "Is my caseload manageable?" — the rules at their edges, the service, the flags
(against the oracle), the report's shares and the pages (with the outsider refused)."""

import io
import json
from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import IntegrityError
from django.urls import reverse
from django.utils import timezone

from caseload.checkins import rules, services
from caseload.checkins.models import CheckIn
from caseload.core.choices import FlagKind
from caseload.core.models import Flag, Worker
from caseload.flags.conditions import checkin_conditions
from caseload.flags.services import flags_refresh_team
from reports import figures as F
from tests import oracles
from tests.caseload.factories import WorkerFactory
from tests.participants.factories import held_case
from tests.reports.test_figures import staff

TODAY = timezone.localdate()


def answer(worker, answer, days_ago=0, status="within", note=""):
    """A check-in written directly (the service only answers for today)."""
    return CheckIn.objects.create(
        worker=worker,
        answered_on=TODAY - timedelta(days=days_ago),
        answer=answer,
        note=note,
        bandwidth_status=status,
    )


def kinds(worker):
    return sorted(
        c.kind
        for cs in checkin_conditions(worker.team.service.organisation_id).values()
        for c in cs
        if c.worker_id == worker.pk
    )


# --- The rules ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("last", "due"), [(None, True), (0, False), (29, False), (30, True), (31, True)]
)
def test_a_worker_is_asked_again_thirty_days_after_their_last_answer(last, due):
    last_on = None if last is None else date(2026, 3, 31) - timedelta(days=last)
    assert rules.is_due(last_on, date(2026, 3, 31)) is due


def test_an_answer_counts_for_thirty_five_days_including_the_day_it_was_given():
    assert rules.counts_since(date(2026, 3, 31)) == date(2026, 3, 31) - timedelta(days=34)


# --- The service --------------------------------------------------------------------------------


def test_a_worker_answers_once_a_day_with_their_load_measured_that_day(caseworker):
    worker = caseworker.worker
    held_case(worker)
    checkin = services.checkin_create(
        worker=worker, answer="stretched", note="  Court week.  ", by=caseworker
    )
    assert (checkin.answered_on, checkin.open_cases, checkin.note) == (TODAY, 1, "Court week.")
    assert checkin.bandwidth_status == "below"
    with pytest.raises(ValidationError) as error:
        services.checkin_create(worker=worker, answer="manageable", by=caseworker)
    assert "answered today already" in str(error.value.message_dict["answer"])
    assert CheckIn.objects.count() == 1


def test_nobody_answers_for_someone_else(caseworker, manager):
    with pytest.raises(ValidationError):
        services.checkin_create(worker=caseworker.worker, answer="manageable", by=manager)


def test_the_database_keeps_at_most_one_answer_a_day_per_worker(caseworker):
    answer(caseworker.worker, "manageable")
    with pytest.raises(IntegrityError):
        answer(caseworker.worker, "unmanageable")


# --- The flags ----------------------------------------------------------------------------------


def test_two_unmanageable_answers_in_a_row_raise_a_flag(caseworker):
    worker = caseworker.worker
    answer(worker, "unmanageable", days_ago=20, status="above")
    answer(worker, "unmanageable", days_ago=1, status="above")
    assert kinds(worker) == [FlagKind.CHECKIN_UNMANAGEABLE_TWICE]


def test_an_unmanageable_answer_after_a_stretched_one_is_not_twice_in_a_row(caseworker):
    worker = caseworker.worker
    answer(worker, "unmanageable", days_ago=40, status="above")
    answer(worker, "stretched", days_ago=20, status="above")
    answer(worker, "unmanageable", days_ago=1, status="above")
    assert kinds(worker) == []


def test_a_later_manageable_answer_clears_the_flags(caseworker):
    worker = caseworker.worker
    answer(worker, "unmanageable", days_ago=20)
    answer(worker, "unmanageable", days_ago=10)
    answer(worker, "manageable", days_ago=0)
    assert kinds(worker) == []


@pytest.mark.parametrize(
    ("status", "flagged"), [("within", True), ("below", True), ("above", False)]
)
def test_unmanageable_from_a_worker_not_measured_above_band_raises_a_flag(
    caseworker, status, flagged
):
    answer(caseworker.worker, "unmanageable", status=status)
    assert kinds(caseworker.worker) == ([FlagKind.CHECKIN_UNMANAGEABLE_IN_BAND] if flagged else [])


@pytest.mark.parametrize(("days_ago", "flagged"), [(34, True), (35, False)])
def test_an_answer_raises_flags_only_while_it_still_counts(caseworker, days_ago, flagged):
    answer(caseworker.worker, "unmanageable", days_ago=days_ago + 10)
    answer(caseworker.worker, "unmanageable", days_ago=days_ago)
    assert bool(kinds(caseworker.worker)) is flagged


def test_a_worker_who_has_left_raises_no_check_in_flag(caseworker):
    Worker.objects.filter(pk=caseworker.worker.pk).update(leave_date=TODAY - timedelta(days=1))
    answer(caseworker.worker, "unmanageable", days_ago=2)
    assert kinds(caseworker.worker) == []


def test_the_refresh_opens_the_check_in_flags_and_they_agree_with_the_oracle(
    team, caseworker, manager
):
    answer(caseworker.worker, "unmanageable", days_ago=8)
    answer(caseworker.worker, "unmanageable", days_ago=1)
    answer(manager.worker, "unmanageable", days_ago=3, status="above")
    flags_refresh_team(team_id=team.pk)
    opened = sorted(Flag.objects.open().values_list("kind", "worker_id"))
    assert opened == sorted(
        [
            (FlagKind.CHECKIN_UNMANAGEABLE_TWICE, caseworker.worker.pk),
            (FlagKind.CHECKIN_UNMANAGEABLE_IN_BAND, caseworker.worker.pk),
        ]
    )
    conditions = checkin_conditions(team.service.organisation_id)[team.pk]
    product = {(c.kind, c.worker_id, c.detail) for c in conditions}
    assert product == {(c.kind, c.worker_id, c.detail) for c in oracles.checkin_conditions(team)}


# --- The report's shares ------------------------------------------------------------------------


def test_the_shares_are_over_workers_in_post_who_answered():
    rows = staff(5, 3)
    answers = ["manageable", "stretched", "unmanageable", "unmanageable", None]
    rows = [replace(row, checkin=a) for row, a in zip(rows, answers, strict=True)]
    rows.append(replace(staff(1, 3, in_post=False, start=9)[0], checkin="manageable"))
    figures = F.scope_figures(rows, [], overdue_visits=0, establishment_fte=Decimal("6"))
    assert figures["share_checkins_manageable"] == Decimal("0.250")
    assert figures["share_checkins_stretched"] == Decimal("0.250")
    assert figures["share_checkins_unmanageable"] == Decimal("0.500")


def test_with_no_answers_the_shares_are_empty():
    figures = F.scope_figures(staff(2, 3), [], overdue_visits=0, establishment_fte=Decimal("2"))
    assert figures["share_checkins_unmanageable"] is None


def test_the_report_command_counts_each_workers_latest_answer_of_the_last_35_days(team):
    alice, bea, cal, dev = WorkerFactory.create_batch(4, team=team)
    answer(alice, "unmanageable", days_ago=40)
    answer(alice, "manageable", days_ago=3)  # latest counts
    answer(bea, "stretched", days_ago=34)  # still counts
    answer(cal, "unmanageable", days_ago=35)  # too old: cal has not answered
    answer(dev, "unmanageable", days_ago=1)
    out = io.StringIO()
    call_command("caseload_report", "--team", team.name, "--format", "json", stdout=out)
    row = json.loads(out.getvalue())[0]
    assert row["share_checkins_manageable"] == pytest.approx(0.333)
    assert row["share_checkins_stretched"] == pytest.approx(0.333)
    assert row["share_checkins_unmanageable"] == pytest.approx(0.333)


# --- The pages ----------------------------------------------------------------------------------


def test_my_caseload_asks_until_the_worker_answers_then_a_month_later(client_for, caseworker):
    client = client_for(caseworker)
    assert b'id="checkin-prompt"' in client.get(reverse("my_caseload")).content
    response = client.post(
        reverse("checkin_create"), {"answer": "stretched", "note": "Two court reports due."}
    )
    assert response.status_code == 302
    assert b'id="checkin-prompt"' not in client.get(reverse("my_caseload")).content
    CheckIn.objects.update(answered_on=TODAY - timedelta(days=30))
    assert b'id="checkin-prompt"' in client.get(reverse("my_caseload")).content


def test_the_form_names_the_field_when_no_answer_is_chosen(client_for, caseworker):
    response = client_for(caseworker).post(reverse("checkin_create"), {"answer": "fine"})
    assert response.status_code == 200
    assert "Is your caseload manageable?" in response.content.decode()
    assert CheckIn.objects.count() == 0


def test_a_form_sent_twice_records_one_answer(client_for, caseworker):
    client = client_for(caseworker)
    page = client.get(reverse("checkin_create")).content.decode()
    token = page.split('name="once_token" value="')[1].split('"')[0]
    data = {"answer": "manageable", "once_token": token}
    assert client.post(reverse("checkin_create"), data).status_code == 302
    assert client.post(reverse("checkin_create"), data).status_code == 302
    assert CheckIn.objects.count() == 1


def test_the_worker_reads_their_own_answers_with_their_notes(client_for, caseworker, outsider):
    answer(caseworker.worker, "stretched", note="Private: my mother is ill")
    assert (
        "my mother is ill" in client_for(caseworker).get(reverse("checkin_list")).content.decode()
    )
    assert (
        "my mother is ill" not in client_for(outsider).get(reverse("checkin_list")).content.decode()
    )


def test_the_team_manager_sees_answers_beside_the_load_and_the_notes(
    client_for, team, manager, caseworker
):
    held_case(caseworker.worker)
    answer(caseworker.worker, "unmanageable", note="Private: too many court reports")
    body = client_for(manager).get(reverse("team_checkins", args=[team.pk])).content.decode()
    assert "Unmanageable" in body and "too many court reports" in body
    assert 'id="checkin-members"' in body


def test_a_director_sees_the_answers_but_not_the_notes(client_for, team, director, caseworker):
    answer(caseworker.worker, "unmanageable", note="Private: too many court reports")
    body = client_for(director).get(reverse("team_checkins", args=[team.pk])).content.decode()
    assert "Unmanageable" in body and "too many court reports" not in body


def test_the_team_page_refuses_caseworkers_and_other_teams(
    client_for, team, caseworker, outsider, outsider_manager
):
    answer(caseworker.worker, "unmanageable", note="Private")
    url = reverse("team_checkins", args=[team.pk])
    assert client_for(caseworker).get(url).status_code == 403
    assert client_for(outsider).get(url).status_code == 403
    assert client_for(outsider_manager).get(url).status_code == 404


def test_the_dashboards_show_the_shares_month_by_month(
    client_for, team, manager, director, caseworker
):
    answer(caseworker.worker, "unmanageable")
    for client, url in [
        (client_for(manager), reverse("dashboard_team", args=[team.pk])),
        (client_for(director), reverse("dashboard_service", args=[team.service_id])),
        (client_for(director), reverse("dashboard_organisation")),
    ]:
        body = client.get(url).content.decode()
        assert 'id="checkin-shares"' in body, url
        assert "100%" in body.split('id="checkin-shares"')[1].split("</table>")[0], url


def test_the_demo_has_answers_of_every_kind_and_asks_its_caseworker(small_demo):
    from caseload.checkins.selectors import checkin_due

    result = small_demo()
    assert result.counts["checkins"] > 0
    assert set(CheckIn.objects.values_list("answer", flat=True)) == {
        "manageable",
        "stretched",
        "unmanageable",
    }
    caseworker = Worker.objects.filter(user__role="caseworker").first()
    assert checkin_due(caseworker)
