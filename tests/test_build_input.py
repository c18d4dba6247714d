"""Build input (issue 11, point 10): a malformed metadata.json is a coded error that builds nothing,
and the Turtle files and the store cannot disagree after a crash."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from rdflib import Graph

from conflictkg.cli import main
from conflictkg.config import Settings
from conflictkg.corpus import parse_published
from conflictkg.namespaces import article_graph
from conflictkg.service import GraphService

TEXT = "Bridge battle\n\nThe Syrian army said on Monday that 12 rebels were killed near the Kessel bridge.\n"


def corpus(folder: Path, metadata: str | None) -> Path:
    folder.mkdir()
    (folder / "a.txt").write_text(TEXT, encoding="utf-8")
    if metadata is not None:
        (folder / "metadata.json").write_text(metadata, encoding="utf-8")
    return folder


def build(tmp: Path, folder: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    code = main(["--store", str(tmp / "kg" / "store"), "build", str(folder)])
    return code, capsys.readouterr().err


@pytest.mark.parametrize(("metadata", "problem"), [
    ("[{", "not JSON: Expecting property name enclosed in double quotes (line 1, column 3)"),
    ("[" * 100_000 + "]" * 100_000, "not a list of entries: nested too deeply"),
    ('{"file": "a.txt"}', "must be a list of entries, not an object"),
    ('["a.txt"]', "entry 1 must be an object, not a string"),
    ('[{"title": "A"}]', 'entry 1 has no "file" (the article\'s file name)'),
    ('[{"file": "a.txt", "published": "2018-02-15garbage"}]',
     "entry 1 (a.txt): published '2018-02-15garbage' is not a date (YYYY-MM-DD, YYYY-MM, YYYY, or an ISO 8601 date and time)"),
    ('[{"file": "a.txt", "published": "2018-02-30"}]',
     "entry 1 (a.txt): published '2018-02-30' is not a date (YYYY-MM-DD, YYYY-MM, YYYY, or an ISO 8601 date and time)"),
    ('[{"file": "a.txt", "title": 7}]', "entry 1 (a.txt): title must be a string or null, not a number"),
    ('[{"file": "a.txt"}, {"file": "a.txt"}]', "entry 2: file 'a.txt' is listed twice"),
])
def test_malformed_metadata_is_an_error_and_nothing_is_built(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                             metadata: str, problem: str) -> None:
    folder = corpus(tmp_path / "corpus", metadata)
    code, err = build(tmp_path, folder, capsys)
    assert (code, err) == (2, f"conflictkg: [E039] {folder / 'metadata.json'}: {problem}\n")
    assert not (tmp_path / "kg" / "turtle").exists()
    with GraphService(settings=Settings.from_env().with_(store=tmp_path / "kg" / "store")) as service:
        assert service.store.named_graphs() == []


def test_a_metadata_folder_and_unknown_fields(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = corpus(tmp_path / "corpus", None)
    (folder / "metadata.json").mkdir()
    code, err = build(tmp_path, folder, capsys)
    assert (code, err) == (2, f"conflictkg: [E039] {folder / 'metadata.json'}: is a folder; metadata.json must be a file\n")
    (folder / "metadata.json").rmdir()
    (folder / "metadata.json").write_text(json.dumps([{"file": "a.txt", "publised": "2024-04-02",
                                                       "published": "2024-04-02T10:00:00+02:00"}]), encoding="utf-8")
    code, err = build(tmp_path, folder, capsys)
    assert code == 0
    assert err.splitlines()[0] == (f"[W006] {folder / 'metadata.json'}: entry 1 has fields conflictkg does not know "
                                   "(publised); they are ignored")


def test_publication_dates() -> None:
    assert [parse_published(v) for v in ("2024-04-02", "2024-04-02T23:30:00Z", "2024-04-02 08:00", "2024-04-02garbage",
                                         " 2024-04-02 ", "2024-4-2", 20240402, None)] == [
        *[parse_published("2024-04-02")] * 3, None, parse_published("2024-04-02"), None, None, None]
    assert str(parse_published("2024-04-02")) == "2024-04-02"


# --- the Turtle files and the store after a crash --------------------------------------------------


def settings(tmp: Path) -> Settings:
    return Settings.from_env().with_(store=tmp / "kg" / "store", corpus_dir=tmp / "none")


def article_file(turtle: Path) -> Path:
    """The article's file in the Turtle folder (``article-<key>.ttl``, named after its graph)."""
    files = sorted(turtle.glob("article-*.ttl"))
    assert len(files) == 1, files
    return files[0]


