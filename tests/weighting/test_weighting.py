"""Weighting against the database: the default scheme, proposals and agreement, versions,
standards and loads."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from caseload.casework import services as caseload_services
from tests.caseload.factories import ReductionTypeFactory, WorkerFactory
from tests.participants.factories import CaseFactory, held_case
from weighting import loads, selectors, services
from weighting.models import CaseAssessment, LoadStandard

pytestmark = pytest.mark.django_db

ELEVEN = [
    ("case_type", "child_protection"),
    ("siblings", "one_or_two"),
    ("court", "care_proceedings"),
    ("travel", "over_60"),
]


def _full(choices, **overrides):
    base = {"case_type": "child_in_need", "siblings": "none", "travel": "under_30", "court": "none"}
    base.update(dict(c for c in choices if c[0] != "extras"))
    base.update(overrides)
    return list(base.items()) + [c for c in choices if c[0] == "extras"]


def _weight(case):
    return selectors.case_weights([case.pk], case.team.service.organisation_id)[case.pk]


@pytest.mark.parametrize(
    ("choices", "points"),
    [
        (ELEVEN, 11),
        ([("case_type", "early_help")], 1),
        ([("case_type", "looked_after"), ("siblings", "three_or_more"), ("travel", "30_60")], 6),
        (
            [("case_type", "adult"), ("extras", "interpreter"), ("extras", "high_risk")],
            6,
        ),
        (
            [
                ("case_type", "child_in_need"),
                ("court", "pre_proceedings"),
                ("extras", "disability"),
            ],
            5,
        ),
    ],
)
def test_the_default_scheme_gives_the_briefs_points(team, caseworker, choices, points):
    case = held_case(caseworker.worker)
    services.assessment_propose(case=case, by=caseworker, choices=_full(choices))
    weight = _weight(case)
    assert weight.total == points
    assert weight.awaiting_agreement
    assert sum(p for _, _, p in weight.breakdown) == points


def test_a_case_with_no_assessment_counts_zero_and_says_so(team):
    case = CaseFactory(team=team)
    weight = _weight(case)
    assert (weight.total, weight.status) == (0, "none")


def test_a_proposal_must_choose_one_option_for_each_single_factor(caseworker):
    case = held_case(caseworker.worker)
    with pytest.raises(ValidationError) as error:
        services.assessment_propose(
            case=case, by=caseworker, choices=[("case_type", "adult"), ("travel", "nowhere")]
        )
    text = " ".join(error.value.messages)
    assert "'nowhere' is not an option for 'travel'" in text
    assert "Choose one option for court work" in text
    assert not CaseAssessment.objects.exists()


def test_a_caseworker_can_propose_but_not_agree(caseworker):
    case = held_case(caseworker.worker)
    assessment = services.assessment_propose(case=case, by=caseworker, choices=_full(ELEVEN))
    with pytest.raises(PermissionDenied):
        services.assessment_agree(assessment=assessment, by=caseworker)
    assessment.refresh_from_db()
    assert assessment.status == "proposed"


def test_a_manager_of_another_team_can_neither_propose_nor_agree(caseworker, outsider_manager):
    case = held_case(caseworker.worker)
    with pytest.raises(PermissionDenied):
        services.assessment_propose(case=case, by=outsider_manager, choices=_full(ELEVEN))
    assessment = services.assessment_propose(case=case, by=caseworker, choices=_full(ELEVEN))
    with pytest.raises(PermissionDenied):
        services.assessment_agree(assessment=assessment, by=outsider_manager)


def test_the_supervisor_agrees_or_amends_with_a_note_and_both_are_kept(caseworker, manager):
    case = held_case(caseworker.worker)
    assessment = services.assessment_propose(case=case, by=caseworker, choices=_full(ELEVEN))
    lower = _full(ELEVEN, travel="under_30")
    with pytest.raises(ValidationError, match="Say why"):
        services.assessment_agree(assessment=assessment, by=manager, choices=lower)
    services.assessment_agree(
        assessment=assessment, by=manager, choices=lower, note="Family moved closer."
    )
    weight = _weight(case)
    assert weight.total == 9
    assert weight.assessment.status == "amended"
    history = selectors.case_assessment_history(case, weight.labels)
    assert history[0].disagrees
    assert "Travel: Over 60 minutes" in history[0].proposed_text
    assert "Travel: Under 30 minutes" in history[0].agreed_text


def test_a_new_proposal_supersedes_but_keeps_the_old_one(caseworker, manager):
    case = held_case(caseworker.worker)
    first = services.assessment_propose(case=case, by=caseworker, choices=_full(ELEVEN))
    services.assessment_agree(assessment=first, by=manager)
    services.assessment_propose(case=case, by=caseworker, choices=_full([], case_type="early_help"))
    assert case.assessments.count() == 2
    assert _weight(case).total == 1
    assert _weight(case).awaiting_agreement


def test_changing_need_level_marks_the_assessment_for_review(caseworker, manager):
    case = held_case(caseworker.worker)
    services.assessment_agree(
        assessment=services.assessment_propose(case=case, by=caseworker, choices=_full(ELEVEN)),
        by=manager,
    )
    caseload_services.case_update(case=case, need_level="high", by=manager)
    weight = _weight(case)
    assert weight.needs_review
    assert "level of need" in weight.assessment.review_reason


def test_an_agreed_assessment_older_than_the_setting_is_stale(caseworker, manager, settings):
    settings.ASSESSMENT_STALE_WEEKS = 12
    case = held_case(caseworker.worker)
    assessment = services.assessment_agree(
        assessment=services.assessment_propose(case=case, by=caseworker, choices=_full(ELEVEN)),
        by=manager,
    )
    assert not _weight(case).stale
    CaseAssessment.objects.filter(pk=assessment.pk).update(
        agreed_at=timezone.now() - timedelta(weeks=13)
    )
    assert _weight(case).stale


def test_editing_the_scheme_leaves_last_months_figures_unchanged(caseworker, manager, director):
    worker = caseworker.worker
    case = held_case(worker, opened_on=timezone.localdate() - timedelta(days=90))
    services.assessment_agree(
        assessment=services.assessment_propose(case=case, by=caseworker, choices=_full(ELEVEN)),
        by=manager,
    )
    CaseAssessment.objects.update(proposed_at=timezone.now() - timedelta(days=60))
    last_month = timezone.localdate() - timedelta(days=30)
    org = worker.team.service.organisation
    before = loads.worker_loads([worker], org.pk, last_month)[worker.pk].load
    services.scheme_version_create(
        organisation=org,
        by=director,
        in_force_from=timezone.localdate(),
        points={("case_type", "child_protection"): 6},
        note="Child protection is heavier",
    )
    after = loads.worker_loads([worker], org.pk, last_month)[worker.pk].load
    today = loads.worker_loads([worker], org.pk)[worker.pk].load
    assert before.weighted_load == after.weighted_load == 11
    assert today.weighted_load == 13
    versions = selectors.weight_under_versions(case, _weight(case))
    assert [(v.version, points) for v, points, _ in versions] == [(1, 11), (2, 13)]


def test_a_new_scheme_version_cannot_start_in_the_past(director):
    with pytest.raises(ValidationError, match="cannot start in the past"):
        services.scheme_version_create(
            organisation=director.organisation,
            by=director,
            in_force_from=timezone.localdate() - timedelta(days=1),
            points={},
        )


def test_a_standard_change_is_recorded_with_who_and_when(director):
    services.standard_update(
        organisation=director.organisation,
        kind="experienced",
        band_bottom=30,
        band_top=44,
        caseload_promise=14,
        by=director,
    )
    standard = selectors.standards_for(director.organisation_id)["experienced"]
    assert (standard.band_top, standard.caseload_promise) == (44, 14)
    assert (
        LoadStandard.objects.filter(organisation__isnull=True, kind="experienced").get().band_top
        == 48
    )


def test_worker_load_uses_fte_reductions_and_the_promise(team, caseworker, manager):
    worker = caseworker.worker
    worker.fte = Decimal("0.5")
    worker.save()
    for _ in range(8):
        case = held_case(worker)
        services.assessment_propose(
            case=case, by=caseworker, choices=_full([], case_type="child_protection")
        )
    services.reduction_create(
        worker=worker,
        by=manager,
        percent=50,
        type=ReductionTypeFactory(organisation=team.service.organisation),
        starts_on=timezone.localdate() - timedelta(days=1),
    )
    load = loads.worker_loads([worker], team.service.organisation_id)[worker.pk].load
    assert load.open_cases == 8
    assert load.promise == 7  # 15 × 0.5 rounded down
    assert load.above_promise
    assert load.weighted_load == 32
    assert load.capacity == Decimal("12.00")  # 48 × 0.5 × (1 − 0.5)
    assert load.status == "above"


class TestPages:
    def test_a_caseworker_proposes_factors_in_the_browser_flow(self, client_for, caseworker):
        case = held_case(caseworker.worker)
        data = dict(_full(ELEVEN))
        response = client_for(caseworker).post(
            reverse("case_factors_propose", args=[case.pk]), data
        )
        assert response.status_code == 302
        page = client_for(caseworker).get(reverse("case_detail", args=[case.pk])).content.decode()
        assert "11 points" in page
        assert "Awaiting agreement" in page
        assert (
            client_for(caseworker).get(reverse("case_factors_agree", args=[case.pk])).status_code
            == 403
        )

    def test_a_manager_agrees_and_an_outsider_is_refused(
        self, client_for, caseworker, manager, outsider_manager, outsider
    ):
        case = held_case(caseworker.worker)
        services.assessment_propose(case=case, by=caseworker, choices=_full(ELEVEN))
        for intruder in (outsider_manager, outsider):
            assert (
                client_for(intruder).get(reverse("case_factors_agree", args=[case.pk])).status_code
                == 404
            )
            assert (
                client_for(intruder)
                .post(reverse("case_factors_propose", args=[case.pk]), dict(_full(ELEVEN)))
                .status_code
                == 404
            )
        response = client_for(manager).post(
            reverse("case_factors_agree", args=[case.pk]), {**dict(_full(ELEVEN)), "note": ""}
        )
        assert response.status_code == 302
        assert _weight(case).assessment.status == "agreed"

    def test_amending_without_a_note_shows_an_error_naming_the_note(
        self, client_for, caseworker, manager
    ):
        case = held_case(caseworker.worker)
        services.assessment_propose(case=case, by=caseworker, choices=_full(ELEVEN))
        response = client_for(manager).post(
            reverse("case_factors_agree", args=[case.pk]), dict(_full(ELEVEN, travel="under_30"))
        )
        assert "Say why you changed the proposed factors." in response.content.decode()
        assert _weight(case).awaiting_agreement

    def test_only_directors_and_administrators_edit_the_scheme(
        self, client_for, director, manager, caseworker
    ):
        assert client_for(manager).get(reverse("scheme_edit")).status_code == 403
        assert client_for(caseworker).get(reverse("scheme_edit")).status_code == 403
        assert client_for(manager).get(reverse("scheme")).status_code == 200
        form = client_for(director).get(reverse("scheme_edit")).context["form"]
        data = {name: field.initial for name, field in form.fields.items()}
        data.update(in_force_from=timezone.localdate().isoformat(), note="More for court work")
        data["points__court__care_proceedings"] = 5
        response = client_for(director).post(reverse("scheme_edit"), data)
        assert response.status_code == 302
        page = client_for(director).get(reverse("scheme")).content.decode()
        assert "version 2" in page and "More for court work" in page

    def test_the_standards_page_saves_for_directors_and_refuses_managers(
        self, client_for, director, manager
    ):
        data = {}
        for kind, (bottom, top, promise) in {
            "experienced": (36, 46, 15),
            "newly_qualified": (25, 36, 12),
            "support_worker": (20, 30, 15),
            "adult_caseworker": (28, 48, 12),
            "manager": (0, 15, 5),
        }.items():
            data |= {
                f"{kind}-band_bottom": bottom,
                f"{kind}-band_top": top,
                f"{kind}-caseload_promise": promise,
            }
        assert client_for(manager).post(reverse("standards"), data).status_code == 403
        response = client_for(director).post(reverse("standards"), data)
        assert response.status_code == 302
        assert selectors.standards_for(director.organisation_id)["experienced"].band_top == 46
        data["experienced-band_top"] = 10
        response = client_for(director).post(reverse("standards"), data)
        assert "The top of the band must be above its bottom." in response.content.decode()

    def test_the_team_page_shows_promise_and_bandwidth_for_every_member_in_constant_queries(
        self, client_for, manager, team, caseworker, django_assert_max_num_queries
    ):
        client = client_for(manager)
        held_case(caseworker.worker)
        with django_assert_max_num_queries(34) as first:
            client.get(reverse("team_detail", args=[team.pk]))
        for _ in range(5):
            worker = WorkerFactory(team=team)
            for _ in range(3):
                held_case(worker)
        with django_assert_max_num_queries(34) as second:
            response = client.get(reverse("team_detail", args=[team.pk]))
        assert len(first.captured_queries) == len(second.captured_queries)
        html = response.content.decode()
        assert html.count("Cases against promise:") == 7
        assert "FTE needed to bring everyone within band" in html

    def test_a_manager_adds_a_reduction_and_another_teams_manager_cannot(
        self, client_for, manager, outsider_manager, caseworker
    ):
        url = reverse("reduction_add", args=[caseworker.worker.pk])
        kind = ReductionTypeFactory(organisation=caseworker.organisation, name="Training")
        data = {"percent": 40, "type": kind.pk, "starts_on": "2026-01-01"}
        assert client_for(outsider_manager).post(url, data).status_code == 404
        assert client_for(manager).post(url, data).status_code == 302
        assert caseworker.worker.reductions.get().percent == 40
        bad = client_for(manager).post(url, {**data, "ends_on": "2025-01-01"})
        assert "The reduction cannot end before it starts." in bad.content.decode()
