"""Print the two-factor code for the demo logins right now (demo only: refused with DEBUG off)."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from security.demo import demo_totp_code


class Command(BaseCommand):
    help = "Print the current two-factor code for the demo director and administrator."

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError("Only for the demo: DEBUG is off.")
        self.stdout.write(demo_totp_code())
