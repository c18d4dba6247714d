"""The store's Turtle folder follows every commit, whichever face makes it (conflictkg.turtle_folder).

A real store on disk, the real HTTP app and its SHACL gate, real files. After each write the
folder holds exactly the store's named graphs, one file each, with the same triples; a service
started again on the same store and folder keeps what was deleted deleted.
"""

from __future__ import annotations

import datetime as dt
import os
import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest
from rdflib import Graph, URIRef
from rdflib.compare import isomorphic

from conflictkg.config import Settings
from conflictkg.model import Article, ArticleMeta
from conflictkg.namespaces import EVENT_CURATION_GRAPH, ONTOLOGY_GRAPH, PREFIXES, article_graph
from conflictkg.service import GraphService
from conflictkg.turtle_folder import same_triples

with warnings.catch_warnings():  # starlette warns about httpx at import; not our concern here
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

from conflictkg.api.app import create_app  # noqa: E402

TOKEN = "turtle-folder-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
#: Invented reports: an air strike on the town of Kafr Nabl (two articles) and shelling of Maarat al-Numan.
ARTICLES = {
    "strike.txt": ("2021-06-04", "Air strikes hit a market in the town of Kafr Nabl in Idlib province on Thursday, "
                                 "killing 14 civilians, the Syrian Observatory for Human Rights said.\n"),
    "strike2.txt": ("2021-06-05", "The monitor said on Friday that the strike on the Kafr Nabl market on June 3 had "
                                  "killed 14 people.\n"),
    "shelling.txt": ("2021-06-20", "Shelling of Maarat al-Numan in Idlib province killed 3 people on Saturday, "
                                   "activists said.\n"),
}


def settings(tmp: Path) -> Settings:
    return Settings.from_env().with_(store=tmp / "kg" / "store", turtle_dir=None, token=TOKEN, corpus_dir=tmp / "none")


def article(name: str) -> Article:
    published, text = ARTICLES[name]
    return Article(text=text, meta=ArticleMeta(file_name=name, published=dt.date.fromisoformat(published)))


def assert_mirrors(service: GraphService) -> None:
    """The folder holds each named graph of the store (the ontology aside) in its own file, and nothing else."""
    folder = service.turtle_folder
    assert folder is not None
    graphs = [g for g in service.store.named_graphs() if g != ONTOLOGY_GRAPH]
    expected = {folder.file_for(g): g for g in graphs}
    assert sorted(folder.files()) == sorted(expected), "one file per graph"
    assert not [p.name for p in folder.directory.iterdir() if p.name.startswith(".")], "no journal left behind"
    for path, name in expected.items():
        assert path is not None
        read, g = folder.read(path)
        assert read == name and same_triples(service.store.graph(name), g), path.name


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[GraphService, TestClient]]:
    with GraphService(settings=settings(tmp_path)) as service:
        service.ensure_loaded()  # the shipped graph: the folder mirrors it
        for name in ARTICLES:
            assert service.builder.ingest(article(name)).ok
        yield service, TestClient(create_app(service))


def test_an_empty_store_loads_the_shipped_graph_and_its_folder_mirrors_it(served) -> None:  # type: ignore[no-untyped-def]
    service, _ = served
    assert_mirrors(service)
    assert any(p.name.startswith("derived-event-") for p in service.turtle_folder.files())  # type: ignore[union-attr]


