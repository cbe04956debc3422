"""python manage.py caseload_report [--organisation NAME] [--service NAME] [--team NAME]
[--as-of YYYY-MM-DD] --format csv|json

Prints the dashboards' figures: one row (CSV) or object (JSON list) per scope, with `scope`,
`scope_name` and the field names defined in docs/figures.md. `--as-of` uses allocation
history, so a past date gives that day's figures."""

import csv
import json
from datetime import date

from django.core.management.base import BaseCommand, CommandError

from caseload.core.commands import organisations_named, service_and_team
from reports import figures as F
from reports.selectors import organisation_report


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"--as-of: {text!r} is not a date like 2025-09-30") from None


class Command(BaseCommand):
    help = "Print caseload figures per scope (organisation, services, teams) as CSV or JSON."

    def add_arguments(self, parser):
        parser.add_argument("--organisation", help="Only this organisation (by name).")
        parser.add_argument("--service", help="Only this service and its teams (by name).")
        parser.add_argument("--team", help="Only this team (by name).")
        parser.add_argument("--as-of", type=_date, help="The date (YYYY-MM-DD); default today.")
        parser.add_argument("--format", choices=["csv", "json"], default="csv")

    def handle(self, *args, **options):
        organisations = organisations_named(options["organisation"])
        rows = []
        for organisation in organisations:
            service, team = service_and_team(organisation, options["service"], options["team"])
            report = organisation_report(organisation, options["as_of"], service=service, team=team)
            rows += [scope.row() for scope in report.scopes(service=service, team=team)]
        self._print(rows, options["format"])

    def _print(self, rows: list[dict], fmt: str) -> None:
        header = ["scope", "scope_name", *F.FIELDS]
        if fmt == "json":
            plain = [F.as_plain(row) for row in rows]
            self.stdout.write(json.dumps(plain, indent=2, ensure_ascii=False))
            return
        writer = csv.DictWriter(self.stdout, fieldnames=header, lineterminator="\n")
        writer.writeheader()
        for row in rows:
            writer.writerow({k: "" if v is None else v for k, v in row.items()})
