"""Reports against the database: the command, dates in the past from allocation history,
snapshots, the dashboards (who may see what), downloads and pinned query counts."""

import csv
import io
import json
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from caseload.core.models import Allocation, Case, Organisation, TaskRun
from participants.models import Contact, Participant
from reports import figures as F
from reports import services, tasks
from reports.models import ScopeSnapshot, WorkerSnapshot
from reports.selectors import organisation_report
from tests import oracles
from tests.caseload.factories import OrganisationFactory, TeamFactory, WorkerFactory
from tests.participants.factories import CaseFactory, held_case

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


def bulk_cases(team, n, *, worker=None, opened_on=date(2026, 1, 5)):
    """n open cases in the team, held by `worker` from the day they opened (or unallocated)."""
    organisation = team.service.organisation
    start = Participant.objects.count()
    people = Participant.objects.bulk_create(
        Participant(
            organisation=organisation,
            reference=f"BP{start + i:06d}",
            given_name="Test",
            family_name=f"Person{start + i}",
            date_of_birth=date(2015, 1, 1),
        )
        for i in range(n)
    )
    cases = Case.objects.bulk_create(
        Case(
            participant=person,
            team=team,
            reference=f"BC{person.reference}",
            case_type="child_in_need",
            need_level="medium",
            status="allocated" if worker else "awaiting_allocation",
            opened_on=opened_on,
        )
        for person in people
    )
    if worker is not None:
        Allocation.objects.bulk_create(
            Allocation(case=case, worker=worker, started_on=opened_on, reason="new")
            for case in cases
        )
    return cases


def report_rows(*args) -> list[dict]:
    out = io.StringIO()
    call_command("caseload_report", *args, "--format", "json", stdout=out)
    return json.loads(out.getvalue())


# --- The report command reproduces published figures ------------------------------------------


def test_the_report_command_reproduces_northern_irelands_ratios_from_the_database(organisation):
    team = TeamFactory(
        service__organisation=organisation, name="Gateway", establishment_fte=Decimal("128.87")
    )
    for worker in WorkerFactory.create_batch(100, team=team):
        bulk_cases(team, 18, worker=worker)
    bulk_cases(team, 200)
    [row] = report_rows("--team", "Gateway")
    assert (row["scope"], row["scope_name"]) == ("team", "Gateway")
    assert row["caseload_per_fte"] == 18.0
    assert row["caseload_per_fte_incl_unallocated"] == 20.0
    assert row["vacancy_adjusted_caseload_per_fte"] == 13.97
    assert row["vacancy_adjusted_incl_unallocated_per_fte"] == 15.52
    assert row["cases_allocated"] == 1800 and row["cases_unallocated"] == 200


def test_the_csv_report_has_one_row_per_scope_with_exactly_the_documented_fields(team, other_team):
    out = io.StringIO()
    call_command("caseload_report", "--format", "csv", stdout=out)
    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert list(rows[0]) == ["scope", "scope_name", *F.FIELDS]
    assert [r["scope"] for r in rows] == ["organisation", "service", "service", "team", "team"]
    assert {r["scope_name"] for r in rows if r["scope"] == "team"} == {team.name, other_team.name}


def test_a_service_report_gives_the_service_and_its_teams_only(team, other_team):
    rows = report_rows("--service", team.service.name)
    assert [(r["scope"], r["scope_name"]) for r in rows] == [
        ("service", team.service.name),
        ("team", team.name),
    ]


def test_an_unknown_team_or_a_bad_date_is_refused_by_name(team):
    with pytest.raises(CommandError, match="Team 'Nowhere'"):
        call_command("caseload_report", "--team", "Nowhere")
    with pytest.raises(CommandError, match="--as-of"):
        call_command("caseload_report", "--as-of", "31/09/2025")


# --- Past dates come from allocation history --------------------------------------------------


