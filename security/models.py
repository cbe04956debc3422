"""The append-only access audit, signed-in sessions, retention rules and retention reviews."""

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import Q
from django.utils import timezone

from caseload.core.choices import AccessRole, CaseType

from .choices import AuditAction, ReviewStatus


class AuditTrailIsAppendOnly(PermissionDenied):
    """Raised when code tries to change or remove an audit row."""


class AuditEventQuerySet(models.QuerySet):
    """Audit rows can be read and added, never changed or removed in bulk."""

    def update(self, **kwargs):
        raise AuditTrailIsAppendOnly("Audit events cannot be changed.")

    def delete(self):
        raise AuditTrailIsAppendOnly("Audit events cannot be deleted.")

    def about(self, obj) -> "AuditEventQuerySet":
        """Events on one record (a case or a person)."""
        content_type = ContentType.objects.get_for_model(obj, for_concrete_model=True)
        return self.filter(content_type=content_type, object_id=obj.pk)

    def about_person(self, participant_id: int) -> "AuditEventQuerySet":
        """Events on a person or on any of their cases."""
        return self.filter(subject_id=participant_id)


class AuditEvent(models.Model):
    """Who did what to which record, when and from where. Append-only: the model refuses
    updates and deletes, and a database trigger refuses them too (see ADR 0005)."""

    at = models.DateTimeField(default=timezone.now, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    username = models.CharField(
        max_length=150, blank=True, default="", help_text="As typed, for failed sign-ins."
    )
    role = models.CharField(max_length=20, choices=AccessRole.choices, blank=True, default="")
    organisation_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    action = models.CharField(max_length=30, choices=AuditAction.choices)
    content_type = models.ForeignKey(
        ContentType, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # Plain ids, not foreign keys: the trail must outlive the record it describes.
    object_id = models.BigIntegerField(null=True, blank=True)
    object_repr = models.CharField(max_length=200, blank=True, default="")
    subject_id = models.BigIntegerField(
        null=True, blank=True, help_text="The person (participant) the record is about."
    )
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    path = models.CharField(max_length=500, blank=True, default="")
    detail = models.CharField(max_length=300, blank=True, default="")

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-pk"]
        indexes = [
            models.Index(fields=["content_type", "object_id", "at"]),
            models.Index(fields=["subject_id", "at"]),
            models.Index(fields=["user", "at"]),
            models.Index(fields=["action", "at"]),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.username} {self.get_action_display()}"

    def save(self, *args, **kwargs) -> None:
        if not self._state.adding or self.pk is not None:
            raise AuditTrailIsAppendOnly("Audit events cannot be changed.")
        kwargs["force_insert"] = True
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AuditTrailIsAppendOnly("Audit events cannot be deleted.")


class UserSession(models.Model):
    """A signed-in session, so that deactivating a user can end every session they hold."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="signed_in_sessions"
    )
    session_key = models.CharField(max_length=40, unique=True)
    signed_in_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.user} since {self.signed_in_at:%Y-%m-%d %H:%M}"


class RetentionRule(models.Model):
    """How long an organisation keeps a closed case of one type: until the later of a number
    of years after closure and the person's birthday at an age. Defaults in retention.py."""

    organisation = models.ForeignKey(
        "caseload.Organisation", on_delete=models.CASCADE, related_name="retention_rules"
    )
    case_type = models.CharField(max_length=20, choices=CaseType.choices)
    keep_years_after_closure = models.PositiveSmallIntegerField(
        default=0, help_text="Years to keep the record after the case closed."
    )
    keep_until_age = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        help_text="Keep until the person's birthday at this age (blank: not age-based).",
    )
    basis = models.CharField(
        max_length=300, blank=True, default="", help_text="The policy or law this follows."
    )

    class Meta:
        ordering = ["organisation", "case_type"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "case_type"], name="retention_rule_one_per_case_type"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_case_type_display()} ({self.organisation})"


class RetentionReview(models.Model):
    """A closed case past its retention date, listed for a person to decide on. Caseload never
    deletes it: the decision is recorded, and disposal happens under the council's procedure."""

    case = models.ForeignKey(
        "caseload.Case", on_delete=models.PROTECT, related_name="retention_reviews"
    )
    organisation = models.ForeignKey(
        "caseload.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    retain_until = models.DateField()
    found_on = models.DateField()
    status = models.CharField(
        max_length=10, choices=ReviewStatus.choices, default=ReviewStatus.OPEN
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    note = models.TextField(blank=True, default="")

    class Meta:
        ordering = ["retain_until", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["case"],
                condition=Q(status=ReviewStatus.OPEN),
                name="retention_review_one_open_per_case",
            )
        ]

    def __str__(self) -> str:
        return f"Retention review of {self.case}"


class TwoFactorRule(models.Model):
    """Whether users with an access role must sign in with a second factor. A role with no
    rule follows TWO_FACTOR_REQUIRED_ROLES (directors and administrators by default)."""

    role = models.CharField(max_length=20, choices=AccessRole.choices, unique=True)
    required = models.BooleanField(default=True)

    class Meta:
        ordering = ["role"]

    def __str__(self) -> str:
        needed = "required" if self.required else "not required"
        return f"Two-factor {needed} for {self.get_role_display()}"
