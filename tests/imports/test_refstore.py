"""The store of an import's references: a temporary SQLite file answering as a set, a map and a
counter would, removed when it is closed."""

from caseload.imports import refstore
from caseload.imports.refstore import RefStore


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
