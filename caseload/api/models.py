"""Per-user API tokens. Only a hash of each token is stored (django-rest-knox's digest), with
its first characters to find it by; the token itself is shown once, when it is made."""

from django.db import models
from knox.models import AbstractAuthToken
from knox.settings import CONSTANTS


class ApiToken(AbstractAuthToken):
    """A token a user made for one client (a council's system, a script), named by them so
    that they can tell which one to revoke. Revoking deletes it; the audit trail keeps that it
    was made and revoked."""

    # A number to name the row by (pages, forms); knox's digest stays unique but is not the key.
    id = models.BigAutoField(primary_key=True)
    digest = models.CharField(max_length=CONSTANTS.DIGEST_LENGTH, unique=True)
    name = models.CharField(max_length=100)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "API token"
        ordering = ["-created"]

    def __str__(self) -> str:
        return f"{self.name} ({self.token_key}…)"
