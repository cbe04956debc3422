"""Writes for security: subject access exports, retention reviews and session extension."""

import json
from datetime import date, timedelta
from typing import cast

from django.core import serializers
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone

from caseload.core.choices import CaseStatus
from caseload.core.models import Case, Organisation

from .audit import audit_record
from .choices import AuditAction, ReviewStatus
from .models import AuditEvent, RetentionReview, RetentionRule
from .retention import DEFAULT_RULES, Rule, latest_dates_past_retention, retain_until

# Relations never followed when gathering a person's data: the trail is added separately, and
# other people's records (e.g. siblings through a household) are theirs, not this person's.
_NOT_FOLLOWED = {"security.AuditEvent"}
_DEPTH = 3


def _rows(objects) -> list[dict]:
    return serializers.serialize("python", objects)


def _history(objects) -> list[dict]:
    rows = []
    for obj in objects:
        history = getattr(obj, "history", None)
        if history is None or not hasattr(history, "all"):
            continue
        for record in history.all().order_by("history_date"):
            fields = {
                f.attname: getattr(record, f.attname) for f in record.instance._meta.concrete_fields
            }
            rows.append(
                {
                    "model": obj._meta.label_lower,
                    "pk": obj.pk,
                    "history_date": record.history_date,
                    "history_type": record.get_history_type_display(),
                    "history_user_id": record.history_user_id,
                    "fields": fields,
                }
            )
    return rows


def _children(objects: list) -> dict[str, list]:
    """Rows that point at `objects` through a foreign key (one level), by model label."""
    if not objects:
        return {}
    model = type(objects[0])
    found: dict[str, list] = {}
    for relation in model._meta.related_objects:
        related = relation.related_model
        if relation.many_to_many or related._meta.label in _NOT_FOLLOWED:
            continue
        if related._meta.auto_created:
            continue
        rows = list(related._default_manager.filter(**{f"{relation.field.name}__in": objects}))
        if rows:
            found.setdefault(related._meta.label, []).extend(rows)
    return found


def subject_access_collect(*, participant) -> dict:
    """Everything Caseload holds on one person: their record, every record that hangs off it
    (cases, allocations, and whatever later features attach, found through foreign keys), the
    change history of each, and who has accessed them."""
    collected: dict[str, list] = {participant._meta.label: [participant]}
    frontier = dict(collected)
    for _ in range(_DEPTH):
        next_frontier: dict[str, list] = {}
        for objects in frontier.values():
            for label, rows in _children(objects).items():
                seen = {row.pk for row in collected.get(label, [])}
                new = [row for row in rows if row.pk not in seen]
                if new:
                    collected.setdefault(label, []).extend(new)
                    next_frontier.setdefault(label, []).extend(new)
        frontier = next_frontier
    trail = AuditEvent.objects.about_person(participant.pk).select_related("user")
    return {
        "person": participant.full_name,
        "reference": participant.reference,
        "household": participant.household.reference if participant.household_id else None,
        "records": {label: _rows(rows) for label, rows in collected.items()},
        "history": {label: _history(rows) for label, rows in collected.items()},
        "access_log": [
            {
                "at": event.at,
                "user": event.username,
                "name": event.user.get_full_name() if event.user else "",
                "role": event.role,
                "action": event.get_action_display(),
                "record": event.object_repr,
                "ip_address": event.ip_address,
            }
            for event in trail.order_by("at", "pk")
        ],
    }


@transaction.atomic
def subject_access_export(*, participant, request) -> bytes:
    """The subject access file (JSON) for one person; the export itself is audited."""
    data = subject_access_collect(participant=participant)
    event = audit_record(request=request, action=AuditAction.SUBJECT_ACCESS_EXPORT, obj=participant)
    data["exported_at"] = event.at
    data["exported_by"] = event.username
    return json.dumps(data, cls=DjangoJSONEncoder, indent=2, ensure_ascii=False).encode()


def retention_rule_for(*, organisation: Organisation, case_type: str) -> Rule:
    """The organisation's rule for a case type, or the default."""
    row = RetentionRule.objects.filter(organisation=organisation, case_type=case_type).first()
    if row is None:
        return DEFAULT_RULES[case_type]
    return Rule(row.keep_years_after_closure, row.keep_until_age, row.basis)


@transaction.atomic
def retention_review_scan(*, today=None, organisation: Organisation | None = None) -> int:
    """List closed cases past their retention date for review; deletes nothing. Safe to run
    twice at once: one open review per case is a database constraint. A case someone decided
    to keep is listed again a year after that decision. Returns how many new reviews."""
    today = today or timezone.localdate()
    kept_recently = RetentionReview.objects.filter(
        status=ReviewStatus.KEEP, decided_at__gte=timezone.now() - timedelta(days=365)
    ).values("case_id")
    open_before = RetentionReview.objects.filter(status=ReviewStatus.OPEN).count()
    for org in [organisation] if organisation else Organisation.objects.all():
        for case_type in DEFAULT_RULES:
            rule = retention_rule_for(organisation=org, case_type=case_type)
            closed_by, born_by = latest_dates_past_retention(rule=rule, today=today)
            cases = Case.objects.filter(
                team__service__organisation=org,
                case_type=case_type,
                status=CaseStatus.CLOSED,
                closed_on__lte=closed_by,
            ).exclude(
                pk__in=RetentionReview.objects.filter(
                    status__in=[ReviewStatus.OPEN, ReviewStatus.DISPOSE]
                ).values("case_id")
            )
            cases = cases.exclude(pk__in=kept_recently)
            if born_by is not None:
                cases = cases.filter(participant__date_of_birth__lte=born_by)
            reviews = [
                RetentionReview(
                    case=case,
                    organisation=org,
                    retain_until=retain_until(
                        rule=rule,
                        closed_on=cast(date, case.closed_on),  # closed: the database says so
                        date_of_birth=case.participant.date_of_birth,
                    ),
                    found_on=today,
                )
                for case in cases.select_related("participant").iterator(chunk_size=2000)
            ]
            RetentionReview.objects.bulk_create(reviews, ignore_conflicts=True)
    return RetentionReview.objects.filter(status=ReviewStatus.OPEN).count() - open_before


@transaction.atomic
def retention_review_decide(
    *, review: RetentionReview, status: str, note: str, by
) -> RetentionReview:
    """Record a person's decision on a retention review. Nothing is deleted here."""
    review.status = status
    review.note = note
    review.decided_by = by
    review.decided_at = timezone.now()
    review.full_clean()
    review.save()
    return review
