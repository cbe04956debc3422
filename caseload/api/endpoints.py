"""The API's endpoints. Thin, like the pages: rows from the same scoped selectors, writes
through the same services, the same role checks (`HasRole` with the pages' role tuples), and
reads of a person's record audited as the pages audit them.

They authenticate by token only (`Authorization: Token …`): the site's LoginRequiredMiddleware
would send a request without a session to the sign-in page, so each endpoint is marked
`login_not_required` (DRF does so too, since 3.15; we do not rely on it) and DRF refuses (401)
a request without a valid token instead. A browser's session is not accepted here, so signing
in to the pages never opens the API, and the pages' two-step sign-in and session limits are
untouched.
"""

import hashlib
from datetime import date

from django.contrib.auth.decorators import login_not_required, login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework import generics, serializers, status
from rest_framework.authentication import SessionAuthentication
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from caseload.allocation.selectors import team_queue
from caseload.casework.selectors import can_see_caseload, worker_caseload, worker_for_user
from caseload.core import once
from caseload.core.access import MANAGERS_AND_ABOVE
from caseload.core.choices import CaseType, NeedLevel
from caseload.core.selectors import case_for_user, current_allocations
from participants import services as contact_services
from participants.selectors import can_log_contact
from security.audit import audit_record, audit_view
from security.choices import AuditAction
from weighting import selectors as weighting
from weighting import services as weighting_services

from . import selectors
from . import serializers as s
from .authentication import ApiTokenAuthentication, HasRole
from .filters import MAX_ID, CaseFilter, QueueFilter, TeamFilter


class Endpoint(generics.GenericAPIView):
    """Token only, open to the roles in `roles` (None: every role), and not behind the pages'
    sign-in redirect."""

    authentication_classes = [ApiTokenAuthentication]
    permission_classes = [HasRole]
    roles: tuple | None = None

    @classmethod
    def as_view(cls, **initkwargs):
        return login_not_required(super().as_view(**initkwargs))


class ListEndpoint(Endpoint, generics.ListAPIView):
    """A paginated list: `get_queryset()` (the scoped rows, filtered by `filterset_class`),
    one page of it given what the page needs by `decorate`, then serialized."""

    def decorate(self, rows: list) -> list:
        return rows

    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        rows = self.decorate(list(page))
        return self.get_paginated_response(self.get_serializer(rows, many=True).data)


def _service_errors(
    error: ValidationError, field: str = "non_field_errors"
) -> serializers.ValidationError:
    """A service's ValidationError as a 400 naming the fields it names, else `field`."""
    if hasattr(error, "error_dict"):
        return serializers.ValidationError(
            {
                field: [m for e in errors for m in e.messages]
                for field, errors in error.error_dict.items()
            }
        )
    return serializers.ValidationError({field: error.messages})


# --- Who am I, and the scheme ------------------------------------------------------------------


class MeView(Endpoint):
    """The token's user: role, organisation, worker id and the teams they may see."""

    serializer_class = s.MeSerializer

    def get(self, request: Request) -> Response:
        return Response(s.MeSerializer(selectors.me(request.user)).data)


class SchemeView(Endpoint):
    """The weighting scheme in force for the user's organisation: the factor and option codes
    a proposal uses, and their points."""

    serializer_class = s.SchemeSerializer

    def get(self, request: Request) -> Response:
        if request.user.organisation_id is None:
            raise PermissionDenied("Your account belongs to no organisation.")
        scheme = weighting.scheme_in_force(request.user.organisation_id)
        return Response(s.SchemeSerializer(scheme).data)


# --- Teams -------------------------------------------------------------------------------------


class TeamListView(ListEndpoint):
    """The teams the user may see, with staffing against establishment (managers: the teams
    they manage; directors and administrators: their organisation's)."""

    roles = MANAGERS_AND_ABOVE
    serializer_class = s.TeamSerializer
    filterset_class = TeamFilter

    def get_queryset(self):
        return selectors.teams_for(self.request.user)

    def decorate(self, rows: list) -> list:
        return selectors.with_staffing(rows)


class TeamDetailView(Endpoint):
    """One team: every member's load today against promise and bandwidth, and the team's
    bandwidth (capacity, headroom, FTE needed)."""

    roles = MANAGERS_AND_ABOVE
    serializer_class = s.TeamLoadsSerializer

    def get(self, request: Request, pk: int) -> Response:
        team = selectors.team_loads_for(request.user, pk)
        return Response(s.TeamLoadsSerializer(team).data)