def test_as_of_a_past_date_uses_who_held_each_case_then(team):
    first, second = WorkerFactory(team=team), WorkerFactory(team=team)
    case = held_case(first, opened_on=date(2025, 6, 2))
    Allocation.objects.filter(case=case).update(ended_on=date(2025, 9, 10))
    Allocation.objects.create(
        case=case, worker=second, started_on=date(2025, 9, 10), reason="leaver"
    )
    closed = held_case(second, opened_on=date(2025, 6, 2))
    Case.objects.filter(pk=closed.pk).update(status="closed", closed_on=date(2025, 10, 1))

    def holders(on):
        report = organisation_report(team.service.organisation, on)
        return {s.worker_id: s.open_cases for s in report.staff if s.open_cases}

    assert holders(date(2025, 9, 1)) == {first.pk: 1, second.pk: 1}
    assert holders(date(2025, 9, 30)) == {second.pk: 2}
    assert holders(TODAY) == {second.pk: 1}
    [row] = report_rows("--team", team.name, "--as-of", "2025-09-01")
    assert row["cases_allocated"] == 2


def test_a_case_waits_from_opening_or_from_when_its_last_holder_let_it_go(team):
    worker = WorkerFactory(team=team)
    waiting = CaseFactory(team=team, opened_on=date(2025, 8, 1))
    released = held_case(worker, opened_on=date(2025, 3, 1))
    Allocation.objects.filter(case=released).update(ended_on=date(2025, 8, 21))
    Case.objects.filter(pk=released.pk).update(status="awaiting_allocation")
    Allocation.objects.create(
        case=waiting, worker=worker, started_on=date(2025, 9, 20), reason="new"
    )
    [row] = report_rows("--team", team.name, "--as-of", "2025-09-01")
    assert row["cases_unallocated"] == 2
    assert row["median_days_unallocated"] == 21.0  # 31 days and 11 days
    [today] = report_rows("--team", team.name)
    assert today["cases_unallocated"] == 1


def test_overdue_visits_on_a_past_date_ignore_visits_recorded_after_it(team):
    worker = WorkerFactory(team=team)
    case = held_case(worker, opened_on=TODAY - timedelta(days=120), case_type="child_protection")
    Contact.objects.create(
        case=case,
        worker=worker,
        occurred_at=timezone.now() - timedelta(days=1),
        contact_type="home_visit",
        seen=True,
    )
    [today] = report_rows("--team", team.name)
    [before] = report_rows("--team", team.name, "--as-of", (TODAY - timedelta(days=5)).isoformat())
    assert (today["overdue_visits"], before["overdue_visits"]) == (0, 1)


# --- Snapshots --------------------------------------------------------------------------------


def test_taking_the_days_snapshot_twice_changes_nothing_the_second_time(team, other_team):
    worker = WorkerFactory(team=team)
    held_case(worker)
    first = services.snapshot_take()
    rows = list(ScopeSnapshot.objects.values_list("scope_key", "taken_on", "figures"))
    second = services.snapshot_take()
    assert first == second == {"date": TODAY.isoformat(), "scopes": 5, "workers": 1}
    assert list(ScopeSnapshot.objects.values_list("scope_key", "taken_on", "figures")) == rows
    assert WorkerSnapshot.objects.get().open_cases == 1


def test_the_snapshot_task_is_scheduled_daily_and_records_its_run(team):
    schedule = settings.CELERY_BEAT_SCHEDULE
    assert any(entry["task"] == "reports.snapshot_take" for entry in schedule.values())
    counts = tasks.snapshot_take.apply().get()
    assert counts["scopes"] == 3
    run = TaskRun.objects.get(task="snapshot_take")
    assert (run.outcome, run.counts["scopes"]) == ("ok", 3)


def test_backfilled_month_ends_feed_the_dashboard_trend(client_for, director, team):
    worker = WorkerFactory(team=team)
    held_case(worker, opened_on=TODAY - timedelta(days=400))
    services.snapshot_backfill(months=3)
    assert ScopeSnapshot.objects.filter(scope="organisation").count() == 4
    response = client_for(director).get(reverse("dashboard_organisation"))
    assert len(response.context["trend"]) == 4


