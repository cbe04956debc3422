"""The demo organisation round-trips: exported, imported into an empty database, its figures
(each worker's open cases and weighted load) are the same, through CSV, zip and XLSX alike."""

import pytest

from caseload.core.models import Allocation, Case, Flag, Organisation, Team, Worker
from caseload.imports.engine import CaseloadImport
from caseload.imports.exporter import export
from caseload.imports.readers import open_source
from caseload.supervision.models import Supervision, SupervisionAction
from participants.models import Contact, Household, Participant
from weighting.loads import worker_loads
from weighting.models import AssessmentFactor, CaseAssessment

pytestmark = pytest.mark.django_db

CASEWORK = (
    SupervisionAction,  # what the import does not bring in, but points at what it does
    Supervision,
    Flag,
    AssessmentFactor,
    CaseAssessment,
    Contact,
    Allocation,
    Case,
    Participant,
    Household,
    Worker,
    Team,
)


def figures(org) -> dict:
    """Each worker's open cases and weighted load, by worker reference."""
    workers = list(Worker.objects.filter(team__service__organisation=org))
    loads = worker_loads(workers, org.pk)
    return {
        w.reference: (loads[w.pk].load.open_cases, loads[w.pk].load.weighted_load) for w in workers
    }


def empty_the_database() -> None:
    """Everything the import brings in, gone (users and the weighting scheme stay)."""
    for model in CASEWORK:
        if hasattr(model, "history"):
            model.history.all().delete()
        model.objects.all().delete()
    assert not Case.objects.exists() and not Worker.objects.exists()


@pytest.mark.parametrize("fmt", ["csv", "zip", "xlsx"])
def test_the_demo_organisation_round_trips_with_the_same_figures(small_demo, tmp_path, fmt):
    org = small_demo().organisation
    before = figures(org)
    counts = {
        sheet: Model.objects.count()
        for sheet, Model in (("cases", Case), ("people", Participant), ("contacts", Contact))
    }
    target = tmp_path / {"csv": "export", "zip": "export.zip", "xlsx": "export.xlsx"}[fmt]
    export(org, target, fmt)
    empty_the_database()

    fresh = Organisation.objects.create(name="Imported Council")
    outcome = CaseloadImport(open_source(target), fresh).commit()

    assert outcome.ok, [str(p) for p in outcome.problems[:5]]
    assert sum(n for n, _ in before.values()) > 300  # the comparison is not of empty loads
    assert figures(fresh) == before
    assert counts == {
        sheet: Model.objects.count()
        for sheet, Model in (("cases", Case), ("people", Participant), ("contacts", Contact))
    }
    again = CaseloadImport(open_source(target), fresh).check()
    assert again.totals() == {"create": 0, "update": 0, "same": again.rows}
