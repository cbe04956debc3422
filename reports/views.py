"""Dashboards: organisation → service → team, the evidence pack and every table as a download.

Each page loads one report (`reports.selectors.organisation_report`) in a fixed number of
queries, plus the trend from the daily snapshots, and renders tables with their charts."""

from collections import Counter
from dataclasses import dataclass, replace
from datetime import date, timedelta

from django.conf import settings
from django.core.paginator import Page, Paginator
from django.db.models import Count
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_GET

from caseload.checkins.choices import Manageability
from caseload.checkins.selectors import monthly_shares
from caseload.core.access import DIRECTORS_AND_ADMINS, MANAGERS_AND_ABOVE, role_required
from caseload.core.choices import WorkerRole
from caseload.core.models import Flag, Service, Team
from caseload.core.spreadsheet import Column, Table
from caseload.forecast.selectors import ForecastScope
from security.audit import audit_record
from security.choices import AuditAction
from weighting import scoring

from . import charts, exports
from . import figures as F
from .forecasts import forecast_context
from .forms import AsOfForm, ReasonsPeriodForm
from .selectors import (
    Report,
    Scope,
    allocation_reasons,
    dashboard_from_snapshot,
    monthly_snapshots,
    organisation_report,
    report_from_snapshot,
    scope_team_ids,
)
from .services import live_figures_request, live_figures_working_since

# The figures shown as columns when services or teams are compared side by side, in groups under
# a shared heading, each with the short heading it has there (soft hyphens where a word may
# break; the full label is its title); the download carries every figure.
COLUMN_GROUPS = (
    (
        "Cases per FTE",
        (
            ("caseload_per_fte", "DfE method"),
            ("practitioner_caseload_per_fte", "Practi\u00adtioners"),
            ("all_staff_caseload_per_fte", "All case holders"),
            ("caseload_per_fte_incl_unallocated", "With un\u00adallocated"),
            ("vacancy_adjusted_caseload_per_fte", "Vacancy-adjusted"),
            (
                "vacancy_adjusted_incl_unallocated_per_fte",
                "Vacancy-adjusted, with un\u00adallocated",
            ),
        ),
    ),
    (
        "Caseloads held",
        (
            ("median_caseload", "Median"),
            ("max_caseload", "Highest"),
            ("share_20_plus", "20 or more"),
            ("share_25_plus", "25 or more"),
        ),
    ),
    (
        "Workers above",
        (("share_above_promise", "Promise"), ("share_above_bandwidth", "Bandwidth")),
    ),
    (
        "Staff and waiting work",
        (
            ("fte_needed", "FTE needed"),
            ("cases_unallocated", "Un\u00adallocated cases"),
            ("overdue_visits", "Visits overdue"),
            ("supervision_overdue", "Super\u00advision overdue"),
            ("workers", "Workers"),
        ),
    ),
)
COLUMNS = tuple(field for _, columns in COLUMN_GROUPS for field, _ in columns)
HEADLINES = ("caseload_per_fte", "share_above_promise", "cases_unallocated", "fte_needed")
TRENDS = (
    ("caseload_per_fte", False),
    ("share_above_promise", True),
    ("cases_unallocated", False),
)
MARKS = ((20, "20 cases"), (25, "25 cases"))
CHILDREN_PER_PAGE = 25  # services or teams side by side on one page
TABLES = ("figures", "compare", "members", "trend", "distribution")


# --- Building blocks ---------------------------------------------------------------------------


def _as_of(request) -> tuple[AsOfForm, date]:
    form = AsOfForm(request.GET or None)
    return form, form.date()


def _figure_rows(scope: Scope) -> list[dict]:
    return [
        {"field": name, "label": F.LABELS[name][0], "kind": F.LABELS[name][1], "value": value}
        for name, value in scope.figures.items()
    ]


def _headlines(scope: Scope) -> list[dict]:
    """The four figures at the top. Where nobody social-work qualified holds cases (an adult
    caseworker programme, say) the DfE figure is empty, so all case holders' figure leads."""
    fields = list(HEADLINES)
    if scope.figures["caseload_per_fte"] is None:
        fields[0] = "all_staff_caseload_per_fte"
    rows = {row["field"]: row for row in _figure_rows(scope)}
    return [rows[name] for name in fields]