# --- Dashboards: who may see what -------------------------------------------------------------


def test_a_director_sees_the_organisation_and_drills_to_a_service_and_a_team(
    client_for, director, team, other_team
):
    held_case(WorkerFactory(team=team, name="Hana Holder"))
    client = client_for(director)
    page = client.get(reverse("dashboard_organisation"))
    assert page.status_code == 200
    assert team.service.name in page.content.decode()
    service = client.get(reverse("dashboard_service", args=[team.service_id]))
    assert team.name in service.content.decode()
    assert other_team.name not in service.content.decode()
    team_page = client.get(reverse("dashboard_team", args=[team.pk]))
    assert "Hana Holder" in team_page.content.decode()
    assert client.get(reverse("evidence_pack", args=[team.service_id])).status_code == 200


def test_a_manager_sees_their_own_teams_dashboard_and_no_other(
    client_for, manager, team, other_team
):
    client = client_for(manager)
    assert client.get(reverse("dashboard")).url == reverse("dashboard_team", args=[team.pk])
    assert client.get(reverse("dashboard_team", args=[team.pk])).status_code == 200
    assert client.get(reverse("dashboard_team", args=[other_team.pk])).status_code == 404
    assert client.get(reverse("dashboard_organisation")).status_code == 403
    assert client.get(reverse("dashboard_service", args=[team.service_id])).status_code == 403


def test_the_manager_of_another_team_and_a_caseworker_are_refused(
    client_for, outsider_manager, caseworker, team
):
    assert (
        client_for(outsider_manager).get(reverse("dashboard_team", args=[team.pk])).status_code
        == 404
    )
    url = reverse("dashboard_team_export", args=[team.pk]) + "?table=members&format=csv"
    assert client_for(outsider_manager).get(url).status_code == 404
    for name in ("dashboard", "dashboard_organisation"):
        assert client_for(caseworker).get(reverse(name)).status_code == 403
    assert client_for(caseworker).get(reverse("dashboard_team", args=[team.pk])).status_code == 403


def test_a_director_of_another_organisation_is_refused(client_for, team):
    from tests.caseload.factories import UserFactory

    elsewhere = UserFactory(role="director", organisation=OrganisationFactory(name="Elsewhere"))
    client = client_for(elsewhere)
    for name in ("dashboard_service", "evidence_pack", "dashboard_service_export"):
        assert client.get(reverse(name, args=[team.service_id])).status_code == 404
    assert client.get(reverse("dashboard_team", args=[team.pk])).status_code == 404
    page = client.get(reverse("dashboard_organisation")).content.decode()
    assert team.service.name not in page


def test_the_manager_dashboard_shows_members_against_promise_flags_and_the_queue(
    client_for, manager, team
):
    busy = WorkerFactory(team=team, name="Busy Person")
    bulk_cases(team, 17, worker=busy)
    bulk_cases(team, 2)
    response = client_for(manager).get(reverse("dashboard_team", args=[team.pk]))
    members = {m["worker"].name: m for m in response.context["members"]}
    assert members["Busy Person"]["open_cases"] == 17
    assert members["Busy Person"]["above_promise"]
    assert response.context["queue_size"] == 2
    assert "above promise" in response.content.decode()


def test_a_future_date_is_refused_with_a_message_naming_the_field(client_for, director, team):
    future = (TODAY + timedelta(days=3)).isoformat()
    response = client_for(director).get(reverse("dashboard_organisation") + f"?on={future}")
    assert "Figures on: choose today or a date in the past." in response.content.decode()
    assert response.context["report"].on == TODAY