def test_a_graph_deleted_through_the_graph_store_stays_deleted(served, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    service, client = served
    gone = article_graph(article("shelling.txt").key)
    path = service.turtle_folder.file_for(gone)  # type: ignore[union-attr]
    assert path is not None and path.exists()
    answer = client.delete("/graph-store", params={"graph": str(gone)}, headers=AUTH)
    assert answer.status_code == 204, answer.text
    assert not path.exists()
    assert_mirrors(service)
    service.close()
    for _ in range(2):  # started again on the same store and folder, twice: the graph does not come back
        with GraphService(settings=settings(tmp_path)) as again:
            assert again.ensure_loaded() == 0 and again.builder.notes == []
            assert gone not in again.store.named_graphs() and not path.exists()
            assert_mirrors(again)


def test_sparql_updates_and_uploads_rewrite_the_files_exactly(served) -> None:  # type: ignore[no-untyped-def]
    service, client = served
    name = article_graph(article("strike.txt").key)
    body = client.get("/graph-store", params={"graph": str(name)}, headers={"Accept": "application/n-triples"}).text
    renamed = body.replace('"strike.txt"', '"strike-renamed.txt"')
    assert renamed != body
    answer = client.put("/graph-store", params={"graph": str(name)}, content=renamed.encode(),
                        headers={**AUTH, "Content-Type": "application/n-triples"})
    assert answer.status_code in (200, 201, 204), answer.text
    assert_mirrors(service)
    assert '"strike-renamed.txt"' in service.turtle_folder.file_for(name).read_text(encoding="utf-8")  # type: ignore[union-attr]
    update = (f'PREFIX ckg: <https://w3id.org/conflictkg/ontology#> DELETE {{ GRAPH <{name}> {{ ?a ckg:fileName ?f }} }} '
              f'INSERT {{ GRAPH <{name}> {{ ?a ckg:fileName "strike-again.txt" }} }} '
              f'WHERE {{ GRAPH <{name}> {{ ?a ckg:fileName ?f }} }}')
    answer = client.post("/update", content=update, headers={**AUTH, "Content-Type": "application/sparql-update"})
    assert answer.status_code in (200, 204), answer.text
    assert '"strike-again.txt"' in service.turtle_folder.file_for(name).read_text(encoding="utf-8")  # type: ignore[union-attr]
    assert_mirrors(service)


def test_a_merge_and_a_split_through_the_api_are_in_the_folder(served, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    service, client = served
    folder = service.turtle_folder
    assert folder is not None
    events = {r["file"]: str(r["e"]) for r in (
        {"file": str(x["file"]), "e": x["e"]} for x in service.store.select(
            "SELECT ?e ?file WHERE { ?r ckg:reportOf ?e ; ckg:reportedIn/ckg:fileName ?file }"))}
    strike, shelling = events["strike.txt"], events["shelling.txt"]
    assert strike != shelling and events["strike2.txt"] == strike
    event_files = sorted(p.name for p in folder.files() if p.name.startswith("event-") and "curation" not in p.name)
    answer = client.post("/graph/events/merge", json={"event": strike, "other": shelling, "note": "one attack"}, headers=AUTH)
    assert answer.status_code == 200, answer.text
    merged = answer.json()["event"]
    assert {r["article"] for r in answer.json()["reports"]} == {article(n).key for n in ARTICLES}
    assert_mirrors(service)
    curation = folder.file_for(EVENT_CURATION_GRAPH)
    assert curation is not None and "one attack" in curation.read_text(encoding="utf-8")
    after = sorted(p.name for p in folder.files() if p.name.startswith("event-") and "curation" not in p.name)
    assert after != event_files and len(after) == len(event_files) - 1
    assert f"event-{merged.rsplit('/', 1)[-1]}.ttl" in after
    for name in ARTICLES:  # every article's file now says its claims are about the merged event
        text = folder.file_for(article_graph(article(name).key)).read_text(encoding="utf-8")  # type: ignore[union-attr]
        assert merged.rsplit("/", 1)[-1] in text
    # undo: the shelling report is split out again
    answer = client.post(f"/graph/events/{merged.rsplit('/', 1)[-1]}/split",
                         json={"article": article("shelling.txt").key}, headers=AUTH)
    assert answer.status_code == 200, answer.text
    assert_mirrors(service)
    assert sorted(p.name for p in folder.files() if p.name.startswith("event-") and "curation" not in p.name) == event_files
    service.close()
    with GraphService(settings=settings(tmp_path)) as again:
        assert again.ensure_loaded() == 0 and again.builder.notes == []
        assert_mirrors(again)


def test_a_crash_between_the_store_commit_and_the_files_is_settled_at_start(served, tmp_path: Path,
                                                                            monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    service, client = served
    gone = article_graph(article("shelling.txt").key)
    path = service.turtle_folder.file_for(gone)  # type: ignore[union-attr]

    def crash(*args: object) -> None:
        raise KeyboardInterrupt  # the process dies after the store committed, before any file is in place

    import conflictkg.turtle_folder as tf
    from conflictkg.store import EmbeddedStore

    commit = EmbeddedStore.replace_graphs

    def commit_then_die(self: EmbeddedStore, graphs: dict) -> None:  # type: ignore[type-arg]
        commit(self, graphs)  # the store commits; from here on, no file of the journal can be put in place
        monkeypatch.setattr(tf.os, "replace", crash)
        monkeypatch.setattr(Path, "unlink", lambda self, missing_ok=False: crash())

    monkeypatch.setattr(EmbeddedStore, "replace_graphs", commit_then_die)
    with pytest.raises(KeyboardInterrupt):
        service.sparql.drop_graph(str(gone))
    monkeypatch.undo()
    assert gone not in service.store.named_graphs()
    pending = sorted(p.name for p in service.turtle_folder.directory.iterdir() if p.name.startswith("."))  # type: ignore[union-attr]
    assert f".{path.name}.pending-drop" in pending  # the journal: the drop, and the derived graphs it changed
    half = service.turtle_folder.directory / f".{path.name}.pending.k3x9q1.tmp"  # type: ignore[union-attr]
    half.write_text("@prefix ckg: <https://w3id.org/conflictkg/ontolo", encoding="utf-8")  # a crash inside a write
    service.close()
    with GraphService(settings=settings(tmp_path)) as again:
        assert again.ensure_loaded() == 0
        assert not half.exists()
        assert f"[W008] {path}: a write was interrupted after the store dropped its graph; the file is now deleted" in (
            again.builder.notes)
        assert all("after the store" in n for n in again.builder.notes), again.builder.notes
        assert not path.exists()
        assert_mirrors(again)


def test_a_commit_that_fails_leaves_the_files_as_they_were(served, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    from conflictkg.store import EmbeddedStore

    service, client = served
    before = {p.name: p.read_bytes() for p in service.turtle_folder.files()}  # type: ignore[union-attr]

    def fail(self: EmbeddedStore, graphs: dict) -> None:  # type: ignore[type-arg]
        raise OSError("disk full")

    monkeypatch.setattr(EmbeddedStore, "replace_graphs", fail)
    with pytest.raises(OSError):
        service.sparql.drop_graph(str(article_graph(article("shelling.txt").key)))
    monkeypatch.undo()
    assert {p.name: p.read_bytes() for p in service.turtle_folder.files()} == before  # type: ignore[union-attr]
    assert_mirrors(service)


def test_an_empty_store_is_loaded_from_its_own_folder(served, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    service, client = served
    assert client.delete("/graph-store", params={"graph": str(article_graph(article("strike2.txt").key))},
                         headers=AUTH).status_code == 204
    graphs = {g: service.store.graph(g) for g in service.store.named_graphs()}
    service.close()
    store = tmp_path / "kg" / "store"
    for f in store.iterdir():  # the store is lost; its folder is not
        f.unlink()
    store.rmdir()
    with GraphService(settings=settings(tmp_path)) as again:
        assert again.ensure_loaded() > 0
        assert sorted(again.store.named_graphs()) == sorted(graphs)
        assert all(isomorphic(again.store.graph(g), content) for g, content in graphs.items())
        assert_mirrors(again)


def test_files_of_an_earlier_version_are_renamed_and_missing_files_written(served, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    service, _ = served
    folder = service.turtle_folder
    assert folder is not None
    name = article_graph(article("strike.txt").key)
    current = folder.file_for(name)
    assert current is not None
    legacy = current.with_name("strike.ttl")  # how earlier versions named an article's file
    os.replace(current, legacy)
    dictionary = folder.directory / "dictionary.ttl"
    dictionary.unlink()
    service.close()
    with GraphService(settings=settings(tmp_path)) as again:
        assert again.ensure_loaded() == 0
        assert again.builder.notes == [
            f"[W011] {legacy}: a file of an earlier version; renamed {current.name} (files are named after their graph)",
            f"[W011] {folder.directory}: 1 graphs of the store had no file; written"]
        assert current.exists() and not legacy.exists() and dictionary.exists()
        assert_mirrors(again)


def test_other_named_graphs_are_trig_files_naming_their_graph(served) -> None:  # type: ignore[no-untyped-def]
    service, _ = served
    folder = service.turtle_folder
    assert folder is not None
    other = URIRef("http://example.org/analyst-notes")
    path = folder.file_for(other)
    assert path is not None and path.suffix == ".trig" and path.name.startswith("graph-")
    g = Graph()
    g.add((URIRef("http://example.org/s"), URIRef("http://example.org/p"), URIRef("http://example.org/o")))
    with folder.journal({other: g}):
        pass
    name, read = folder.read(path)
    assert name == other and isomorphic(read, g)
    assert folder.graph_named(path) is None  # the name alone does not say which graph: the file does


def test_an_article_added_through_the_http_api_gets_its_file(served) -> None:  # type: ignore[no-untyped-def]
    service, client = served
    folder = service.turtle_folder
    assert folder is not None
    text = "Rockets struck the village of Maarrat Misrin in Idlib province on Monday, killing 5 people, rescuers said.\n"
    answer = client.post("/api/articles", json={"text": text, "published": "2021-07-06", "file_name": "rockets.txt"},
                         headers=AUTH)
    assert answer.status_code == 201, answer.text
    graph = URIRef(answer.json()["graph"])
    path = folder.file_for(graph)
    assert path is not None and path.name == f"article-{answer.json()['key']}.ttl"
    written = path.read_text(encoding="utf-8")
    assert '"rockets.txt"' in written and '"2021-07-06"^^xsd:date' in written
    assert written.startswith("@prefix ")  # Turtle with the project's prefixes, as the build writes it
    assert_mirrors(service)  # the event it reports and that event's derived graph too


def test_a_graph_store_post_to_another_graph_is_a_trig_file_exactly(served) -> None:  # type: ignore[no-untyped-def]
    service, client = served
    folder = service.turtle_folder
    assert folder is not None
    other = "http://example.org/analyst-notes"
    path = folder.file_for(URIRef(other))
    assert path is not None and path.suffix == ".trig"
    place, skos = "<http://example.org/place/kafr-nabl>", "http://www.w3.org/2004/02/skos/core#"
    for triple in (f'{place} a <https://w3id.org/conflictkg/ontology#Place> ; <{skos}prefLabel> "Kafr Nabl" ;\n'
                   f' <http://www.w3.org/2000/01/rdf-schema#label> "Kafr Nabl" ;\n'
                   f' <https://w3id.org/conflictkg/ontology#dictionaryEntry> "kafr-nabl" .\n',
                   f'{place} <{skos}altLabel> "Kafranbel" .\n'):  # the second POST adds to the graph
        answer = client.post("/graph-store", params={"graph": other}, content=triple.encode(),
                             headers={**AUTH, "Content-Type": "text/turtle"})
        assert answer.status_code in (200, 201, 204), answer.text
    prefixes = "".join(f"@prefix {k}: <{v}> .\n" for k, v in sorted(
        (k, str(v)) for k, v in PREFIXES.items()))  # all the project's prefixes, sorted: the same graph, the same file
    assert path.read_text(encoding="utf-8") == prefixes + (
        "<http://example.org/analyst-notes> {\n"
        "\t<http://example.org/place/kafr-nabl> a ckg:Place ;\n"
        '\t\trdfs:label "Kafr Nabl" ;\n'
        '\t\tskos:altLabel "Kafranbel" ;\n'
        '\t\tskos:prefLabel "Kafr Nabl" ;\n'
        '\t\tckg:dictionaryEntry "kafr-nabl" .\n'
        "}\n")
    assert_mirrors(service)
    assert client.delete("/graph-store", params={"graph": other}, headers=AUTH).status_code == 204
    assert not path.exists()
    assert_mirrors(service)


def test_which_folder_a_store_has(tmp_path: Path) -> None:
    """Beside an on-disk store by default; a remote store only when named; never the shipped graph."""
    from conflictkg.errors import ConfigError
    from conflictkg.resources import TURTLE_DIR

    base = Settings.from_env().with_(store=tmp_path / "kg" / "store", turtle_dir=None)
    assert GraphService(settings=base).turtle_folder.directory == tmp_path / "kg" / "turtle"  # type: ignore[union-attr]
    remote = base.with_(backend="remote", remote_query="http://127.0.0.1:9/sparql")
    assert GraphService(settings=remote).turtle_folder is None
    named = remote.with_(turtle_dir=tmp_path / "mirror")
    assert GraphService(settings=named).turtle_folder.directory == tmp_path / "mirror"  # type: ignore[union-attr]
    with pytest.raises(ConfigError) as refused:
        _ = GraphService(settings=base.with_(turtle_dir=TURTLE_DIR)).turtle_folder
    assert refused.value.code == "E113"