@dataclass
class Listing:
    """The services or teams side by side: the name filter (?q=), the figure sorted by
    (?sort=field or -field, highest first) and the page shown (?page=), with how many there
    are before filtering."""

    query: str
    sort: str
    page: Page | None = None
    total: int = 0

    @classmethod
    def asked(cls, request) -> "Listing":
        sort = request.GET.get("sort", "")
        return cls(
            query=request.GET.get("q", "").strip(),
            sort=sort if sort.lstrip("-") in COLUMNS else "",
        )

    def of(self, rows: list[Scope], number) -> "Listing":
        """This listing of rows worked out live: filtered, sorted (as the snapshot's rows are
        by `selectors.dashboard_from_snapshot`) and cut to the page."""
        listed = _sorted(rows, self.query, self.sort)
        page = Paginator(listed, CHILDREN_PER_PAGE).get_page(number)
        return replace(self, page=page, total=len(rows))


def _sorted(rows: list[Scope], query: str, sort: str) -> list[Scope]:
    """Rows whose name contains `query`, sorted by a figure (`sort` is field or -field); rows
    without the figure last, then in the order given (by name)."""
    if query:
        rows = [row for row in rows if query.lower() in row.name.lower()]
    field = sort.lstrip("-")
    if field not in COLUMNS:
        return rows
    present = [row for row in rows if row.figures[field] is not None]
    missing = [row for row in rows if row.figures[field] is None]
    present.sort(key=lambda row: row.figures[field], reverse=sort.startswith("-"))
    return present + missing


def _headers(sort: str) -> list[dict]:
    """Column groups, each with its columns' headers and the link that sorts by each
    (descending first, then ascending)."""
    descending = sort.startswith("-")
    groups = []
    for group, columns in COLUMN_GROUPS:
        headers = []
        for name, short in columns:
            current = sort.lstrip("-") == name
            headers.append(
                {
                    "field": name,
                    "label": F.LABELS[name][0],
                    "short": short,
                    "kind": F.LABELS[name][1],
                    "sorted": ("descending" if descending else "ascending") if current else "",
                    "next": name if current and descending else f"-{name}",
                }
            )
        groups.append({"label": group, "headers": headers})
    return groups


def _trend(scope_key: str, on: date, today_scope: Scope) -> list[dict]:
    """Month by month over the last twelve months from the daily snapshots: the last snapshot
    in each month, and the date asked for from the live figures."""
    points = [
        {"on": taken_on, "figures": figures}
        for taken_on, figures in monthly_snapshots(scope_key, on)
        if (taken_on.year, taken_on.month) != (on.year, on.month)
    ]
    points.append({"on": on, "figures": F.as_plain(today_scope.figures)})
    return points


def _trend_charts(chart_prefix: str, trend: list[dict]) -> list[dict]:
    return [
        {
            "field": field,
            "label": F.LABELS[field][0],
            "svg": charts.line_chart(
                f"{chart_prefix}-{field}",
                [(p["on"].strftime("%b %Y"), p["figures"].get(field)) for p in trend],
                title=f"{F.LABELS[field][0]}, last 12 months",
                percent=percent,
            ),
        }
        for field, percent in TRENDS
    ]


def _distribution(chart_id: str, scope: Scope) -> dict:
    """The distribution chart and table: from the bins the snapshot recorded, or the counts."""
    bins = scope.bins if scope.bins is not None else F.distribution(scope.counts)
    return {
        "bins": bins,
        "svg": charts.bar_chart(
            chart_id, bins, title="Case holders by open cases held", marks=MARKS
        ),
        "holders": sum(holders for _, holders in bins),
    }


def _scope_team_ids(report: Report, scope: Scope) -> list[int]:
    if scope.scope == "team":
        return [scope.pk]
    if scope.scope == "service":
        return [t.pk for t in report.teams if t.team is not None and t.team.service_id == scope.pk]
    return [t.pk for t in report.teams]


