"""Fill the database with a realistic, deterministic demo organisation."""

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from caseload.core import bulk
from caseload.demo import seed as demo
from caseload.flags.services import recompute_all
from reports.services import snapshot_backfill
from security.demo import demo_two_factor_enrol


class Command(BaseCommand):
    help = "Create demo data: --size small|council|national, --seed N. Prints the demo logins."

    def add_arguments(self, parser):
        parser.add_argument("--size", choices=sorted(demo.SIZES), default="small")
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument(
            "--if-empty", action="store_true", help="Do nothing if data is already there."
        )
        parser.add_argument(
            "--replace", action="store_true", help="Empty the database first (destroys data)."
        )
        parser.add_argument(
            "--trend-months",
            type=int,
            default=None,
            help="Month-end snapshots to take from allocation history for the dashboards' "
            "trends (default 12; 0 at national size).",
        )
        parser.add_argument(
            "--history-days",
            type=int,
            default=None,
            help="Daily snapshots to take from allocation history, for each worker's days above "
            "promise and bandwidth (default 90; 0 at national size).",
        )

    def handle(self, *args, size, seed, if_empty, replace, trend_months, history_days, **options):
        if demo.has_data():
            if replace:
                call_command("flush", interactive=False, verbosity=0)
            elif if_empty:
                self.stdout.write("Demo data is already there; leaving it as it is.")
                self._print_logins(demo.existing_logins())
                self._print_two_factor(demo_two_factor_enrol())
                return
            else:
                raise CommandError(
                    "The database already holds data. Use --replace to empty it first, "
                    "or --if-empty to keep it."
                )
        result = demo.seed(size=size, seed=seed)
        counts = ", ".join(f"{value:,} {name}" for name, value in result.counts.items())
        self.stdout.write(self.style.SUCCESS(f"Seeded {result.organisation} ({size}): {counts}."))
        national = size == "national"
        months = trend_months if trend_months is not None else (0 if national else 12)
        days = history_days if history_days is not None else (0 if national else 90)
        bulk.statistics_refresh()  # planner statistics for the rows just written
        # What the schedule would have done by now, so no page claims a state nobody computed.
        flags = recompute_all()
        self.stdout.write(f"Worked out the flags: {flags['open']:,} open.")
        taken = snapshot_backfill(months=months, days=days)
        self.stdout.write(
            f"Took {taken['days']} daily snapshots from allocation history "
            f"({days} days of workers' history, {months} month ends, today)."
        )
        self._print_logins(result.logins)
        self._print_two_factor(demo_two_factor_enrol())

    def _print_logins(self, logins):
        if not logins:
            return
        self.stdout.write(f"\nDemo logins (password for all: {settings.DEMO_PASSWORD}):")
        for login in logins:
            self.stdout.write(f"  {login.username:<12} {login.role:<14} {login.description}")
        self.stdout.write(
            "None of these is a superuser: admin works in Caseload's own pages. The Django "
            "admin (/admin/)\n  is for a platform operator, who sees every organisation: "
            "python manage.py createsuperuser"
        )

    def _print_two_factor(self, usernames):
        if not usernames:
            return
        self.stdout.write(
            f"\nTwo-step sign-in for {', '.join(usernames)}: add this key to an authenticator app"
            f" (TOTP, 6 digits, 30 s): {settings.DEMO_TOTP_SECRET}\n"
            "  or print the current code with: python manage.py demo_totp_code"
        )
