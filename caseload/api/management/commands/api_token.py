"""python manage.py api_token USERNAME [--name NAME] | --list | --revoke KEY

Makes an API token for the user and prints it once (only its hash is kept); lists the user's
tokens; or revokes the one whose key starts with KEY (as the list and the tokens page show)."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from caseload.api import selectors, services
from caseload.core.models import User
from security.audit import audit_record
from security.choices import AuditAction


class Command(BaseCommand):
    help = "Make, list or revoke a user's API tokens."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--name", default="Command line", help="What the token is for.")
        parser.add_argument("--list", action="store_true", help="List the user's tokens.")
        parser.add_argument("--revoke", metavar="KEY", help="Revoke the token with this key.")

    def handle(self, *args, username, name, list, revoke, **options):
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"No user called {username!r}.")
        if list:
            for token in selectors.tokens_of(user):
                expires = f"{token.expiry:%Y-%m-%d}" if token.expiry else "never"
                self.stdout.write(f"{token.token_key}  {token.name}  (expires {expires})")
            return
        if revoke:
            self._revoke(user, revoke)
            return
        try:
            token, key = services.api_token_create(user=user, name=name, by=None)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        self._audit(user, AuditAction.API_TOKEN_CREATED, token)
        self.stdout.write(key)
        self.stderr.write(
            f"API token “{token.name}” made for {username}. It is shown only now: keep it safe."
        )

    def _revoke(self, user, key: str) -> None:
        found = list(selectors.tokens_of(user).filter(token_key__startswith=key)[:2])
        if len(found) != 1:
            raise CommandError(
                f"{'No' if not found else 'More than one'} token of {user.username} has a key "
                f"starting {key!r}: see --list."
            )
        services.api_token_revoke(token=found[0], by=None)
        self._audit(user, AuditAction.API_TOKEN_REVOKED, found[0])
        self.stdout.write(f"Revoked “{found[0].name}”.")

    def _audit(self, user, action: str, token) -> None:
        audit_record(
            request=None,
            user=user,
            action=action,
            detail=f"{token.name} ({token.token_key}) on the command line",
        )
