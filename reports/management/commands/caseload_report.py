"""python manage.py caseload_report [--organisation NAME] [--service NAME] [--team NAME]
[--as-of YYYY-MM-DD] --format csv|json

Prints the dashboards' figures: one row (CSV) or object (JSON list) per scope, with `scope`,
`scope_name` and the field names defined in docs/figures.md. `--as-of` uses allocation
history, so a past date gives that day's figures."""

import csv
import json
from collections.abc import Iterator
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
        write = self._json if options["format"] == "json" else self._csv
        write(self._rows(organisations, options))

    def _rows(self, organisations, options) -> Iterator[dict]:
        """Each scope's row, one organisation's report at a time (a national organisation's
        is 2,526 rows and its 25,000 workers behind them: not every organisation's at once)."""
        for organisation in organisations:
            service, team = service_and_team(organisation, options["service"], options["team"])
            report = organisation_report(organisation, options["as_of"], service=service, team=team)
            for scope in report.scopes(service=service, team=team):
                yield scope.row()
            del report

    def _json(self, rows: Iterator[dict]) -> None:
        """A JSON list, written a row at a time, laid out as `json.dumps(rows, indent=2)`."""
        out = self.stdout
        first = True
        for row in rows:
            out.write(("[\n" if first else ",\n") + _json_item(F.as_plain(row)), ending="")
            first = False
        out.write("[]" if first else "\n]")

    def _csv(self, rows: Iterator[dict]) -> None:
        header = ["scope", "scope_name", *F.FIELDS]
        writer = csv.DictWriter(self.stdout, fieldnames=header, lineterminator="\n")
        writer.writeheader()
        for row in rows:
            writer.writerow({k: "" if v is None else v for k, v in row.items()})


def _json_item(row: dict) -> str:
    """A row (names and plain values, nothing nested) as `json.dumps(rows, indent=2)` lays out
    an item of the list, each value encoded on its own: the indenting encoder is pure Python
    and took most of a second for a national organisation's 2,526 rows."""
    if not row:
        return "  {}"
    fields = ",\n".join(f"    {_encode(name)}: {_encode(value)}" for name, value in row.items())
    return "  {\n" + fields + "\n  }"


_encode = json.JSONEncoder(ensure_ascii=False).encode
