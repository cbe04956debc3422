"""Export an organisation in the import format (CSV folder, zip or XLSX workbook)."""

from django.core.management.base import BaseCommand, CommandError

from caseload.core.models import Organisation
from caseload.imports.exporter import FORMATS, export
from security.audit import audit_record
from security.choices import AuditAction


class Command(BaseCommand):
    help = "Write an organisation's teams, workers, people, cases and contacts to PATH."

    def add_arguments(self, parser):
        parser.add_argument("path")
        parser.add_argument(
            "--format",
            choices=FORMATS,
            default="csv",
            help="csv: a folder of CSV files (default); zip; xlsx: one workbook.",
        )
        parser.add_argument("--organisation", help="Needed when there is more than one.")

    def handle(self, *args, path, format, organisation, **options):
        orgs = (
            Organisation.objects.filter(name=organisation) if organisation else Organisation.objects
        )
        found = list(orgs.all()[:2])
        if len(found) != 1:
            raise CommandError("Say which organisation to export with --organisation NAME.")
        counts = export(found[0], path, format)
        audit_record(
            request=None,
            username="command line",
            action=AuditAction.EXPORT,
            obj=None,
            detail=f"export_caseload {found[0]} to {path}"[:300],
        )
        summary = ", ".join(f"{n} {sheet}" for sheet, n in counts.items())
        self.stdout.write(f"Exported {found[0]} to {path}: {summary}.")
