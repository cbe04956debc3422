"""Choices for the audit trail, retention and two-factor policy."""

from django.db import models


class AuditAction(models.TextChoices):
    """What a user did. Record actions on people and cases, and account events."""

    VIEW = "view", "Viewed"
    PRINT = "print", "Printed"
    CREATE = "create", "Created"
    EDIT = "edit", "Changed"
    EXPORT = "export", "Exported"
    SEARCH = "search", "Searched people"
    SUBJECT_ACCESS_EXPORT = "subject_access_export", "Subject access export"
    SIGN_IN = "sign_in", "Signed in"
    SIGN_IN_FAILED = "sign_in_failed", "Sign-in failed"
    LOCKED_OUT = "locked_out", "Locked out"
    SIGN_OUT = "sign_out", "Signed out"
    SESSION_EXPIRED = "session_expired", "Session expired"
    PASSWORD_CHANGE = "password_change", "Password changed"
    ROLE_CHANGE = "role_change", "Role changed"
    DEACTIVATED = "deactivated", "Account deactivated"
    TWO_FACTOR_ENROLLED = "two_factor_enrolled", "Two-factor enrolled"
    TWO_FACTOR_FAILED = "two_factor_failed", "Two-factor code refused"
    API_TOKEN_CREATED = "api_token_created", "API token made"
    API_TOKEN_REVOKED = "api_token_revoked", "API token revoked"


RECORD_ACTIONS = (
    AuditAction.VIEW,
    AuditAction.PRINT,
    AuditAction.CREATE,
    AuditAction.EDIT,
    AuditAction.EXPORT,
    AuditAction.SUBJECT_ACCESS_EXPORT,
)


class ReviewStatus(models.TextChoices):
    """Where a retention review stands. Nothing is deleted by Caseload itself."""

    OPEN = "open", "Awaiting review"
    KEEP = "keep", "Keep for longer"
    DISPOSE = "dispose", "Agreed for disposal outside Caseload"