def _checkins(report: Report, scope: Scope, trend: list[dict]) -> dict:
    """ "Is my caseload manageable?" month by month (one query), beside the share measured
    above bandwidth in the same month (from the trend)."""
    above = {
        (p["on"].year, p["on"].month): p["figures"].get("share_above_bandwidth") for p in trend
    }
    shares = scope.checkins
    if shares is None and report.taken_at is None:  # worked out live: the report has the teams
        shares = monthly_shares(_scope_team_ids(report, scope), report.on)
    elif shares is None:  # a snapshot taken before it recorded them, or a page of its teams
        shares = monthly_shares(scope_team_ids(report.organisation, scope), report.on)
    return {
        "shares": [(row, above.get((row.month.year, row.month.month))) for row in shares],
        "trend_above": True,
        "svg": charts.line_chart(
            f"checkins-{scope.scope}",
            [(row.month.strftime("%b %Y"), row.share_unmanageable) for row in shares],
            title="Workers answering who say their caseload is unmanageable, last 12 months",
            percent=True,
        ),
    }


def _cells(child: Scope, columns: list[tuple[str, str, str]]) -> str:
    """A row's figures as table cells, built here rather than a filter at a time in the
    template (a page of teams is 525 cells). `columns`: (field, kind, escaped label)."""
    figures = child.figures
    return mark_safe(  # noqa: S308 - every part is escaped: the labels before, the values here
        "".join(
            f'<td class="num" data-label="{label}">{_shown(figures.get(field), kind)}</td>'
            for field, kind, label in columns
        )
    )


def _shown(value, kind: str) -> str:
    text = F.shown(value, kind)
    return F.NO_FIGURE_HTML if text is None else escape(text)


def _page_query(request) -> str:
    """The page's query string without `page`, for the links to the other pages."""
    query = request.GET.copy()
    query.pop("page", None)
    query.pop("live", None)
    return query.urlencode()


def _page(
    request,
    report: Report,
    scope: Scope,
    *,
    children: list[Scope],
    kind: str,
    listing: Listing | None = None,
) -> dict:
    listing = listing or Listing(query="", sort="", total=len(children))
    sort, query = listing.sort, listing.query
    groups = _headers(sort)
    headers = [header for group in groups for header in group["headers"]]
    columns = [(h["field"], h["kind"], escape(h["label"])) for h in headers]
    trend = _trend(f"{scope.scope}:{scope.pk}", report.on, scope)
    return {
        "checkins": _checkins(report, scope, trend),
        "report": report,
        "scope": scope,
        "figure_rows": _figure_rows(scope),
        "headlines": _headlines(scope),
        "children": children,
        "child_rows": [(child, _cells(child, columns)) for child in children],
        "children_total": listing.total,
        "page": listing.page,
        "page_query": _page_query(request),
        "child_kind": kind,
        "header_groups": groups,
        "headers": headers,
        "sort": sort,
        "query": query,
        "trend": trend,
        "trend_fields": [(f, F.LABELS[f][0], F.LABELS[f][1]) for f, _ in TRENDS],
        "trend_charts": _trend_charts(f"trend-{scope.scope}", trend),
        "distribution": _distribution(f"distribution-{scope.scope}", scope),
        "refresh_minutes": settings.RECOMPUTE_EVERY_MINUTES,
        "working_since": live_figures_working_since(report.organisation.pk)
        if settings.DASHBOARD_SNAPSHOT_MAX_AGE_MINUTES
        else None,
    }


def _asked_live(request, organisation) -> HttpResponse | None:
    """`?live=1` where a schedule keeps snapshots: work the figures out in the background
    (seconds at national size: never in the request), then show the page without `live`, which
    says the figures are being worked out and refreshes itself until they are."""
    if request.GET.get("live") != "1" or not settings.DASHBOARD_SNAPSHOT_MAX_AGE_MINUTES:
        return None
    live_figures_request(organisation.pk)
    query = request.GET.copy()
    query.pop("live")
    return redirect(f"{request.path}?{query.urlencode()}" if query else request.path)


def _snapshot_age(request, on: date) -> timedelta | None:
    """How old today's snapshot may be to be read instead of working the figures out (the
    whole organisation's take seconds at national size); None for `?live=1`, a past date or
    where no schedule keeps snapshots."""
    minutes = settings.DASHBOARD_SNAPSHOT_MAX_AGE_MINUTES
    if minutes and on == timezone.localdate() and request.GET.get("live") != "1":
        return timedelta(minutes=minutes)
    return None


