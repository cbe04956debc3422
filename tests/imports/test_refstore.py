"""The import keeps its references on disk, in a temporary SQLite file that is always removed,
and gives the same answers as when it kept them in memory, across batches too."""

import tempfile

import pytest

from caseload.core.models import Case, Worker
from caseload.imports import engine, refstore
from caseload.imports.engine import CaseloadImport
from caseload.imports.readers import open_source
from caseload.imports.refstore import RefStore
from participants.models import Contact, Household, Participant
from weighting.choices import Stage
from weighting.models import AssessmentFactor

from .sample import sample, write_csv

pytestmark = pytest.mark.django_db

EXTRA = range(12, 24)  # people P12..P23 in households H4..H7, three to a household


@pytest.fixture
def scratch(tmp_path, monkeypatch):
    """Where the store's temporary directory goes, to see it made and removed."""
    folder = tmp_path / "scratch"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    return folder


@pytest.fixture
def small_batches(monkeypatch):
    """Batches of 5 rows and lookups of 2 keys, so a dozen rows cross several of each."""
    monkeypatch.setattr(engine, "BATCH", 5)
    monkeypatch.setattr(refstore, "LOOKUP", 2)


def _spy_on_contacts(monkeypatch, scratch, *, fail: bool = False) -> list:
    """Record what is in the scratch folder while contacts are applied (or fail there)."""
    original = CaseloadImport._apply_contacts
    seen = []

    def spy(self, chunk):
        seen.append(sorted(p.name for p in scratch.rglob("*")))
        if fail:
            raise RuntimeError("disk full")
        return original(self, chunk)

    monkeypatch.setattr(CaseloadImport, "_apply_contacts", spy)
    return seen


def _many() -> dict:
    data = sample()
    for k in EXTRA:
        data["participants"].append(
            {
                "participant_ref": f"P{k}",
                "given_name": "Kit",
                "family_name": f"Family{k // 3}",
                "date_of_birth": "2014-01-01",
                "household_ref": f"H{k // 3}",
            }
        )
        data["cases"].append(
            dict(
                data["cases"][1],
                case_ref=f"C{k}",
                participant_ref=f"P{k}",
                worker_ref="W1",
                allocated_on="2025-02-02",
            )
        )
        data["contacts"].append(dict(data["contacts"][0], case_ref=f"C{k}"))
    return data


def test_the_store_is_on_disk_during_an_import_and_gone_after_it_commits(
    tmp_path, organisation, scratch, monkeypatch
):
    seen = _spy_on_contacts(monkeypatch, scratch)
    outcome = CaseloadImport(open_source(write_csv(tmp_path / "in", sample())), organisation)
    assert outcome.commit().written
    assert seen and all("refs.sqlite3" in names for names in seen)
    assert list(scratch.iterdir()) == []


def test_the_store_is_gone_after_a_dry_run_with_problems(tmp_path, organisation, scratch):
    data = sample()
    data["cases"][0]["participant_ref"] = "P9"
    outcome = CaseloadImport(open_source(write_csv(tmp_path / "in", data)), organisation).check()
    assert [p.reason for p in outcome.problems] == ["Unknown person P9: not in participants."]
    assert list(scratch.iterdir()) == []


def test_the_store_is_gone_when_too_many_problems_stop_the_check(tmp_path, organisation, scratch):
    data = sample()
    for person in data["participants"]:
        person["date_of_birth"] = "someday"
    path = write_csv(tmp_path / "in", data)
    outcome = CaseloadImport(open_source(path), organisation, max_problems=2).commit()
    assert outcome.problem_count == 2 and not outcome.written
    assert outcome.warnings[-1].startswith("Stopped after 2 problems")
    assert list(scratch.iterdir()) == []


def test_the_store_is_gone_after_an_exception_midway_and_nothing_is_written(
    tmp_path, organisation, scratch, monkeypatch
):
    seen = _spy_on_contacts(monkeypatch, scratch, fail=True)
    job = CaseloadImport(open_source(write_csv(tmp_path / "in", sample())), organisation)
    with pytest.raises(RuntimeError):
        job.commit()
    assert seen and "refs.sqlite3" in seen[0]
    assert list(scratch.iterdir()) == []
    assert job.refs.closed
    assert not Case.objects.exists()


