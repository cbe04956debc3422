"""Check (dry run) or import a folder of CSV files, a zip of them or an XLSX workbook."""

import sys

from django.core.management.base import BaseCommand, CommandError

from caseload.core.models import Organisation
from caseload.imports.readers import SourceError
from caseload.imports.services import import_path
from weighting.services import reduction_types_install_defaults


class ProgressBar:
    """A light progress bar on stderr: one line per phase, redrawn in place."""

    def __init__(self, stream=None):
        self.stream = stream = stream or sys.stderr
        self.phase = None
        self.tty = stream.isatty()

    def __call__(self, phase: str, done: int, total: int) -> None:
        if phase != self.phase:
            if self.phase:
                self.stream.write("\n")
            self.phase = phase
        if total:
            filled = int(30 * done / total) if total else 0
            line = f"{phase:<24} [{'#' * filled}{'.' * (30 - filled)}] {done:,}/{total:,}"
        else:
            line = f"{phase:<24} {done:,} rows"
        self.stream.write(("\r" if self.tty else "") + line + ("" if self.tty else "\n"))
        self.stream.flush()

    def close(self) -> None:
        if self.phase:
            self.stream.write("\n")


class Command(BaseCommand):
    help = (
        "Check an import (dry run, the default) or write it with --commit. PATH is a folder of "
        "CSV files, a .zip of them or an .xlsx workbook (see docs/import-format.md). Exits 1 if "
        "there are problems."
    )

    def add_arguments(self, parser):
        parser.add_argument("path")
        parser.add_argument("--commit", action="store_true", help="Write everything or nothing.")
        parser.add_argument(
            "--organisation",
            help="The organisation to import into (created if new). May be left out when the "
            "database holds exactly one organisation.",
        )
        parser.add_argument("--quiet-progress", action="store_true", help="No progress bar.")

    def handle(self, *args, path, commit, organisation, quiet_progress, **options):
        org = self._organisation(organisation)
        bar = None if quiet_progress else ProgressBar()
        try:
            run, outcome = import_path(path=path, organisation=org, commit=commit, progress=bar)
        except SourceError as error:
            raise CommandError(str(error)) from None
        finally:
            if bar:
                bar.close()
        for warning in outcome.warnings:
            self.stdout.write(f"Warning: {warning}")
        for problem in outcome.problems:
            self.stdout.write(f"Problem: {problem}")
        self.stdout.write(f"{'Imported' if outcome.written else 'Would import'} into {org}:")
        for sheet, counts in outcome.counts.items():
            extra = "".join(
                f", {counts[k]} {k}" for k in ("reallocations", "assessments") if counts.get(k)
            )
            self.stdout.write(
                f"  {sheet}: {counts['create']} to create, {counts['update']} to update, "
                f"{counts['same']} unchanged{extra}"
            )
        if not outcome.ok:
            self.stdout.write(
                f"{outcome.problem_count} problem(s): nothing was written. (Import run {run.pk}.)"
            )
            sys.exit(1)
        if not commit:
            self.stdout.write("No problems. Run again with --commit to import.")

    def _organisation(self, name: str | None) -> Organisation:
        if name:
            organisation, made = Organisation.objects.get_or_create(name=name)
            if made:
                reduction_types_install_defaults(organisation=organisation)
            return organisation
        orgs = list(Organisation.objects.all()[:2])
        if len(orgs) != 1:
            raise CommandError("Say which organisation to import into with --organisation NAME.")
        return orgs[0]