def test_an_interrupted_write_is_settled_at_start(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = corpus(tmp_path / "corpus", json.dumps([{"file": "a.txt", "published": "2024-04-02"}]))
    assert build(tmp_path, folder, capsys)[0] == 0
    turtle = tmp_path / "kg" / "turtle"
    final = article_file(turtle)
    key = final.stem.removeprefix("article-")
    committed = final.read_text(encoding="utf-8")
    g = Graph().parse(data=committed, format="turtle")
    # 1. a crash after the store committed, before the rename: the pending file is put in place
    final.rename(turtle / f".{final.name}.pending")
    # 2. a crash before the store committed: a pending file whose graph the store never got
    other = turtle / "article-0123456789abcdef.ttl"
    (turtle / f".{other.name}.pending").write_text(committed.replace("12 rebels", "13 rebels"), encoding="utf-8")
    with GraphService(settings=settings(tmp_path)) as service:
        service.ensure_loaded()
        notes = service.builder.notes
        assert sorted(notes) == sorted([
            f"[W008] {final}: a write was interrupted after the store committed; the file is now in place",
            f"[W008] {other}: a write was interrupted before the store committed; its pending file is discarded"])
        # the article, the dictionary, the event the article reports (event-<key>.ttl) and its summary
        names = sorted(p.name for p in turtle.iterdir())
        event = next(n.removeprefix("event-") for n in names if n.startswith("event-"))
        assert names == [final.name, f"derived-event-{event}", "dictionary.ttl", f"event-{event}"]
        assert final.read_text(encoding="utf-8") == committed
        assert len(service.store.graph(article_graph(key))) == len(g)


def test_a_turtle_file_the_store_lacks_is_not_loaded_into_a_store_that_is_not_empty(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The store is the reference: a graph dropped behind conflictkg's back (not through its commit,
    which would have deleted the file) does not come back; the file is reported and left as it is."""
    folder = corpus(tmp_path / "corpus", None)
    assert build(tmp_path, folder, capsys)[0] == 0
    turtle = tmp_path / "kg" / "turtle"
    final = article_file(turtle)
    key = final.stem.removeprefix("article-")
    with GraphService(settings=settings(tmp_path)) as service:  # the graph goes, the file stays
        service.store.drop_graph(article_graph(key))
        assert service.store.triple_count() > 0
    for _ in range(2):
        with GraphService(settings=settings(tmp_path)) as service:
            assert service.ensure_loaded() == 0
            assert service.builder.notes == [
                f"[W011] {turtle}: 1 files hold graphs the store does not have ({final.name}); not loaded: the store is "
                "the reference (delete them, or load them into an empty store)"]
            assert len(service.store.graph(article_graph(key))) == 0 and final.exists()


def test_a_failed_commit_leaves_no_file(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    from conflictkg.store import EmbeddedStore

    folder = corpus(tmp_path / "corpus", None)

    write = EmbeddedStore.replace_graphs

    def fail(self: EmbeddedStore, graphs: dict) -> None:  # type: ignore[type-arg]
        if any("/graph/article/" in str(name) for name in graphs):  # an article's commit (with its derived graphs)
            raise OSError("disk full")
        write(self, graphs)

    monkeypatch.setattr(EmbeddedStore, "replace_graphs", fail)
    code, err = build(tmp_path, folder, capsys)
    assert (code, err) == (2, "conflictkg: [E113] disk full\n")
    assert sorted(p.name for p in (tmp_path / "kg" / "turtle").iterdir()) == ["dictionary.ttl"]
