"""The demo organisation round-trips: exported, imported into an empty database, its figures
(each worker's open cases and weighted load) are the same, through CSV and XLSX alike."""

import pytest
from django.core.management import call_command

from caseload import demo
from caseload.imports.exporter import export
from caseload.imports.readers import open_source
from caseload.imports.engine import CaseloadImport
from caseload.models import Allocation, Case, Organisation, Team, Worker
from participants.models import Contact, Household, Participant
from weighting.models import AssessmentFactor, CaseAssessment
from weighting.selectors import worker_loads

pytestmark = pytest.mark.django_db


def figures(org) -> dict:
    workers = list(Worker.objects.filter(team__service__organisation=org))
    loads = worker_loads(workers, org.pk)
    return {
        w.reference: (loads[w.pk].load.open_cases, loads[w.pk].load.weighted_load) for w in workers
    }


def empty_database():
    for model in (
        AssessmentFactor,
        CaseAssessment,
        Contact,
        Allocation,
        Case,
        Participant,
        Household,
        Worker,
        Team,
    ):
        model.history.all().delete() if hasattr(model, "history") else None
        model.objects.all().delete()


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_demo_organisation_round_trips_with_the_same_figures(tmp_path, fmt):
    org = demo.seed(size="small").organisation
    before = figures(org)
    target = tmp_path / ("export" if fmt == "csv" else "export.xlsx")
    export(org, target, fmt)
    empty_database()
    fresh = Organisation.objects.create(name="Imported Council")
    outcome = CaseloadImport(open_source(target), fresh).commit()
    assert outcome.ok, [str(p) for p in outcome.problems[:5]]
    after = figures(fresh)
    assert after == before
    again = CaseloadImport(open_source(target), fresh).check()
    assert again.totals()["create"] == 0 and again.totals()["update"] == 0, again.counts
