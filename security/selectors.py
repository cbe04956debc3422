"""Read paths for the audit trail and retention reviews, scoped to the user."""

from django.contrib.contenttypes.models import ContentType
from django.db.models import Q, QuerySet

from caseload.core.models import Case

from .models import AuditEvent, RetentionReview


def access_log_for_case(case: Case) -> QuerySet[AuditEvent]:
    """Every audited event on a case, newest first. Load the case through visible_to first."""
    return AuditEvent.objects.about(case).select_related("user")


def access_log_for_person(user, participant) -> QuerySet[AuditEvent]:
    """Events on a person's record and on those of their cases the user may see."""
    case_type = ContentType.objects.get_for_model(Case)
    person_type = ContentType.objects.get_for_model(participant)
    visible_cases = Case.objects.visible_to(user).filter(participant=participant).values("pk")
    return (
        AuditEvent.objects.filter(
            Q(content_type=person_type, object_id=participant.pk)
            | Q(content_type=case_type, object_id__in=visible_cases)
        )
        .select_related("user")
        .order_by("-at", "-pk")
    )


def retention_reviews_for(user) -> QuerySet[RetentionReview]:
    """Retention reviews in the user's organisation."""
    return RetentionReview.objects.filter(organisation_id=user.organisation_id).select_related(
        "case__participant", "case__team", "decided_by"
    )
