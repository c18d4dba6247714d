"""The default graph is the union of the named graphs, stored (conflictkg.store): each distinct triple
once however many article graphs state it (pyoxigraph's own union view gave one solution per graph,
oxigraph#1919), maintained by every write, built once for a store written before."""

from __future__ import annotations

import json
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Graph, Literal, URIRef

from conflictkg.config import Settings
from conflictkg.service import GraphService
from conflictkg.store import UNION_MARKER, EmbeddedStore

from fixtures_sparql import TOKEN, Client, RecordingGate, with_gate

A1, A2 = URIRef("https://example.org/article/1"), URIRef("https://example.org/article/2")
S, P, Q = URIRef("https://example.org/s"), URIRef("https://example.org/p"), URIRef("https://example.org/q")
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { <https://example.org/s> ?p ?o }"
AUTH = {"authorization": f"Bearer {TOKEN}"}


def _graph(*triples: tuple[URIRef, URIRef, object]) -> Graph:
    g = Graph()
    for t in triples:
        g.add(t)  # type: ignore[arg-type]
    return g


def _count(client: Client, query: str = COUNT) -> int:
    response = client.get("/sparql", params={"query": query}, headers={"accept": "application/sparql-results+json"})
    assert response.status_code == 200, response.text
    return int(json.loads(response.content)["results"]["bindings"][0]["n"]["value"])


def _default_graph(store: EmbeddedStore) -> set[str]:
    return {f"{q.subject} {q.predicate} {q.object}" for q in store.oxigraph.quads_for_pattern(None, None, None, ox.DefaultGraph())}


@pytest.fixture(params=["memory", "disk"])
def service(request: pytest.FixtureRequest, tmp_path: Path) -> GraphService:
    store = tmp_path / "store" if request.param == "disk" else None
    settings = Settings().with_(store=store, token=TOKEN, query_workers=1, reserved_workers=0)
    svc = with_gate(GraphService(settings=settings), RecordingGate())
    yield svc
    svc.close()


def test_count_of_a_triple_restated_in_two_article_graphs_is_one(service: GraphService) -> None:
    restated = (S, P, Literal("five killed"))
    service.store.replace_graphs({A1: _graph(restated, (S, Q, Literal("a"))), A2: _graph(restated)})
    client = Client(service)
    assert _count(client) == 2  # (s p "five killed") once, (s q "a") once: not 3
    body = client.get("/sparql", params={"query": "SELECT ?o WHERE { <https://example.org/s> <https://example.org/p> ?o }"},
                      headers={"accept": "text/csv"}).text
    assert body == "o\r\nfive killed\r\n"
    # the named graphs still say who stated it
    graphs = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { <https://example.org/s> <https://example.org/p> ?o } }"
    assert _count(client, graphs) == 2


def test_every_write_keeps_the_union_exact(service: GraphService) -> None:
    client = Client(service)
    for graph, content in ((A1, "<https://example.org/s> <https://example.org/p> \"five killed\" .\n"
                                "<https://example.org/s> <https://example.org/q> \"a\" ."),
                           (A2, "<https://example.org/s> <https://example.org/p> \"five killed\" .")):
        response = client.request("PUT", "/graph-store", params={"graph": str(graph)}, content=content.encode(),
                                  headers={**AUTH, "content-type": "application/n-triples"})
        assert response.status_code == 201, response.text
    assert _count(client) == 2
    # A1 replaced without the restated triple: A2 still states it, so it stays; (s q "a") goes
    response = client.request("PUT", "/graph-store", params={"graph": str(A1)}, content=b"<https://example.org/s> "
                              b"<https://example.org/q> \"b\" .", headers={**AUTH, "content-type": "application/n-triples"})
    assert response.status_code == 204, response.text
    store: EmbeddedStore = service.store  # type: ignore[assignment]
    assert _default_graph(store) == {'<https://example.org/s> <https://example.org/p> "five killed"',
                                     '<https://example.org/s> <https://example.org/q> "b"'}
    assert client.request("DELETE", "/graph-store", params={"graph": str(A2)}, headers=AUTH).status_code == 204
    assert _default_graph(store) == {'<https://example.org/s> <https://example.org/q> "b"'}
    update = ("INSERT DATA { GRAPH <https://example.org/article/2> { <https://example.org/s> <https://example.org/q> \"b\" } }")
    response = client.post("/update", content=update.encode(), headers={**AUTH, "content-type": "application/sparql-update"})
    assert response.status_code == 200, response.text
    assert _count(client) == 1
    assert client.request("DELETE", "/graph-store", params={"graph": str(A1)}, headers=AUTH).status_code == 204
    assert (_count(client), _default_graph(store)) == (1, {'<https://example.org/s> <https://example.org/q> "b"'})


def test_blank_nodes_are_the_same_terms_in_the_default_and_the_named_graph(tmp_path: Path) -> None:
    store = EmbeddedStore(tmp_path / "store")
    node = ox.BlankNode("b1")
    store.replace_graphs({A1: [ox.Triple(node, ox.NamedNode(str(P)), ox.Literal("x"))]})
    store.replace_graphs({A1: [ox.Triple(node, ox.NamedNode(str(P)), ox.Literal("x")),
                               ox.Triple(node, ox.NamedNode(str(Q)), ox.Literal("y"))]})  # an update, not an insert
    rows = store.select("SELECT ?s WHERE { ?s <https://example.org/q> ?o . GRAPH ?g { ?s <https://example.org/p> ?o2 } }")
    assert len(rows) == 1
    assert len(_default_graph(store)) == 2
    store.close()


def test_a_store_written_before_gets_its_union_built_once(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "store"
    old = ox.Store(str(path))  # as an earlier conflictkg left it: named graphs only, an empty default graph
    for graph in (A1, A2):
        old.add(ox.Quad(ox.NamedNode(str(S)), ox.NamedNode(str(P)), ox.Literal("five"), ox.NamedNode(str(graph))))
    old.add(ox.Quad(ox.NamedNode(str(S)), ox.NamedNode(str(Q)), ox.Literal("a"), ox.NamedNode(str(A1))))
    old.flush()
    del old
    store = EmbeddedStore(path)
    assert (store.union_default_graph, (path / UNION_MARKER).exists(), _default_graph(store)) == (False, False, set())
    # until it is built, reads use pyoxigraph's union view (which repeats the restated triple)
    assert len(store.select(COUNT.replace("(COUNT(*) AS ?n)", "?p ?o"))) == 3
    store.close()
    service = GraphService(settings=Settings().with_(store=path, turtle_dir=tmp_path / "turtle"))
    service.ensure_loaded()
    err = capsys.readouterr().err
    assert "building it once" in err and "from 3 quads" in err
    assert service.store.union_default_graph  # type: ignore[attr-defined]
    assert len(service.store.select(COUNT.replace("(COUNT(*) AS ?n)", "?p ?o"))) == 2
    service.close()
    service = GraphService(settings=Settings().with_(store=path, turtle_dir=tmp_path / "turtle"))
    service.ensure_loaded()  # once: the marker says it is there
    assert "building" not in capsys.readouterr().err
    assert service.store.triple_count() == 3  # quads of the named graphs (the default graph is not counted)
    service.close()


def test_a_replace_by_differences_keeps_each_graph_exact_and_the_union(tmp_path: Path) -> None:
    """A replace of stored graphs writes only their differences (EmbeddedStore._diff_text): what each named
    graph ends with, which graphs exist, and the default graph are those of a drop-and-insert."""
    store = EmbeddedStore(tmp_path / "store")
    decimal = URIRef("http://www.w3.org/2001/XMLSchema#decimal")
    store.replace_graphs({A1: _graph((S, P, Literal("five killed")), (S, Q, Literal("a"))),
                          A2: _graph((S, P, Literal("five killed")), (S, Q, Literal("1.0", datatype=decimal)))})
    store.replace_graphs({A1: _graph((S, Q, Literal("b"))),  # loses a triple A2 holds and one only it held
                          A2: _graph((S, P, Literal("five killed")), (S, Q, Literal("1.00", datatype=decimal)))})
    assert _default_graph(store) == {'<https://example.org/s> <https://example.org/p> "five killed"',
                                     '<https://example.org/s> <https://example.org/q> "b"',
                                     '<https://example.org/s> <https://example.org/q> "1"^^<http://www.w3.org/2001/XMLSchema#decimal>'}
    store.replace_graphs({A1: [], A2: None})  # A1 kept, empty; A2 dropped
    assert (store.named_graphs(), _default_graph(store), store.triples(A1)) == ([A1], set(), [])
    store.close()