def _report(request, organisation, on: date, *, service=None) -> Report:
    """An organisation's or a service's figures, every row: today's from the snapshot the
    schedule takes every few minutes when it is recent, else worked out now."""
    if max_age := _snapshot_age(request, on):
        report = report_from_snapshot(organisation, service=service, max_age=max_age)
        if report is not None:
            return report
    return organisation_report(organisation, on, service=service)


def _dashboard(request, organisation, on: date, *, service=None) -> tuple[Report, Listing]:
    """A dashboard's figures and one page of its services or teams side by side. From today's
    snapshot only that page's rows are read (the same for 25 teams or 2,500)."""
    listing = Listing.asked(request)
    number = request.GET.get("page")
    if max_age := _snapshot_age(request, on):
        found = dashboard_from_snapshot(
            organisation,
            service=service,
            max_age=max_age,
            query=listing.query,
            sort=listing.sort,
            page=number,
            per_page=CHILDREN_PER_PAGE,
        )
        if found is not None:
            return found.report, replace(listing, page=found.page, total=found.total)
    report = organisation_report(organisation, on, service=service)
    return report, listing.of(report.teams if service else report.services, number)


def _organisation(request):
    organisation = request.user.organisation
    if organisation is None:
        raise Http404("No organisation")
    return organisation


def _service_for(request, pk: int) -> Service:
    """A service of the user's organisation that has teams: one without any has no figures
    (its dashboard, forecast and export are "not found", never an error)."""
    return get_object_or_404(
        Service.objects.select_related("organisation").filter(teams__isnull=False).distinct(),
        pk=pk,
        organisation=_organisation(request),
    )


def _team_for(request, pk: int) -> Team:
    return get_object_or_404(
        Team.objects.visible_to(request.user).select_related("service__organisation"), pk=pk
    )


# --- Pages -------------------------------------------------------------------------------------


@require_GET
@role_required(*MANAGERS_AND_ABOVE)
def dashboard(request) -> HttpResponse:
    """Each role's dashboard: the organisation for directors, the team for a manager of one
    team, the list of their teams for a manager of several."""
    if request.user.sees_whole_organisation:
        return redirect("dashboard_organisation")
    teams = list(Team.objects.managed_by(request.user).select_related("service"))
    if len(teams) == 1:
        return redirect("dashboard_team", teams[0].pk)
    return render(request, "reports/dashboard_teams.html", {"teams": teams})


@require_GET
@role_required(*DIRECTORS_AND_ADMINS)
def dashboard_organisation(request) -> HttpResponse:
    """The director's dashboard: every figure, the services side by side, trends and the
    distribution."""
    form, on = _as_of(request)
    if asked := _asked_live(request, _organisation(request)):
        return asked
    report, listing = _dashboard(request, _organisation(request), on)
    context = _page(
        request,
        report,
        report.organisation_scope,
        children=list(listing.page or []),
        kind="service",
        listing=listing,
    )
    return render(request, "reports/dashboard.html", {**context, "form": form})


@require_GET
@role_required(*DIRECTORS_AND_ADMINS)
def dashboard_service(request, pk: int) -> HttpResponse:
    """One service: its figures and its teams side by side."""
    service = _service_for(request, pk)
    form, on = _as_of(request)
    if asked := _asked_live(request, service.organisation):
        return asked
    report, listing = _dashboard(request, service.organisation, on, service=service)
    scope = report.service(service.pk)
    context = _page(
        request, report, scope, children=list(listing.page or []), kind="team", listing=listing
    )
    return render(request, "reports/dashboard.html", {**context, "form": form})


def _open_flags(team: Team) -> Counter:
    """The team's open flags counted by worker (None: flags about no one worker). One query."""
    return Counter(
        dict(Flag.objects.open().filter(team=team).values_list("worker_id").annotate(n=Count("pk")))
    )