def test_the_services_table_sorts_and_filters(client_for, director, organisation):
    for name, cases in (("Alpha", 3), ("Beta", 9), ("Gamma", 5)):
        team = TeamFactory(service__organisation=organisation, service__name=name)
        bulk_cases(team, cases, worker=WorkerFactory(team=team))
    client = client_for(director)
    url = reverse("dashboard_organisation")
    by_cases = client.get(url + "?sort=-caseload_per_fte").context["children"]
    assert [s.name for s in by_cases] == ["Beta", "Gamma", "Alpha"]
    filtered = client.get(url + "?q=amm").context["children"]
    assert [s.name for s in filtered] == ["Gamma"]


def test_side_by_side_shows_every_caseload_measure_as_a_sortable_column(
    client_for, director, organisation
):
    team = TeamFactory(service__organisation=organisation, establishment_fte=Decimal("4"))
    bulk_cases(team, 6, worker=WorkerFactory(team=team))
    bulk_cases(team, 2)
    client = client_for(director)
    for url in (
        reverse("dashboard_organisation"),
        reverse("dashboard_service", args=[team.service_id]),
    ):
        page = client.get(url)
        fields = [h["field"] for h in page.context["headers"]]
        for measure in (
            "caseload_per_fte",
            "practitioner_caseload_per_fte",
            "all_staff_caseload_per_fte",
            "caseload_per_fte_incl_unallocated",
            "vacancy_adjusted_caseload_per_fte",
            "vacancy_adjusted_incl_unallocated_per_fte",
        ):
            assert measure in fields, measure
            assert f"sort=-{measure}" in page.content.decode()
        html = page.content.decode()
        assert 'scope="colgroup" colspan="6">Cases per FTE</th>' in html
        # 6 allocated over 4 establishment FTE, and 8 with the unallocated two
        assert 'data-label="Caseload per establishment FTE">1.50</td>' in html
        assert 'data-label="Caseload per establishment FTE with unallocated cases">2.00' in html


# --- Downloads --------------------------------------------------------------------------------


def _sheet(response):
    """The downloaded workbook's only sheet (not read-only: styles and panes are wanted)."""
    return load_workbook(io.BytesIO(response.content)).active


def _heading_row(sheet) -> int:
    """The row of the column headings: the one the frozen pane sits under."""
    return int(sheet.freeze_panes[1:]) - 1


def test_every_dashboard_table_downloads_as_csv_and_xlsx(client_for, director, team):
    held_case(WorkerFactory(team=team))
    client = client_for(director)
    urls = {
        reverse("dashboard_organisation_export"): ["figures", "compare", "trend", "distribution"],
        reverse("dashboard_service_export", args=[team.service_id]): ["figures", "compare"],
        reverse("dashboard_team_export", args=[team.pk]): ["figures", "members", "trend"],
    }
    for url, tables in urls.items():
        for table in tables:
            csv_response = client.get(f"{url}?table={table}&format=csv")
            assert csv_response.status_code == 200, (url, table)
            assert csv_response["Content-Type"].startswith("text/csv")
            csv_rows = list(csv.reader(io.StringIO(csv_response.content.decode())))
            assert all(" " not in name for name in csv_rows[0])  # machine names
            sheet = _sheet(client.get(f"{url}?table={table}&format=xlsx"))
            headings = [c.value for c in sheet[_heading_row(sheet)]]
            assert all(c.font.bold for c in sheet[_heading_row(sheet)])
            assert headings and all(h and h[0].isupper() for h in headings), headings
            if table != "figures":  # the figures are a figure per row in the XLSX
                assert len(headings) == len(csv_rows[0])
                assert sheet.max_row - _heading_row(sheet) == len(csv_rows) - 1
    assert client.get(f"{url}?table=nothing&format=csv").status_code == 404


