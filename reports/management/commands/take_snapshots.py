"""python manage.py take_snapshots [--months N]: today's snapshot of every scope and worker, and
with --months the last N month-ends from allocation history (for a new installation's trends).
Idempotent: a day taken again is replaced with the same figures."""

from django.core.management.base import BaseCommand, CommandError

from reports import services


class Command(BaseCommand):
    help = "Take today's snapshot; --months N also fills the last N month-ends from history."

    def add_arguments(self, parser):
        parser.add_argument("--months", type=int, default=0, help="Month-ends to fill (0-36).")

    def handle(self, *args, months, **options):
        if not 0 <= months <= 36:
            raise CommandError("--months: choose 0 to 36")
        if months:
            taken = services.snapshot_backfill(months=months)
            self.stdout.write(f"Took {taken['days']} days' snapshots ({taken['scopes']} scopes).")
        else:
            taken = services.snapshot_take()
            self.stdout.write(f"Took today's snapshot ({taken['scopes']} scopes).")