def _members(report: Report, team: Team, flags: Counter) -> list[dict]:
    """The team's members in post with cases against promise, points against bandwidth and
    their open flags (`_open_flags`)."""
    members = []
    for staff in report.staff:
        if staff.team_id != team.pk or staff.load is None:
            continue
        worker, load = report.workers[staff.worker_id], staff.load
        members.append(
            {
                "worker": worker,
                "role": WorkerRole(worker.role).label,
                "fte": worker.fte,
                "open_cases": load.open_cases,
                "promise": load.promise,
                "above_promise": load.above_promise,
                "weighted_load": load.weighted_load,
                "capacity": load.capacity,
                "status": load.status,
                "above_bandwidth": load.status is scoring.BandwidthStatus.ABOVE,
                "headroom": load.headroom,
                "open_flags": flags.get(worker.pk, 0),
                "checkin": staff.checkin and Manageability(staff.checkin),
                "supervision_overdue": staff.supervision_overdue,
            }
        )
    members.sort(key=lambda m: (not m["above_promise"], -m["open_cases"], m["worker"].name))
    return members


@require_GET
@role_required(*MANAGERS_AND_ABOVE)
def dashboard_team(request, pk: int) -> HttpResponse:
    """The manager's dashboard: members against promise and bandwidth, flags, queue and
    overdue visits, and the team's headroom and FTE needed."""
    team = _team_for(request, pk)
    form, on = _as_of(request)
    report = organisation_report(team.service.organisation, on, team=team)
    scope = report.team(team.pk)
    context = _page(request, report, scope, children=[], kind="")
    queue = team.cases.in_queue().count()
    flags = _open_flags(team)
    headroom = scope.figures["capacity"] - scope.figures["weighted_load"]
    period = ReasonsPeriodForm(request.GET or None)
    since, until = period.period(timezone.localdate())
    if not period.is_bound:  # show the default period in the fields
        period = ReasonsPeriodForm(initial={"reasons_from": since, "reasons_to": until})
    return render(
        request,
        "reports/dashboard_team.html",
        {
            **context,
            "form": form,
            "team": team,
            "members": _members(report, team, flags),
            "queue_size": queue,
            "open_flags": flags.total(),
            "headroom": headroom,
            "period": period,
            "reasons": allocation_reasons(team, since=since, until=until),
        },
    )


@require_GET
@role_required(*DIRECTORS_AND_ADMINS)
def evidence_pack(request, pk: int) -> HttpResponse:
    """A printable page per service: the figures, the trend, the distribution and the FTE
    needed, with each team."""
    service = _service_for(request, pk)
    form, on = _as_of(request)
    if asked := _asked_live(request, service.organisation):
        return asked
    report = _report(request, service.organisation, on, service=service)
    scope = report.service(service.pk)
    context = _page(request, report, scope, children=report.teams, kind="team")
    context |= forecast_context(request, ForecastScope(service.organisation, service))
    audit_record(
        request=request,
        action=AuditAction.PRINT if request.GET.get("print") == "1" else AuditAction.VIEW,
        detail=f"evidence pack: service {service.pk} on {on.isoformat()}",
    )
    return render(request, "reports/evidence_pack.html", {**context, "form": form})


# --- Forecasts ---------------------------------------------------------------------------------


def _forecast(request, scope: ForecastScope) -> HttpResponse:
    return render(request, "reports/forecast.html", forecast_context(request, scope))


@require_GET
@role_required(*DIRECTORS_AND_ADMINS)
def forecast_organisation(request) -> HttpResponse:
    """The organisation's forecast."""
    return _forecast(request, ForecastScope(_organisation(request)))


@require_GET
@role_required(*DIRECTORS_AND_ADMINS)
def forecast_service(request, pk: int) -> HttpResponse:
    """A service's forecast."""
    service = _service_for(request, pk)
    return _forecast(request, ForecastScope(service.organisation, service))


@require_GET
@role_required(*MANAGERS_AND_ABOVE)
def forecast_team(request, pk: int) -> HttpResponse:
    """A team's forecast, for its managers and directors."""
    team = _team_for(request, pk)
    return _forecast(request, ForecastScope(team.service.organisation, team.service, team))


# --- Downloads ---------------------------------------------------------------------------------