def test_the_xlsx_says_what_it_is_for_which_scope_and_date_with_headings_people_read(
    client_for, director, team
):
    held_case(WorkerFactory(team=team))
    on = TODAY - timedelta(days=3)
    url = reverse("dashboard_service_export", args=[team.service_id])
    sheet = _sheet(client_for(director).get(f"{url}?table=compare&format=xlsx&on={on}"))
    assert sheet["A1"].value == f"Side by side, every figure: {team.service.name}"
    assert sheet["A1"].font.bold
    assert sheet["A2"].value == (
        f"{team.service.name}, Testshire Council (service) on {on.day} {on:%B %Y}"
    )
    row = _heading_row(sheet)
    assert sheet.freeze_panes == f"A{row + 1}"
    headings = [c.value for c in sheet[row]]
    assert headings[:3] == ["Level", "Name", "Caseload per FTE (DfE method)"]
    assert "Case holders with 20 or more cases" in headings
    widths = [sheet.column_dimensions[letter].width for letter in "ABCD"]
    assert all(8 <= width <= 45 for width in widths), widths


def test_shares_are_percentages_ratios_two_places_and_dates_real_dates(client_for, director, team):
    worker = WorkerFactory(team=team)
    bulk_cases(team, 21, worker=worker)
    client = client_for(director)
    url = reverse("dashboard_service_export", args=[team.service_id])
    sheet = _sheet(client.get(f"{url}?table=compare&format=xlsx"))
    row = _heading_row(sheet)
    by_heading = {c.value: c.column for c in sheet[row]}
    share = sheet.cell(row=row + 1, column=by_heading["Case holders with 20 or more cases"])
    assert share.value == 1.0 and share.number_format == "0.0%"
    ratio = sheet.cell(row=row + 1, column=by_heading["Caseload per FTE (DfE method)"])
    assert ratio.value == 21 and ratio.number_format == "#,##0.00"
    count = sheet.cell(row=row + 1, column=by_heading["Open cases allocated"])
    assert count.value == 21 and count.number_format == "#,##0"

    trend = _sheet(
        client.get(reverse("dashboard_organisation_export") + "?table=trend&format=xlsx")
    )
    first = trend.cell(row=_heading_row(trend) + 1, column=1)
    assert first.is_date and first.number_format == "d mmm yyyy"
    assert first.value.date() == TODAY


def test_one_scopes_figures_are_a_figure_per_row_each_in_its_own_format(client_for, director, team):
    bulk_cases(team, 21, worker=WorkerFactory(team=team))
    url = reverse("dashboard_team_export", args=[team.pk])
    sheet = _sheet(client_for(director).get(f"{url}?table=figures&format=xlsx"))
    row = _heading_row(sheet)
    assert [c.value for c in sheet[row]] == ["Figure", "Value"]
    field = {label: name for name, (label, _) in F.LABELS.items()}
    values = {
        field[sheet.cell(row=r, column=1).value]: sheet.cell(row=r, column=2)
        for r in range(row + 1, sheet.max_row + 1)
    }
    assert set(values) == set(F.FIELDS)
    assert values["share_20_plus"].number_format == "0.0%"
    assert values["caseload_per_fte"].number_format == "#,##0.00"
    assert values["cases_allocated"].value == 21


def test_a_blank_figure_is_an_empty_cell_not_a_dash_or_zero(client_for, director, team):
    url = reverse("dashboard_team_export", args=[team.pk])
    client = client_for(director)
    sheet = _sheet(client.get(f"{url}?table=figures&format=xlsx"))
    values = {
        sheet.cell(row=r, column=1).value: sheet.cell(row=r, column=2).value
        for r in range(_heading_row(sheet) + 1, sheet.max_row + 1)
    }
    assert values["Caseload per FTE (DfE method)"] is None
    body = client.get(f"{url}?table=figures&format=csv").content.decode()
    row = dict(zip(*csv.reader(io.StringIO(body)), strict=True))
    assert row["caseload_per_fte"] == ""


def test_the_manager_of_another_team_cannot_download_this_teams_tables(
    client_for, outsider_manager, team
):
    url = reverse("dashboard_team_export", args=[team.pk])
    for fmt in ("csv", "xlsx"):
        response = client_for(outsider_manager).get(f"{url}?table=members&format={fmt}")
        assert response.status_code in (403, 404)


