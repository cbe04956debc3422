"""What the API reads and writes, field by field. Reads are built from the rows the pages'
selectors return (loads, weights, holders attached); writes are checked here for shape and then
by the services the forms call, which own the rules.

Lists name people by their reference only; a person's name is on the case's own endpoint, which
is audited like the case page."""

from django.utils import timezone
from rest_framework import serializers

from caseload.core.choices import CaseStatus, CaseType, Court, NeedLevel, WorkerRole
from participants.choices import ContactType
from participants.models import MAX_MINUTES
from reports import figures as F
from weighting.scoring import BandwidthStatus

# --- People and teams --------------------------------------------------------------------------


class MeSerializer(serializers.Serializer):
    """The token's user: who they are, their role, and their worker record and teams."""

    username = serializers.CharField()
    role = serializers.CharField()
    organisation = serializers.IntegerField(source="organisation_id", allow_null=True)
    worker = serializers.IntegerField(allow_null=True, help_text="Their own worker id, if any.")
    teams = serializers.ListField(
        child=serializers.IntegerField(), help_text="The ids of the teams they may see."
    )


class ServiceRef(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class WorkerRef(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class TeamSerializer(serializers.Serializer):
    """A team with its staffing against establishment today."""

    id = serializers.IntegerField()
    name = serializers.CharField()
    reference = serializers.CharField()
    service = ServiceRef()
    establishment_fte = serializers.DecimalField(max_digits=None, decimal_places=2)
    headcount = serializers.IntegerField(help_text="Workers in post today.")
    fte_in_post = serializers.DecimalField(max_digits=None, decimal_places=2)
    agency_fte = serializers.DecimalField(max_digits=None, decimal_places=2)
    vacant_fte = serializers.DecimalField(
        max_digits=None, decimal_places=2, source="staffing.vacant"
    )


class LoadSerializer(serializers.Serializer):
    """A worker's load today: cases against their caseload promise, points against bandwidth."""

    open_cases = serializers.IntegerField()
    promise = serializers.IntegerField(help_text="The most cases they are asked to hold.")
    above_promise = serializers.BooleanField()
    weighted_load = serializers.IntegerField(help_text="The points of the cases they hold.")
    capacity = serializers.DecimalField(
        max_digits=None, decimal_places=2, help_text="The top of their bandwidth, for their FTE."
    )
    band_floor = serializers.DecimalField(max_digits=None, decimal_places=2)
    status = serializers.ChoiceField(
        choices=[s.value for s in BandwidthStatus], help_text="Against their bandwidth."
    )
    headroom = serializers.DecimalField(
        max_digits=None, decimal_places=2, help_text="Capacity less load; negative above band."
    )


class WorkerSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    role = serializers.ChoiceField(choices=WorkerRole.choices)
    team = serializers.IntegerField(source="team_id")
    fte = serializers.DecimalField(max_digits=3, decimal_places=2)
    experience = serializers.CharField()
    qualified = serializers.BooleanField()
    agency = serializers.BooleanField()


class MemberLoadSerializer(serializers.Serializer):
    """One member of a team with their load (a `weighting.loads.LoadRow`)."""

    worker = WorkerSerializer()
    standard = serializers.CharField(source="kind", help_text="Which bandwidth applies.")
    load = LoadSerializer()


class TeamBandwidthSerializer(serializers.Serializer):
    """The team's total capacity against its total load, and the FTE it would need."""

    capacity = serializers.DecimalField(max_digits=None, decimal_places=2)
    weighted_load = serializers.IntegerField()
    headroom = serializers.DecimalField(max_digits=None, decimal_places=2)
    fte_needed = serializers.DecimalField(max_digits=None, decimal_places=2)
    open_cases = serializers.IntegerField()
    above_bandwidth = serializers.IntegerField(help_text="Members above their bandwidth.")
    above_promise = serializers.IntegerField(help_text="Members above their promise.")
    workers = serializers.IntegerField()


class TeamLoadsSerializer(TeamSerializer):
    """A team with every member's load today and the team's bandwidth."""

    bandwidth = TeamBandwidthSerializer()
    members = MemberLoadSerializer(many=True)
    queue_size = serializers.IntegerField(help_text="Cases waiting for (re)allocation.")
    open_flags = serializers.IntegerField()


# --- Cases -------------------------------------------------------------------------------------


class WeightSerializer(serializers.Serializer):
    """A case's points today under the weighting scheme in force, and where its factors stand."""

    points = serializers.IntegerField(source="total")
    status = serializers.CharField(
        help_text="none (no factors yet), proposed (awaiting agreement), agreed or amended."
    )
    needs_review = serializers.BooleanField()
    stale = serializers.BooleanField(help_text="Agreed too long ago (ASSESSMENT_STALE_WEEKS).")


class FactorLineSerializer(serializers.Serializer):
    factor = serializers.CharField()
    option = serializers.CharField()
    factor_label = serializers.CharField()
    option_label = serializers.CharField()
    points = serializers.IntegerField()


class WeightDetailSerializer(WeightSerializer):
    scheme_version = serializers.IntegerField(source="scheme.version")
    lines = FactorLineSerializer(many=True, help_text="Why: each factor's option and points.")


class CaseSerializer(serializers.Serializer):
    """A case as lists show it: no names, the person by their reference."""

    id = serializers.IntegerField()
    reference = serializers.CharField()
    participant_reference = serializers.CharField(source="participant.reference")
    team = serializers.IntegerField(source="team_id")
    case_type = serializers.ChoiceField(choices=CaseType.choices)
    need_level = serializers.ChoiceField(choices=NeedLevel.choices)
    status = serializers.ChoiceField(choices=CaseStatus.choices)
    court = serializers.ChoiceField(choices=Court.choices)
    opened_on = serializers.DateField()
    closed_on = serializers.DateField(allow_null=True)
    needs_reallocation = serializers.BooleanField()
    holder = WorkerRef(source="current.worker", allow_null=True, default=None)
    weight = WeightSerializer()


class ParticipantSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    reference = serializers.CharField()
    given_name = serializers.CharField()
    family_name = serializers.CharField()


class CaseDetailSerializer(CaseSerializer):
    """One case, with the person's name and the why of its weight. Reading it is audited."""

    participant = ParticipantSerializer()
    waiting_since = serializers.DateField(allow_null=True)
    weight = WeightDetailSerializer()  # type: ignore[assignment]


class QueueCaseSerializer(CaseSerializer):
    """A case in a team's queue, highest priority first."""

    days_waiting = serializers.IntegerField()
    points = serializers.IntegerField(
        help_text="Its points, or an estimate from its type and court work before any factors."
    )


class CaseloadSerializer(serializers.Serializer):
    """A worker's load today and the cases they hold, each with its weight."""

    worker = WorkerSerializer()
    standard = serializers.CharField()
    load = LoadSerializer()
    cases = CaseSerializer(many=True)


# --- Figures and the scheme --------------------------------------------------------------------

_KIND_FIELD = {"count": serializers.IntegerField, "points": serializers.IntegerField}


def _figure_field(name: str) -> serializers.Field:
    label, kind = F.LABELS[name]
    field = _KIND_FIELD.get(kind, serializers.FloatField)
    return field(allow_null=True, help_text=f"{label} (docs/figures.md).")


FigureRowSerializer = type(
    "FigureRowSerializer",
    (serializers.Serializer,),
    {
        "__doc__": "One scope's figures on the date: the fields `caseload_report` prints.",
        "scope": serializers.ChoiceField(choices=["organisation", "service", "team"]),
        "scope_name": serializers.CharField(),
        "scope_id": serializers.IntegerField(),
        **{name: _figure_field(name) for name in F.FIELDS},
    },
)


class OptionSerializer(serializers.Serializer):
    code = serializers.CharField()
    label = serializers.CharField()
    points = serializers.IntegerField()


class FactorSerializer(serializers.Serializer):
    code = serializers.CharField()
    label = serializers.CharField()
    multiple = serializers.BooleanField(help_text="Any number of options, else exactly one.")
    options = OptionSerializer(many=True, source="options.all")


class SchemeSerializer(serializers.Serializer):
    """The weighting scheme in force: the factor and option codes a proposal uses."""

    version = serializers.IntegerField()
    in_force_from = serializers.DateField()
    factors = FactorSerializer(many=True, source="factor_list")


# --- Writes ------------------------------------------------------------------------------------


class ContactCreateSerializer(serializers.Serializer):
    """A contact or an attempt, as the contact form takes it."""

    occurred_at = serializers.DateTimeField(help_text="When; not in the future.")
    contact_type = serializers.ChoiceField(choices=ContactType.choices)
    seen = serializers.BooleanField(help_text="Was the person seen? false for an attempt.")
    seen_alone = serializers.BooleanField(
        required=False, allow_null=True, default=None, help_text="Children's cases only."
    )
    duration_minutes = serializers.IntegerField(min_value=0, max_value=MAX_MINUTES)
    travel_minutes = serializers.IntegerField(
        min_value=0, max_value=MAX_MINUTES, required=False, default=0
    )
    notes = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=10000, trim_whitespace=False
    )

    def validate_occurred_at(self, value):
        if value > timezone.now():
            raise serializers.ValidationError("A contact cannot be in the future.")
        return value


class ContactSerializer(serializers.Serializer):
    """A contact as logged (its notes are not sent back)."""

    id = serializers.IntegerField()
    case = serializers.IntegerField(source="case_id")
    occurred_at = serializers.DateTimeField()
    contact_type = serializers.ChoiceField(choices=ContactType.choices)
    seen = serializers.BooleanField()
    seen_alone = serializers.BooleanField(allow_null=True)
    duration_minutes = serializers.IntegerField()
    travel_minutes = serializers.IntegerField()
    worker = serializers.IntegerField(source="worker_id", allow_null=True)
    recorded_at = serializers.DateTimeField()


class ChoiceSerializer(serializers.Serializer):
    factor = serializers.CharField(max_length=50, help_text="A factor code from /api/scheme/.")
    option = serializers.CharField(max_length=50, help_text="One of that factor's option codes.")


class FactorsProposeSerializer(serializers.Serializer):
    """The case's factors as the worker judges them: one option for each single factor, any
    number for a multiple one (codes from /api/scheme/)."""

    choices = ChoiceSerializer(many=True, allow_empty=False)


class AssessmentSerializer(serializers.Serializer):
    """A proposal of a case's factors, and the case's weight with it."""

    id = serializers.IntegerField()
    case = serializers.IntegerField(source="case_id")
    status = serializers.CharField()
    proposed_at = serializers.DateTimeField()
    choices = ChoiceSerializer(many=True)
    weight = WeightSerializer()


class AlreadyDoneSerializer(serializers.Serializer):
    """The answer to a write sent again with the same Idempotency-Key: nothing new was made."""

    detail = serializers.CharField()
    url = serializers.CharField(help_text="The page of what the first request made.")
