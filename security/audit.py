"""Record who looked at or changed a person's record, in the same request.

Call `audit_record(request=request, action=AuditAction.VIEW, obj=case)` in a view *before*
rendering personal data, and `action=AuditAction.EDIT` after a successful change. The row is
written straight to the database in the request: never through a background job, so nothing is
lost if Redis is down, and a page is not shown if its audit row cannot be written.
"""

from datetime import timedelta

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.http import HttpRequest
from django.utils import timezone

from caseload.core.choices import AccessRole

from .choices import AuditAction
from .models import AuditEvent


def client_ip(request: HttpRequest | None) -> str | None:
    """The client's address. Behind a proxy, AUDIT_PROXY_COUNT trusted proxies each add one
    address to X-Forwarded-For; the one just before them is the client's."""
    if request is None:
        return None
    proxies = getattr(settings, "AUDIT_PROXY_COUNT", 0)
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if proxies and forwarded:
        hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
        if len(hops) >= proxies:
            return hops[-proxies] or None
    return request.META.get("REMOTE_ADDR") or None


def subject_of(obj) -> int | None:
    """The person a record is about: the participant itself, or the record's participant."""
    if obj is None:
        return None
    if obj._meta.label == "participants.Participant":
        return obj.pk
    return getattr(obj, "participant_id", None)


def _role_of(user) -> str:
    if user is None or not user.is_authenticated:
        return ""
    return AccessRole.ADMINISTRATOR if user.is_superuser else user.role


def audit_record(
    *,
    request: HttpRequest | None,
    action: str,
    obj=None,
    user=None,
    username: str = "",
    detail: str = "",
) -> AuditEvent:
    """Append one audit row: the user (from the request unless given), their role, the time,
    the action, the record and the client's address. Returns the row."""
    if user is None and request is not None:
        user = getattr(request, "user", None)
    signed_in = user is not None and user.is_authenticated
    event = AuditEvent(
        user=user if signed_in else None,
        username=(user.get_username() if signed_in else username)[:150],
        role=_role_of(user),
        organisation_id=user.organisation_id if signed_in else None,
        action=action,
        ip_address=client_ip(request),
        path=(request.get_full_path() if request is not None else "")[:500],
        detail=detail[:300],
    )
    if obj is not None:
        event.content_type = ContentType.objects.get_for_model(obj, for_concrete_model=True)
        event.object_id = obj.pk
        event.object_repr = _reference(obj)[:200]
        event.subject_id = subject_of(obj)
    event.save()
    return event


def audit_view(request: HttpRequest, obj) -> AuditEvent:
    """Record that a page showed `obj`: a print when the page was opened to print (?print=1).
    One row per look: the same user opening the same page on the same record again within
    AUDIT_VIEW_WINDOW_SECONDS (a reload, a double request, the page shown again after a form
    error) is the look already recorded, which is returned."""
    action = AuditAction.PRINT if request.GET.get("print") == "1" else AuditAction.VIEW
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        recent = (
            AuditEvent.objects.filter(
                user=user,
                action=action,
                content_type=ContentType.objects.get_for_model(obj, for_concrete_model=True),
                object_id=obj.pk,
                path=request.get_full_path()[:500],
                at__gte=timezone.now() - timedelta(seconds=settings.AUDIT_VIEW_WINDOW_SECONDS),
            )
            .order_by("-at")
            .first()
        )
        if recent is not None:
            return recent
    return audit_record(request=request, action=action, obj=obj)


def _reference(obj) -> str:
    """A reference, never a name: the trail itself should hold as little personal data as
    it can."""
    if hasattr(obj, "get_username"):
        return f"User {obj.get_username()}"
    reference = getattr(obj, "reference", "")
    return f"{obj._meta.verbose_name.capitalize()} {reference or obj.pk}"