def test_downloads_neutralise_cells_a_spreadsheet_would_run(client_for, director, organisation):
    team = TeamFactory(service__organisation=organisation, name="=HYPERLINK(1)")
    held_case(WorkerFactory(team=team, name="@Evil Name"))
    client = client_for(director)
    url = reverse("dashboard_service_export", args=[team.service_id])
    body = client.get(url + "?table=compare&format=csv").content.decode()
    assert "'=HYPERLINK(1)" in body
    members = client.get(
        reverse("dashboard_team_export", args=[team.pk]) + "?table=members&format=xlsx"
    )
    cells = [c for row in load_workbook(io.BytesIO(members.content)).active.values for c in row]
    assert "'@Evil Name" in cells


# --- Queries do not grow with the organisation ------------------------------------------------


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_the_dashboards_make_the_same_number_of_queries_for_a_bigger_organisation(
    client_for, director, manager, team, settings
):
    settings.DASHBOARD_SNAPSHOT_MAX_AGE_MINUTES = 0  # worked out live (the snapshot path below)
    bulk_cases(team, 3, worker=WorkerFactory(team=team))
    urls = [
        reverse("dashboard_organisation"),
        reverse("dashboard_service", args=[team.service_id]),
        reverse("dashboard_team", args=[team.pk]),
    ]
    small = [_queries(client_for(director), url) for url in urls]
    for i in range(4):
        if i % 2:
            more = TeamFactory(service=team.service)
        else:
            more = TeamFactory(service__organisation=team.service.organisation)
        for worker in WorkerFactory.create_batch(3, team=more):
            bulk_cases(more, 4, worker=worker)
        bulk_cases(more, 2)
    for worker in WorkerFactory.create_batch(3, team=team):
        bulk_cases(team, 5, worker=worker)
    big = [_queries(client_for(director), url) for url in urls]
    assert big == small
    assert small == [PINNED_ORGANISATION, PINNED_SERVICE, PINNED_TEAM]


# Loads are summed by the database (weighting.loads.worker_totals); the applicable scheme
# versions are read in one query (weighting.selectors.schemes_for). The check-ins add two: the
# latest answers for the shares and the answers month by month; supervision one (each worker's
# last supervision and plan); the team dashboard adds one for the allocation reasons over the
# period (reports.selectors.allocation_reasons), and one for its open flags (by worker, and in
# all); it does not load its team again for the figures.
PINNED_ORGANISATION, PINNED_SERVICE, PINNED_TEAM = 17, 18, 19


def test_take_snapshots_fills_month_ends_and_refuses_a_silly_number(team):
    out = io.StringIO()
    call_command("take_snapshots", "--months", "2", stdout=out)
    assert "Took 3 days' snapshots" in out.getvalue()
    assert ScopeSnapshot.objects.filter(scope="team").count() == 3
    with pytest.raises(CommandError, match="--months"):
        call_command("take_snapshots", "--months", "99")


def test_where_nobody_qualified_holds_cases_the_all_staff_figure_leads(client_for, director, team):
    bulk_cases(team, 6, worker=WorkerFactory(team=team, role="caseworker"))
    response = client_for(director).get(reverse("dashboard_team", args=[team.pk]))
    first = response.context["headlines"][0]
    assert (first["field"], first["value"]) == ("all_staff_caseload_per_fte", Decimal("6.00"))


def test_todays_figures_summed_in_the_database_match_replaying_each_case(db, monkeypatch):
    from caseload.demo import seed as demo

    demo.seed(size="small", seed=3)
    organisation = Organisation.objects.get()
    fast = organisation_report(organisation)
    with monkeypatch.context() as case_by_case:
        case_by_case.setattr(
            "reports.selectors.worker_loads",
            lambda workers, organisation_id, on, **_: oracles.worker_loads_case_by_case(
                workers, organisation_id, on
            ),
        )
        case_by_case.setattr(
            "reports.selectors.overdue_visit_counts", oracles.overdue_visit_counts_case_by_case
        )
        replayed = organisation_report(organisation)
    assert [s.row() for s in fast.scopes()] == [s.row() for s in replayed.scopes()]
    assert fast.organisation_scope.figures["overdue_visits"] > 0
    assert fast.organisation_scope.figures["weighted_load"] > 0


