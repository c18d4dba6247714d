"""The gate lets no untyped data in (issue 11, point 7): every subject of a data graph needs a type
that a closed shape covers, and ``conflictkg validate`` fails when the ontology or dictionary graph
is missing or is not exactly the shipped one. The store is written directly where the API would
refuse the write (that is what an attacker with a broken write path, or a bad build, leaves behind)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF

from conflictkg.cli import main
from conflictkg.config import Settings
from conflictkg.namespaces import CKG, DICTIONARY_GRAPH, ONTOLOGY_GRAPH
from conflictkg.service import GraphService
from conflictkg.store import EmbeddedStore
from conflictkg.validation import MAX_REPORT_RESULTS, format_term

from fixtures_network import contested_graphs, make_store
from fixtures_sparql import Client

TOKEN = "test-token-typed"
JUNK = URIRef("https://example.org/junk")
JUNK_P = URIRef("https://example.org/says")
COVERED = ("ckg:Actor, ckg:Article, ckg:Claim, ckg:Event, ckg:EventCuration, ckg:EventLink, ckg:EventReport, "
           "ckg:Figure, ckg:FigureConflict, ckg:FigureSummary, ckg:Place, ckg:Population, ckg:TextSpan, "
           "oa:TextPositionSelector, oa:TextQuoteSelector")


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("CONFLICTKG_FORMAT", "CONFLICTKG_STORE", "CONFLICTKG_BACKEND"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture(scope="module")
def service() -> GraphService:
    store = make_store()
    # The contested article's event lives in its own graph (docs/model.md, "Event"): stored first.
    store.replace_graphs({n: g for n, g in contested_graphs().items() if "/graph/event/" in str(n)})
    return GraphService(settings=Settings.from_env().with_(store=None, token=TOKEN), store=store)


def _put(service: GraphService, name: URIRef, graph: Graph) -> tuple[int, dict]:  # type: ignore[type-arg]
    answer = Client(service).request("PUT", "/graph-store", params={"graph": str(name)},
                                     content=graph.serialize(format="turtle"),
                                     headers={"Authorization": f"Bearer {TOKEN}", "Content-Type": "text/turtle"})
    return answer.status_code, answer.json() if answer.content else {}


def _article() -> tuple[URIRef, Graph]:
    name, graph = next((n, g) for n, g in contested_graphs().items() if "/article/" in str(n))
    copy = Graph()
    copy += graph
    return name, copy


def _typed_violation(graph: URIRef, focus: str) -> dict[str, object]:
    return {"focusNode": focus, "path": None, "value": None, "severity": "Violation",
            "message": f"[E105] In graph {format_term(graph)}, this subject has no type that a closed shape covers "
                       f"({COVERED}), so no shape checks what is said about it: type it, or leave it out.",
            "shape": "ckgsh:TypedSubject", "constraint": "sh:ClosedConstraintComponent"}


def test_one_untyped_triple_in_an_article_graph_is_refused(service: GraphService) -> None:
    name, graph = _article()
    graph.add((JUNK, JUNK_P, Literal("anything")))
    generation = service.store.generation  # type: ignore[attr-defined]
    status, body = _put(service, name, graph)
    assert status == 422
    assert body["error"] == "E040"
    assert body["report"]["results"] == [_typed_violation(name, "<https://example.org/junk>")]
    assert service.store.generation == generation  # type: ignore[attr-defined]  # nothing was written
    assert name not in service.store.named_graphs()


def test_a_type_no_closed_shape_covers_is_refused(service: GraphService) -> None:
    name, graph = _article()
    graph.add((JUNK, RDF.type, URIRef("https://example.org/Thing")))
    status, body = _put(service, name, graph)
    assert (status, body["report"]["results"]) == (422, [_typed_violation(name, "<https://example.org/junk>")])


def test_closed_shapes_apply_to_typed_subjects(service: GraphService) -> None:
    name, graph = _article()
    actor = next(graph.subjects(RDF.type, CKG.Actor))
    graph.add((actor, JUNK_P, Literal("anything")))
    status, body = _put(service, name, graph)
    assert status == 422
    assert [(r["constraint"], r["path"]) for r in body["report"]["results"]] == \
        [("sh:ClosedConstraintComponent", "<https://example.org/says>")]


def test_the_same_article_without_junk_is_accepted(service: GraphService) -> None:
    name, graph = _article()
    status, _body = _put(service, name, graph)
    assert status in (201, 204)
    assert name in service.store.named_graphs()


def test_a_flood_of_untyped_triples_is_refused_without_running_the_shapes(service: GraphService) -> None:
    name, graph = _article()
    for i in range(5000):
        graph.add((URIRef(f"https://example.org/junk/{i}"), JUNK_P, Literal(i)))
    report = service.validator.validate_delta({name: graph}, service.store)
    assert not report.conforms and report.focus_nodes == 0  # refused before any shape ran
    assert len(report.results) == MAX_REPORT_RESULTS
    assert report.results[-1].message == f"[E105] ... and {5000 - MAX_REPORT_RESULTS + 1} more subjects without such a type."


# --- conflictkg validate on a store written behind the API's back ------------------------------


def _committed(path: Path) -> None:
    with GraphService(settings=Settings.from_env().with_(store=path)) as service:
        assert service.ensure_loaded() > 0


def _validate(path: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, list[dict]]:  # type: ignore[type-arg]
    code = main(["--store", str(path), "validate", "--format", "json"])
    return code, [r for r in json.loads(capsys.readouterr().out)["results"] if r["severity"] == "Violation"]


def test_the_committed_store_passes_every_check(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _committed(tmp_path / "store")
    assert _validate(tmp_path / "store", capsys) == (0, [])


def test_junk_written_into_an_article_graph_fails_validate(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _committed(tmp_path / "store")
    store = EmbeddedStore(tmp_path / "store")
    name = next(g for g in store.named_graphs() if "/article/" in str(g))
    graph = store.graph(name)
    graph.add((JUNK, JUNK_P, Literal("anything")))
    store.replace_graph(name, graph)
    store.close()
    assert _validate(tmp_path / "store", capsys) == (1, [_typed_violation(name, "<https://example.org/junk>")])


def _reference(code: str, graph: str, what: str, detail: str) -> dict[str, object]:
    return {"focusNode": f"ckgg:{graph}", "path": None, "value": None, "severity": "Violation",
            "message": f"[{code}] The graph ckgg:{graph} {detail.format(what=what)} Rebuild the store.",
            "shape": "ckgsh:ReferenceGraph", "constraint": "sh:EqualsConstraintComponent"}


ONTOLOGY = "the shipped ontology (ontology/conflictkg.ttl)"
DICTIONARY = "the curated dictionary (data/dictionary/)"


def test_a_replaced_ontology_fails_validate(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _committed(tmp_path / "store")
    store = EmbeddedStore(tmp_path / "store")
    shipped = len(store.graph(ONTOLOGY_GRAPH))
    junk = Graph()
    junk.add((JUNK, JUNK_P, Literal("anything")))
    store.replace_graph(ONTOLOGY_GRAPH, junk)
    store.close()
    assert _validate(tmp_path / "store", capsys) == (1, [_reference(
        "E104", "ontology", ONTOLOGY,
        f"differs from {{what}}: {shipped} triples missing, 1 added (e.g. <https://example.org/junk> "
        "<https://example.org/says> anything).")])


def test_a_missing_ontology_fails_validate(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _committed(tmp_path / "store")
    store = EmbeddedStore(tmp_path / "store")
    store.drop_graph(ONTOLOGY_GRAPH)
    store.close()
    assert _validate(tmp_path / "store", capsys) == (1, [_reference("E103", "ontology", ONTOLOGY,
                                                                    "is missing: it must hold {what}.")])


def test_an_altered_dictionary_fails_validate(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _committed(tmp_path / "store")
    store = EmbeddedStore(tmp_path / "store")
    dictionary = store.graph(DICTIONARY_GRAPH)
    label = sorted(dictionary.triples((None, URIRef("http://www.w3.org/2000/01/rdf-schema#label"), None)))[0]
    dictionary.remove(label)
    store.replace_graph(DICTIONARY_GRAPH, dictionary)
    store.close()
    code, violations = _validate(tmp_path / "store", capsys)
    assert code == 1
    shown = " ".join(str(x) if isinstance(x, Literal) else "" for x in label)
    assert violations[0]["message"].startswith(
        f"[E104] The graph ckgg:dictionary differs from {DICTIONARY}: 1 triples missing, 0 added (e.g. ")
    assert shown.strip() in violations[0]["message"]


def test_a_type_stated_elsewhere_in_the_store_counts_but_not_one_being_replaced() -> None:
    """An event typed by its own graph may be described further by another graph; but a graph
    replacing the only graph that typed its subjects leaves them untyped."""
    store = make_store()
    service = GraphService(settings=Settings.from_env().with_(store=None), store=store)
    name = next(g for g in store.named_graphs() if "/article/" in str(g))
    stored = store.graph(name)
    event_graph = next(g for g in store.named_graphs() if "/graph/event/" in str(g))
    event = next(store.graph(event_graph).subjects(RDF.type, CKG.Event))
    elsewhere = Graph()
    elsewhere.add((event, URIRef("http://www.w3.org/2004/02/skos/core#altLabel"), Literal("the raid", lang="en")))
    other = URIRef(str(name) + "-other")
    assert not [r for r in service.validator.validate_delta({other: elsewhere}, store).results
                if r.shape == "ckgsh:TypedSubject"]
    untyped = Graph()
    untyped += stored
    untyped.remove((None, RDF.type, None))
    report = service.validator.validate_delta({name: untyped}, store)
    assert not report.conforms and {r.shape for r in report.results} == {"ckgsh:TypedSubject"}
    flagged = {r.focus_node for r in report.results}
    assert {format_term(c) for c in stored.subjects(RDF.type, CKG.Claim)} <= flagged  # typed only here
    assert format_term(event) not in flagged  # the event's own graph types it