class TeamQueueView(ListEndpoint):
    """The team's cases waiting for allocation or needing reallocation, highest priority
    first."""

    roles = MANAGERS_AND_ABOVE
    serializer_class = s.QueueCaseSerializer
    # The queue is a list in priority order, not a queryset: QueueFilter checks the query and
    # the rows are filtered below; the schema's parameters are declared on `get`.
    filter_backends: list = []

    def get_queryset(self):
        team = get_object_or_404(selectors.teams_for(self.request.user), pk=self.kwargs["pk"])
        filters = QueueFilter(self.request.query_params)
        if not filters.is_valid():
            raise serializers.ValidationError(filters.errors)
        wanted = {k: v for k, v in filters.form.cleaned_data.items() if v}
        return [
            case
            for case in team_queue(team)
            if all(getattr(case, name) == value for name, value in wanted.items())
        ]

    @extend_schema(
        parameters=[
            OpenApiParameter("need_level", str, enum=NeedLevel.values),
            OpenApiParameter("case_type", str, enum=CaseType.values),
        ]
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


# --- Workers and cases -------------------------------------------------------------------------


class WorkerCaseloadView(Endpoint):
    """A worker's load today and the cases they hold, each with its weight. A caseworker may
    read only their own."""

    serializer_class = s.CaseloadSerializer

    def get(self, request: Request, pk: int) -> Response:
        worker = worker_for_user(request.user, pk)
        if not can_see_caseload(request.user, worker):
            raise PermissionDenied("A caseworker sees only their own caseload.")
        row, cases = worker_caseload(worker)
        holders = current_allocations([c.pk for c in cases])
        for case in cases:
            case.current = holders.get(case.pk)
        body = {"worker": worker, "standard": row.kind, "load": row.load, "cases": cases}
        return Response(s.CaseloadSerializer(body).data)


class CaseListView(ListEndpoint):
    """The cases the user may see, newest first, each with its weight and holder. People are
    named by reference only: a case's own endpoint has the name (and is audited)."""

    serializer_class = s.CaseSerializer
    filterset_class = CaseFilter

    def get_queryset(self):
        return selectors.cases_for(self.request.user)

    def decorate(self, rows: list) -> list:
        return selectors.with_weights(rows)


class CaseDetailView(Endpoint):
    """One case: the person, the holder and the weight with each factor's points. Audited as
    a view of the case, like the case page."""

    serializer_class = s.CaseDetailSerializer

    def get(self, request: Request, pk: int) -> Response:
        case = selectors.case_detail_for(request.user, pk)
        audit_view(request, case)
        return Response(s.CaseDetailSerializer(case).data)


# --- Writes ------------------------------------------------------------------------------------

IDEMPOTENCY_KEY = OpenApiParameter(
    "Idempotency-Key",
    str,
    location=OpenApiParameter.HEADER,
    required=False,
    description=(
        "Any string up to 200 characters, new for each write. Sent again (a retry after a "
        "timeout), the write is not made twice: the answer is 200 with where the first went."
    ),
)


def _once_token(request: Request) -> str:
    """The one-time token for this write: the client's Idempotency-Key, made the user's own
    (so two users' keys never meet), or "" when there is none."""
    key = request.headers.get("Idempotency-Key", "")
    if not key:
        return ""
    if len(key) > 200:
        raise serializers.ValidationError({"Idempotency-Key": ["At most 200 characters."]})
    return hashlib.sha256(f"api:{request.user.pk}:{key}".encode()).hexdigest()


def _done_already(first: once.Done) -> Response:
    body = {"detail": "This was done when the key was first sent; not twice.", "url": first.url}
    return Response(s.AlreadyDoneSerializer(body).data, status=status.HTTP_200_OK)


class ContactCreateView(Endpoint):
    """Log a contact or an attempt on a case: its holder, a caseworker in its team, or the
    team's manager (as the contact form)."""

    serializer_class = s.ContactCreateSerializer

    @extend_schema(
        request=s.ContactCreateSerializer,
        parameters=[IDEMPOTENCY_KEY],
        responses={201: s.ContactSerializer, 200: s.AlreadyDoneSerializer},
    )
    def post(self, request: Request, pk: int) -> Response:
        case = case_for_user(request.user, pk)
        if not can_log_contact(request.user, case):
            raise PermissionDenied("Only the team's caseworkers and managers log contacts.")
        token = _once_token(request)
        if token and (first := once.previous(request, token)) is not None:
            return _done_already(first)
        given = s.ContactCreateSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        try:
            done = once.submit(
                request,
                lambda: contact_services.contact_log(
                    case=case, by=request.user, **given.validated_data
                ),
                url=lambda contact: contact.get_absolute_url(),
                token=token,
            )
        except ValidationError as error:
            raise _service_errors(error) from None
        if done.repeated:
            return _done_already(done)
        contact = done.result
        audit_record(request=request, action=AuditAction.CREATE, obj=case, detail="contact")
        return Response(s.ContactSerializer(contact).data, status=status.HTTP_201_CREATED)


class FactorsProposeView(Endpoint):
    """Propose a case's factors (the holder, a caseworker in its team, or the team's manager);
    the supervisor agrees them on the case's page. Codes from /api/scheme/."""

    serializer_class = s.FactorsProposeSerializer

    @extend_schema(
        request=s.FactorsProposeSerializer,
        parameters=[IDEMPOTENCY_KEY],
        responses={201: s.AssessmentSerializer, 200: s.AlreadyDoneSerializer},
    )
    def post(self, request: Request, pk: int) -> Response:
        case = case_for_user(request.user, pk)
        if not weighting.can_propose(request.user, case):
            raise PermissionDenied("Only the team's workers and manager can propose factors.")
        token = _once_token(request)
        if token and (first := once.previous(request, token)) is not None:
            return _done_already(first)
        given = s.FactorsProposeSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        choices = [(c["factor"], c["option"]) for c in given.validated_data["choices"]]
        try:
            done = once.submit(
                request,
                lambda: weighting_services.assessment_propose(
                    case=case, by=request.user, choices=choices
                ),
                url=lambda assessment: case.get_absolute_url(),
                token=token,
            )
        except ValidationError as error:
            raise _service_errors(error, "choices") from None
        if done.repeated:
            return _done_already(done)
        assessment = done.result
        audit_record(request=request, action=AuditAction.EDIT, obj=case, detail="factors")
        weight = weighting.case_weights([case.pk], case.team.service.organisation_id)[case.pk]
        body = {
            "id": assessment.pk,
            "case_id": case.pk,
            "status": weight.status,
            "proposed_at": assessment.proposed_at,
            "choices": [{"factor": f, "option": o} for f, o in sorted(choices)],
            "weight": weight,
        }
        return Response(s.AssessmentSerializer(body).data, status=status.HTTP_201_CREATED)


# --- Figures -----------------------------------------------------------------------------------


class FiguresView(ListEndpoint):
    """The figures on a date (default today), as `caseload_report` prints them: directors and
    administrators get their organisation, its services and teams; managers their teams.
    Worked out from allocation history, so a past date gives that day's figures."""

    roles = MANAGERS_AND_ABOVE
    serializer_class = s.FigureRowSerializer
    filter_backends: list = []

    @extend_schema(
        parameters=[
            OpenApiParameter("on", OpenApiTypes.DATE, description="The date; default today."),
            OpenApiParameter("service", int, description="Only this service and its teams."),
            OpenApiParameter("team", int, description="Only this team."),
        ]
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        query = _FiguresQuery(data=self.request.query_params)
        query.is_valid(raise_exception=True)
        return selectors.figure_rows(
            self.request.user,
            on=query.validated_data.get("on") or timezone.localdate(),
            service_id=query.validated_data.get("service"),
            team_id=query.validated_data.get("team"),
        )


class _FiguresQuery(serializers.Serializer):
    on = serializers.DateField(required=False)
    service = serializers.IntegerField(required=False, min_value=1, max_value=MAX_ID)
    team = serializers.IntegerField(required=False, min_value=1, max_value=MAX_ID)

    def validate_on(self, value: date) -> date:
        if value > timezone.localdate():
            raise serializers.ValidationError("Figures are for today or a day before.")
        return value


# --- The schema and its docs -------------------------------------------------------------------


class SchemaView(SpectacularAPIView):
    """The OpenAPI 3 schema, for a signed-in user (session, with the pages' two-step sign-in)
    or a token."""

    authentication_classes = [ApiTokenAuthentication, SessionAuthentication]
    permission_classes = [IsAuthenticated]

    @classmethod
    def as_view(cls, **initkwargs):
        return login_not_required(super().as_view(**initkwargs))


class DocsView(SpectacularSwaggerSplitView):
    """Browsable docs (Swagger UI, served by the app: no CDN). A page like any other: the
    sign-in and two-step middleware apply."""

    authentication_classes = [SessionAuthentication]
    permission_classes = [IsAuthenticated]
    template_name = "api/docs.html"
    url_name = "api_schema"

    @classmethod
    def as_view(cls, **initkwargs):
        # DRF marks its views login_not_required; this one is a page, so it asks to sign in.
        return login_required(super().as_view(**initkwargs))