def test_todays_organisation_dashboard_reads_a_recent_snapshot_and_says_when_it_was_taken(
    client_for, director, team, other_team, settings
):
    settings.DASHBOARD_SNAPSHOT_MAX_AGE_MINUTES = 35
    worker = WorkerFactory(team=team)
    bulk_cases(team, 4, worker=worker)
    services.snapshot_take()
    bulk_cases(team, 3, worker=worker)  # after the snapshot: shown only when worked out live
    client = client_for(director)
    url = reverse("dashboard_organisation")
    from_snapshot = client.get(url)
    assert from_snapshot.context["report"].taken_at is not None
    assert from_snapshot.context["scope"].figures["cases_allocated"] == 4
    assert "Figures as of" in from_snapshot.content.decode()
    assert (
        _queries(client, url) == PINNED_FROM_SNAPSHOT
    )  # ?live=1: tests/reports/test_live_figures.py
    service = client.get(reverse("dashboard_service", args=[team.service_id]))
    assert service.context["scope"].figures["cases_allocated"] == 4


def test_the_organisation_dashboard_from_a_snapshot_costs_the_same_queries_for_more_teams(
    client_for, director, team, settings
):
    settings.DASHBOARD_SNAPSHOT_MAX_AGE_MINUTES = 35
    client = client_for(director)
    url = reverse("dashboard_organisation")
    services.snapshot_take()
    few = _queries(client, url)
    for _ in range(6):
        TeamFactory(service=TeamFactory(service__organisation=team.service.organisation).service)
    services.snapshot_take()
    assert client.get(url).context["report"].taken_at is not None
    assert _queries(client, url) == few == PINNED_FROM_SNAPSHOT


def test_a_stale_or_incomplete_snapshot_is_not_used(client_for, director, team, settings):
    settings.DASHBOARD_SNAPSHOT_MAX_AGE_MINUTES = 35
    bulk_cases(team, 2, worker=WorkerFactory(team=team))
    services.snapshot_take()
    ScopeSnapshot.objects.update(taken_at=timezone.now() - timedelta(hours=2))
    client = client_for(director)
    assert client.get(reverse("dashboard_organisation")).context["report"].taken_at is None
    services.snapshot_take()
    ScopeSnapshot.objects.filter(scope_key=f"team:{team.pk}").update(
        taken_at=timezone.now() - timedelta(hours=2)
    )  # one team's row stale: its service's figures may be too
    assert client.get(reverse("dashboard_organisation")).context["report"].taken_at is None
    services.snapshot_take()
    assert client.get(reverse("dashboard_organisation")).context["report"].taken_at is not None
    TeamFactory(service=team.service)  # a team the snapshot has not seen yet
    assert client.get(reverse("dashboard_organisation")).context["report"].taken_at is None


def test_without_a_schedule_the_dashboards_are_always_live(client_for, director, team, settings):
    settings.DASHBOARD_SNAPSHOT_MAX_AGE_MINUTES = 0  # the embedded demo: no beat to refresh it
    services.snapshot_take()
    assert (
        client_for(director).get(reverse("dashboard_organisation")).context["report"].taken_at
        is None
    )


# From the snapshot: the session, the user, the organisation and the unread notifications
# (every page), then two counts that say the snapshot is complete and recent, the side by side
# rows counted and one page of them read, the scope's own row and the trend. The service's page
# also reads the service.
PINNED_FROM_SNAPSHOT, PINNED_SERVICE_FROM_SNAPSHOT = 10, 11


def _service_with_teams(organisation, n, *, service=None):
    """n more teams in one service, each with a worker holding i % 7 cases (the first team
    of every seven holds none, so its caseload figures are missing)."""
    teams = []
    for i in range(n):
        team = (
            TeamFactory(service=service)
            if service
            else TeamFactory(service__organisation=organisation)
        )
        service = team.service
        if i % 7:
            bulk_cases(team, i % 7, worker=WorkerFactory(team=team))
        teams.append(team)
    return service, teams


