"""Audit receivers for sign-in events and account changes.

Sign-ins, failures and lock-outs arrive as Django's and django-axes' signals. Password, role and
active-flag changes are caught where the User row is saved, because accounts change through
several of Django's own views (the admin, password change and reset) that no service of ours
sits in front of; the receivers only record and end sessions, they make no business decision.
"""

from axes.signals import user_locked_out
from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db.models.signals import post_save, pre_save
from django.dispatch import receiver

from .audit import audit_record
from .choices import AuditAction
from .middleware import current_request
from .models import UserSession
from .sessions import session_start, sessions_end_for

User = get_user_model()
WATCHED = ("role", "is_active", "password", "is_superuser")


@receiver(user_logged_in)
def record_sign_in(sender, request, user, **kwargs):
    session_start(request.session)
    if not request.session.session_key:
        request.session.save()
    UserSession.objects.get_or_create(
        session_key=request.session.session_key, defaults={"user": user}
    )
    audit_record(request=request, action=AuditAction.SIGN_IN, user=user)


@receiver(user_logged_out)
def record_sign_out(sender, request, user, **kwargs):
    if request is None or user is None:
        return
    if request.session.session_key:
        UserSession.objects.filter(session_key=request.session.session_key).delete()
    expired = getattr(request, "security_session_expired", "")
    audit_record(
        request=request,
        action=AuditAction.SESSION_EXPIRED if expired else AuditAction.SIGN_OUT,
        user=user,
        detail=expired,
    )


@receiver(user_login_failed)
def record_failed_sign_in(sender, credentials, request=None, **kwargs):
    audit_record(
        request=request,
        action=AuditAction.SIGN_IN_FAILED,
        username=str(credentials.get("username", "")),
    )


@receiver(user_locked_out)
def record_lock_out(sender, request, username=None, ip_address=None, **kwargs):
    audit_record(request=request, action=AuditAction.LOCKED_OUT, username=username or "")


@receiver(pre_save, sender=User)
def remember_account_state(sender, instance, raw=False, update_fields=None, **kwargs):
    if raw or instance.pk is None:
        return
    if update_fields is not None and not set(WATCHED) & set(update_fields):
        return
    instance._security_previous = sender.objects.filter(pk=instance.pk).values(*WATCHED).first()


@receiver(post_save, sender=User)
def record_account_changes(sender, instance, created, raw=False, **kwargs):
    previous = instance.__dict__.pop("_security_previous", None)
    if raw or created or not previous:
        return
    request = current_request()
    actor = getattr(request, "user", None) if request is not None else None
    actor = actor if actor is not None and actor.is_authenticated else None

    def record(action, detail=""):
        audit_record(
            request=request,
            action=action,
            obj=instance,
            user=actor,
            username="" if actor else "system",
            detail=detail,
        )

    if previous["password"] != instance.password:
        record(AuditAction.PASSWORD_CHANGE)
    if previous["role"] != instance.role:
        record(AuditAction.ROLE_CHANGE, f"{previous['role']} → {instance.role}")
    if previous["is_superuser"] != instance.is_superuser:
        record(
            AuditAction.ROLE_CHANGE,
            f"superuser {previous['is_superuser']} → {instance.is_superuser}",
        )
    if previous["is_active"] and not instance.is_active:
        ended = sessions_end_for(user=instance)
        record(AuditAction.DEACTIVATED, f"{ended} session(s) ended")
