"""The filters a list takes in its query string (django-filter; the schema lists them)."""

import django_filters
from django import forms
from drf_spectacular.utils import extend_schema_field

from caseload.core.choices import CaseStatus, CaseType, Court, NeedLevel
from caseload.core.models import Case, Team

# The largest id a database holds (a 64-bit integer): a bigger one is refused as bad input.
MAX_ID = 2**63 - 1


@extend_schema_field({"type": "integer", "minimum": 1, "maximum": MAX_ID})
class IdFilter(django_filters.NumberFilter):
    """A record's id: a whole number from 1 to MAX_ID."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(*args, **kwargs)


class TeamFilter(django_filters.FilterSet):
    service = IdFilter(field_name="service_id", help_text="A service id.")
    name = django_filters.CharFilter(lookup_expr="icontains", help_text="Part of the name.")

    class Meta:
        model = Team
        fields = ["service", "name"]


class CaseFilter(django_filters.FilterSet):
    team = IdFilter(field_name="team_id", help_text="A team id.")
    status = django_filters.ChoiceFilter(choices=CaseStatus.choices)
    case_type = django_filters.ChoiceFilter(choices=CaseType.choices)
    need_level = django_filters.ChoiceFilter(choices=NeedLevel.choices)
    court = django_filters.ChoiceFilter(choices=Court.choices)
    reference = django_filters.CharFilter(help_text="The case's reference, exactly.")
    held_by = IdFilter(
        method="filter_held_by", help_text="Only cases this worker (an id) holds now."
    )
    opened_after = django_filters.DateFilter(field_name="opened_on", lookup_expr="gte")
    opened_before = django_filters.DateFilter(field_name="opened_on", lookup_expr="lte")

    class Meta:
        model = Case
        fields = ["team", "status", "case_type", "need_level", "court", "reference"]

    def filter_held_by(self, queryset, name, value):
        return queryset.filter(allocations__worker_id=value, allocations__ended_on__isnull=True)


class QueueFilter(django_filters.FilterSet):
    """Filters on a queue already ordered by priority (a list, so filtered in Python)."""

    need_level = django_filters.ChoiceFilter(choices=NeedLevel.choices)
    case_type = django_filters.ChoiceFilter(choices=CaseType.choices)

    class Meta:
        model = Case
        fields = ["need_level", "case_type"]