def test_the_service_dashboard_from_a_snapshot_costs_the_same_queries_for_2_teams_or_40(
    client_for, director, organisation, settings
):
    settings.DASHBOARD_SNAPSHOT_MAX_AGE_MINUTES = 35
    service, _ = _service_with_teams(organisation, 2)
    client = client_for(director)
    url = reverse("dashboard_service", args=[service.pk])
    services.snapshot_take()
    few = _queries(client, url)
    _service_with_teams(organisation, 38, service=service)
    services.snapshot_take()
    page = client.get(url)
    assert page.context["report"].taken_at is not None
    assert len(page.context["children"]) == 25  # a page of them
    assert page.context["children_total"] == 40
    assert _queries(client, url) == few == PINNED_SERVICE_FROM_SNAPSHOT
    assert _queries(client, url + "?page=2&sort=-caseload_per_fte&q=e") == few


@pytest.mark.parametrize(
    "sort", ["", "caseload_per_fte", "-caseload_per_fte", "-share_above_promise", "workers"]
)
def test_the_snapshot_pages_the_teams_in_the_order_and_filter_worked_out_live(
    client_for, director, organisation, settings, sort
):
    service, _ = _service_with_teams(organisation, 30)
    services.snapshot_take()
    client = client_for(director)
    url = reverse("dashboard_service", args=[service.pk]) + f"?sort={sort}"

    def names(max_age, extra=""):
        settings.DASHBOARD_SNAPSHOT_MAX_AGE_MINUTES = max_age
        pages = [client.get(url + f"&page={n}{extra}") for n in (1, 2)]
        assert (pages[0].context["report"].taken_at is not None) == bool(max_age)
        return [c.name for p in pages for c in p.context["children"]]

    live = names(0)
    assert len(live) == 30 and len(set(live)) == 30
    assert names(35) == live
    assert names(35, "&q=1") == names(0, "&q=1")


def test_a_page_of_teams_says_which_of_how_many_and_links_to_the_next(
    client_for, director, organisation, settings
):
    settings.DASHBOARD_SNAPSHOT_MAX_AGE_MINUTES = 35
    service, _ = _service_with_teams(organisation, 26)
    services.snapshot_take()
    client = client_for(director)
    url = reverse("dashboard_service", args=[service.pk])
    html = client.get(url + "?sort=-workers").content.decode()
    assert "Showing 1–25 of 26 teams, 25 a page." in html
    assert "Page 1 of 2" in html
    assert 'href="?sort=-workers&amp;page=2"' in html
    last = client.get(url + "?sort=-workers&page=2")
    assert len(last.context["children"]) == 1
    assert "Showing 26–26 of 26 teams" in last.content.decode()
    none = client.get(url + "?q=no+such+team").content.decode()
    assert "No team name contains “no such team”." in none
    assert "Showing 0 of 26 teams." in none


def test_the_director_dashboard_from_a_snapshot_shows_the_check_ins_without_reading_them(
    client_for, director, team, caseworker, settings
):
    from caseload.checkins.models import CheckIn

    settings.DASHBOARD_SNAPSHOT_MAX_AGE_MINUTES = 35
    CheckIn.objects.create(
        worker=caseworker.worker,
        answered_on=TODAY,
        answer="unmanageable",
        bandwidth_status="within",
    )
    services.snapshot_take()
    client = client_for(director)
    for url in (
        reverse("dashboard_organisation"),
        reverse("dashboard_service", args=[team.service_id]),
    ):
        with CaptureQueriesContext(connection) as captured:
            body = client.get(url).content.decode()
        assert not [q for q in captured if "checkins_checkin" in q["sql"]], url
        shares = body.split('id="checkin-shares"')[1].split("</table>")[0]
        assert "1 (100%)" in shares, url
