"""python manage.py caseload_forecast [--organisation NAME] [--service NAME] [--team NAME]
[--weeks 12] --format csv|json

Prints the baseline forecast: one row per scope per week with `scope`, `scope_name`, `week`,
`week_start`, `cases`, `points`, `capacity` and `fte_needed` (docs/figures.md). Without
--service or --team: the organisation, each service and each team."""

import csv
import json

from django.core.management.base import BaseCommand, CommandError

from caseload.core.commands import organisations_named, service_and_team
from caseload.core.models import Team
from caseload.forecast import projection as P
from caseload.forecast.selectors import ForecastScope, forecast_inputs

HEADER = ["scope", "scope_name", "week", "week_start", "cases", "points", "capacity", "fte_needed"]


def _weeks(text: str) -> int:
    if not text.isdigit() or not 1 <= int(text) <= 52:
        raise CommandError(f"--weeks: {text!r} is not a number of weeks from 1 to 52")
    return int(text)


class Command(BaseCommand):
    help = "Print the next weeks' projected cases, points, capacity and FTE needed per scope."

    def add_arguments(self, parser):
        parser.add_argument("--organisation", help="Only this organisation (by name).")
        parser.add_argument("--service", help="Only this service (by name).")
        parser.add_argument("--team", help="Only this team (by name).")
        parser.add_argument("--weeks", type=_weeks, default=12, help="How many weeks (1-52).")
        parser.add_argument("--format", choices=["csv", "json"], default="csv")

    def handle(self, *args, **options):
        organisations = organisations_named(options["organisation"])
        rows = []
        for organisation in organisations:
            for scope in self._scopes(organisation, options):
                for week in P.project(forecast_inputs(scope), weeks=options["weeks"]):
                    rows.append(
                        {
                            "scope": scope.kind,
                            "scope_name": scope.name,
                            "week": week.week,
                            "week_start": week.week_start.isoformat(),
                            "cases": week.cases,
                            "points": week.points,
                            "capacity": week.capacity,
                            "fte_needed": week.fte_needed,
                        }
                    )
        self._print(rows, options["format"])

    def _scopes(self, organisation, options) -> list[ForecastScope]:
        service, team = service_and_team(organisation, options["service"], options["team"])
        if team is not None:
            return [ForecastScope(organisation, team.service, team)]
        if service is not None:
            return [ForecastScope(organisation, service)] + [
                ForecastScope(organisation, service, t) for t in service.teams.order_by("name")
            ]
        services = list(organisation.services.order_by("name"))
        teams = Team.objects.filter(service__organisation=organisation).select_related("service")
        return (
            [ForecastScope(organisation)]
            + [ForecastScope(organisation, s) for s in services]
            + [
                ForecastScope(organisation, t.service, t)
                for t in teams.order_by("service__name", "name")
            ]
        )

    def _print(self, rows: list[dict], fmt: str) -> None:
        if fmt == "json":
            plain = [
                {k: float(v) if hasattr(v, "as_tuple") else v for k, v in row.items()}
                for row in rows
            ]
            self.stdout.write(json.dumps(plain, indent=2, ensure_ascii=False))
            return
        writer = csv.DictWriter(self.stdout, fieldnames=HEADER, lineterminator="\n")
        writer.writeheader()
        for row in rows:
            writer.writerow({k: "" if v is None else v for k, v in row.items()})