MEMBER_COLUMNS = [
    Column("worker", "Worker"),
    Column("role", "Role"),
    Column("fte", "FTE", "fte"),
    Column("open_cases", "Open cases", "count"),
    Column("promise", "Caseload promise", "count"),
    Column("above_promise", "Above promise", "yes_no"),
    Column("weighted_load", "Weighted load (points)", "count"),
    Column("capacity", "Capacity (points)", "fte"),
    Column("bandwidth_status", "Against bandwidth"),
    Column("open_flags", "Open flags", "count"),
]


def _table(report: Report, scope: Scope, table: str, fmt: str, *, children, team) -> Table:
    """The table asked for, with its columns and rows (the figures of one scope are a figure
    per row in the XLSX, one wide row in the CSV)."""
    columns: list[Column]
    if table == "figures" and fmt == "xlsx":
        columns, rows = exports.FIGURE_ROW_COLUMNS, exports.figure_rows(scope.figures)
    elif table == "figures":
        columns = [*exports.SCOPE_COLUMNS, *exports.figure_columns()]
        rows = [[scope.scope, scope.name, *(scope.figures[f] for f in F.FIELDS)]]
    elif table == "compare":
        if team is not None:
            raise Http404("A team has no services or teams below it")
        columns = [*exports.SCOPE_COLUMNS, *exports.figure_columns()]
        rows = [[c.scope, c.name, *(c.figures[f] for f in F.FIELDS)] for c in children]
    elif table == "members":
        if team is None:
            raise Http404("Members are listed on a team's dashboard")
        columns = MEMBER_COLUMNS
        rows = [
            [m["worker"].name, m["role"], m["fte"], m["open_cases"], m["promise"],
             m["above_promise"], m["weighted_load"], m["capacity"], str(m["status"]),
             m["open_flags"]]
            for m in _members(report, team, _open_flags(team))
        ]  # fmt: skip
    elif table == "trend":
        columns = [Column("date", "Date", "date"), *exports.figure_columns()]
        rows = [
            [p["on"], *(p["figures"].get(f) for f in F.FIELDS)]
            for p in _trend(f"{scope.scope}:{scope.pk}", report.on, scope)
        ]
    else:
        columns = [
            Column("open_cases", "Open cases held"),
            Column("case_holders", "Case holders", "count"),
        ]
        rows = [list(pair) for pair in F.distribution(scope.counts)]
    place = scope.name if scope.scope == "organisation" else f"{scope.name}, {report.organisation}"
    return Table(
        title=f"{exports.TITLES[table]}: {scope.name}",
        scope=f"{place} ({scope.scope})",
        on=report.on,
        columns=columns,
        rows=rows,
        notes=exports.notes() if table in ("figures", "compare", "trend") else (),
        sheet_name=exports.TITLES[table],
    )


def _export(request, report: Report, scope: Scope, *, children: list[Scope], team=None):
    table, fmt = request.GET.get("table", ""), request.GET.get("format", "")
    if table not in TABLES or fmt not in exports.FORMATS:
        raise Http404("Unknown table or format")
    stem = f"{scope.scope}-{scope.pk}-{table}-{report.on.isoformat()}"
    sheet = _table(report, scope, table, fmt, children=children, team=team)
    audit_record(
        request=request,
        action=AuditAction.EXPORT,
        detail=f"dashboard table {table} ({fmt}) for {scope.scope} {scope.pk}",
    )
    return exports.download(sheet, filename=stem, fmt=fmt)


@require_GET
@role_required(*DIRECTORS_AND_ADMINS)
def dashboard_organisation_export(request) -> HttpResponse:
    _, on = _as_of(request)
    report = _report(request, _organisation(request), on)
    return _export(request, report, report.organisation_scope, children=report.services)


@require_GET
@role_required(*DIRECTORS_AND_ADMINS)
def dashboard_service_export(request, pk: int) -> HttpResponse:
    service = _service_for(request, pk)
    _, on = _as_of(request)
    report = _report(request, service.organisation, on, service=service)
    return _export(request, report, report.service(service.pk), children=report.teams)


@require_GET
@role_required(*MANAGERS_AND_ABOVE)
def dashboard_team_export(request, pk: int) -> HttpResponse:
    team = _team_for(request, pk)
    _, on = _as_of(request)
    report = organisation_report(team.service.organisation, on, team=team)
    return _export(request, report, report.team(team.pk), children=[], team=team)
