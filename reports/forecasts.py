"""The forecast block of a page: the next 12 weeks of cases, points, capacity and FTE needed
for the organisation, a service or a team, with the scenario asked for beside the baseline, the
chart and the assumptions. The forecast pages and the evidence pack show it."""

from datetime import timedelta

from caseload.core.choices import CaseType
from caseload.forecast import projection as P
from caseload.forecast.forms import WEEKS, ScenarioForm
from caseload.forecast.selectors import ForecastScope, band_tops, forecast_inputs

from . import charts


def _assumptions(inputs: P.Inputs) -> dict:
    """The numbers the projection rests on, said on the page."""
    horizon = inputs.start + timedelta(weeks=WEEKS)
    return {
        "cases": len(inputs.cases),
        "with_end": sum(c.expected_end is not None for c in inputs.cases),
        "ending": sum(
            c.expected_end is not None and c.expected_end < horizon for c in inputs.cases
        ),
        "arrivals": [
            (
                CaseType(a.case_type).label if a.case_type in CaseType.values else a.case_type,
                a.per_week,
                a.points,
            )
            for a in inputs.arrivals
        ],
        "per_week": sum((a.per_week for a in inputs.arrivals), P.ZERO),
        "leavers": sum(
            w.leaves_on is not None and inputs.start <= w.leaves_on < horizon
            for w in inputs.workers
        ),
        "starters": sum(
            w.starts_on is not None and inputs.start < w.starts_on < horizon for w in inputs.workers
        ),
        "reductions": sum(
            any(
                inputs.start < r.starts_on < horizon
                or (r.ends_on is not None and inputs.start <= r.ends_on < horizon)
                for r in w.reductions
            )
            for w in inputs.workers
        ),
    }


def forecast_context(request, scope: ForecastScope) -> dict:
    """The baseline, the scenario asked for in the query string, the chart and the
    assumptions."""
    form = ScenarioForm(request.GET or None)
    inputs = forecast_inputs(scope)
    baseline = P.project(inputs, weeks=WEEKS)
    scenario = form.scenario(band_tops(scope.organisation))
    alternative = P.project(inputs, weeks=WEEKS, scenario=scenario) if scenario else None
    series = [
        ("Points", "points", [w.points for w in baseline]),
        ("Capacity", "capacity", [w.capacity for w in baseline]),
    ]
    if alternative:
        series += [
            ("Scenario points", "scenario-points", [w.points for w in alternative]),
            ("Scenario capacity", "scenario-capacity", [w.capacity for w in alternative]),
        ]
    return {
        "forecast_scope": scope,
        "scenario_form": form,
        "scenario_text": form.describe() if scenario else "",
        "weeks": list(zip(baseline, alternative or [None] * len(baseline), strict=True)),
        "has_scenario": alternative is not None,
        "assumptions": _assumptions(inputs),
        "forecast_svg": charts.lines_chart(
            f"forecast-{scope.kind}",
            [w.week_start.strftime("%d %b") for w in baseline],
            series,
            title=f"{scope.name}: projected points against capacity, next {WEEKS} weeks",
        ),
    }