def test_duplicate_references_far_apart_are_found_whatever_the_batch(
    tmp_path, organisation, small_batches
):
    data = _many()
    data["participants"].append(dict(data["participants"][3]))  # P12 again, row 17
    data["cases"].append(dict(data["cases"][0], participant_ref="P23"))  # C1 again, row 19
    outcome = CaseloadImport(open_source(write_csv(tmp_path / "in", data)), organisation).check()
    assert [(p.file, p.row, p.column, p.reason) for p in outcome.problems] == [
        (
            "participants.csv",
            17,
            "participant_ref",
            "Duplicate reference P12: it is used above.",
        ),
        ("cases.csv", 19, "case_ref", "Duplicate reference C1: it is used above."),
    ]


def test_households_siblings_and_contacts_holders_carry_across_batches(
    tmp_path, organisation, small_batches
):
    path = write_csv(tmp_path / "in", _many())
    planned = CaseloadImport(open_source(path), organisation).check()
    outcome = CaseloadImport(open_source(path), organisation).commit()
    assert outcome.written and outcome.counts == planned.counts
    assert outcome.counts["cases"]["create"] == 5 + len(EXTRA)
    # one household per three people, made once though its people are in two batches
    assert Household.objects.filter(organisation=organisation).count() == 1 + len(EXTRA) // 3
    households = dict(
        Participant.objects.filter(organisation=organisation).values_list(
            "reference", "household__reference"
        )
    )
    assert all(households[f"P{k}"] == f"H{k // 3}" for k in EXTRA)
    # each of the three has two other open cases in the household: "one or two" siblings
    siblings = dict(
        AssessmentFactor.objects.filter(factor="siblings", stage=Stage.AGREED).values_list(
            "assessment__case__reference", "option"
        )
    )
    assert {siblings[f"C{k}"] for k in EXTRA} == {"one_or_two"}
    assert siblings["C1"] == "one_or_two" and siblings["C3"] == "none"
    # contacts (applied after every case) are recorded against the case's holder
    w1 = Worker.objects.get(reference="W1")
    workers = dict(Contact.objects.values_list("case__reference", "worker_id"))
    assert all(workers[f"C{k}"] == w1.pk for k in EXTRA)


def test_a_re_import_in_small_batches_reports_everything_unchanged(
    tmp_path, organisation, small_batches
):
    path = write_csv(tmp_path / "in", _many())
    first = CaseloadImport(open_source(path), organisation).commit()
    assert first.written
    again = CaseloadImport(open_source(path), organisation).commit()
    totals = again.totals()
    assert totals["create"] == 0 and totals["update"] == 0
    assert totals["same"] == first.totals()["create"]
    assert Contact.objects.count() == 2 + len(EXTRA)


def test_the_store_answers_as_a_set_a_map_and_a_counter_would(tmp_path, monkeypatch):
    monkeypatch.setattr(refstore, "LOOKUP", 3)
    monkeypatch.setattr(refstore, "INSERT_BATCH", 4)
    with RefStore() as store:
        folder = store.folder
        refs = store.set("refs")
        refs.update(f"R{i}" for i in range(10))
        assert refs.add("R10") and not refs.add("R3")
        assert "R7" in refs and "R11" not in refs and len(refs) == 11
        assert refs.missing(["R1", "X", "R9", "Y", "X"]) == {"X", "Y"}
        ids = store.map("ids", key="INTEGER", value="INTEGER")
        ids.update([(1, 10), (2, 20), (1, 11)])
        ids[3] = 30
        assert ids.get(1) == 11 and ids.get(4) is None and ids.get(4, 0) == 0
        assert ids.get_many([1, 2, 3, 4, 5, 6, 7]) == {1: 11, 2: 20, 3: 30}
        counts = store.counter("counts")
        counts.increment("H1")
        counts.increment("H1")
        counts.increment("H2", 5)
        assert counts["H1"] == 2 and counts["H9"] == 0
        assert counts.get_many(["H1", "H2", "H3"]) == {"H1": 2, "H2": 5}
        assert folder.is_dir()
    assert store.closed and not folder.exists()
    store.close()  # twice is fine
