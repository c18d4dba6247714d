"""Issue 16: each defect the W3C suites and real clients found in the update and Graph Store paths,
reproduced through the real app (on every backend where the backend can show it)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from conflictkg.service import GraphService

from fixtures_sparql import TOKEN, Client, RecordingGate, backend, service_fixture, with_gate  # noqa: F401

AUTH = {"authorization": f"Bearer {TOKEN}"}
UPDATE = {"content-type": "application/sparql-update", **AUTH}
NT = {"accept": "application/n-triples"}
G = "http://example.org/conflictkg-test/defects"


@pytest.fixture(scope="module")
def service(backend: str) -> Iterator[GraphService]:  # noqa: F811
    for service in service_fixture(backend, token=TOKEN):
        yield with_gate(service, RecordingGate())
        service.sparql.close()


@pytest.fixture(scope="module")
def client(service: GraphService) -> Client:
    return Client(service)


def _update(client: Client, text: str) -> tuple[int, dict[str, object]]:
    r = client.post("/update", content=text, headers=UPDATE)
    return r.status_code, r.json()


# 1. relative graph IRIs answered 500 (the screen kept rdflib's unresolved IRI)


def test_relative_graph_iris_resolve_against_the_endpoint(client: Client) -> None:
    resolved = "http://testserver/G"
    assert _update(client, 'INSERT DATA { GRAPH <G> { <a:s> <a:p> "x" } }') == (200, {"graphs": [resolved]})
    assert _update(client, 'WITH <G> DELETE { <a:s> <a:p> "x" } INSERT { <a:s> <a:p> "y" } WHERE { <a:s> <a:p> "x" }') \
        == (200, {"graphs": [resolved]})
    assert client.get("/graph-store", params={"graph": resolved}, headers=NT).text == '<a:s> <a:p> "y" .\n'
    assert _update(client, "BASE <http://example.org/base/> DROP SILENT GRAPH <../G>") == \
        (200, {"graphs": ["http://example.org/G"]})
    assert _update(client, "DROP SILENT GRAPH <G>") == (200, {"graphs": [resolved]})
    assert client.get("/graph-store", params={"graph": resolved}).status_code == 404


# 2. an update holding only a comment, BASE or PREFIX was refused with an internal message


@pytest.mark.parametrize("text", ["# nothing to do", "BASE <http://example.org/>", "PREFIX ex: <http://example.org/>",
                                  "PREFIX ex: <http://example.org/> ;", ""])
def test_an_update_with_no_operation_does_nothing(client: Client, text: str) -> None:
    assert _update(client, text) == (200, {"graphs": []})


# 3. empty named graphs could not exist


def test_created_graphs_exist_while_empty(client: Client, service: GraphService) -> None:
    if not service.sparql.embedded:
        pytest.skip("the remote backend lists graphs by their triples: an empty graph does not show there")
    assert _update(client, f"CREATE GRAPH <{G}>") == (200, {"graphs": [G]})
    assert _update(client, f"CREATE GRAPH <{G}>") == (400, {"error": "E093", "message": "the update cannot be "
                                                            f"applied: The graph <{G}> already exists"})
    r = client.get("/graph-store", params={"graph": G}, headers=NT)
    assert (r.status_code, r.text) == (200, "")
    assert _update(client, f"DROP GRAPH <{G}>") == (200, {"graphs": [G]})
    assert client.get("/graph-store", params={"graph": G}).status_code == 404


def test_an_empty_put_keeps_an_empty_graph_and_so_does_deleting_its_last_triple(client: Client,
                                                                                service: GraphService) -> None:
    if not service.sparql.embedded:
        pytest.skip("the remote backend lists graphs by their triples: an empty graph does not show there")
    r = client.request("PUT", "/graph-store", params={"graph": G}, content=b"",
                       headers={"content-type": "text/turtle", **AUTH})
    assert r.status_code == 201
    assert (client.get("/graph-store", params={"graph": G}, headers=NT).status_code) == 200
    assert _update(client, f'INSERT DATA {{ GRAPH <{G}> {{ <a:s> <a:p> "last" }} }}') == (200, {"graphs": [G]})
    assert _update(client, f'DELETE DATA {{ GRAPH <{G}> {{ <a:s> <a:p> "last" }} }}') == (200, {"graphs": [G]})
    r = client.get("/graph-store", params={"graph": G}, headers=NT)
    assert (r.status_code, r.text) == (200, "")
    description = client.get("/sparql", headers=NT).text  # the service description lists the named graphs
    assert f"<http://www.w3.org/ns/sparql-service-description#name> <{G}> .\n" in description
    assert client.request("DELETE", "/graph-store", params={"graph": G}, headers=AUTH).status_code == 204
    assert client.get("/graph-store", params={"graph": G}).status_code == 404


# 4. HEAD answered 405


def test_head_gives_the_get_headers_without_the_body(client: Client) -> None:
    assert client.request("PUT", "/graph-store", params={"graph": G}, content=b"<a:s> <a:p> <a:o> .",
                          headers={"content-type": "application/n-triples", **AUTH}).status_code in (201, 204)
    for path, params in (("/sparql", {"query": "ASK {}"}), ("/sparql", {}), ("/graph-store", {"graph": G})):
        get = client.get(path, params=params)
        head = client.request("HEAD", path, params=params)
        assert (head.status_code, head.content) == (200, b"")
        assert head.headers["content-type"] == get.headers["content-type"]
        assert head.headers["content-length"] == str(len(get.content))
    assert client.request("HEAD", "/graph-store", params={"graph": G + "/missing"}).status_code == 404
    assert client.request("DELETE", "/graph-store", params={"graph": G}, headers=AUTH).status_code == 204


# 5. /graph-store re-serialised literals through rdflib and disagreed with /sparql


def test_the_graph_store_and_sparql_give_a_stored_literal_alike(client: Client) -> None:
    data = ('<http://example.org/s> <http://example.org/p> "1.5"^^<http://www.w3.org/2001/XMLSchema#decimal> .\n'
            '<http://example.org/s> <http://example.org/q> "0.815"^^<http://www.w3.org/2001/XMLSchema#decimal> .\n')
    assert client.request("PUT", "/graph-store", params={"graph": G}, content=data.encode(),
                          headers={"content-type": "application/n-triples", **AUTH}).status_code in (201, 204)
    gsp = client.get("/graph-store", params={"graph": G}, headers=NT).text
    construct = client.get("/sparql", params={"query": f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{G}> {{ ?s ?p ?o }} }}"},
                           headers=NT).text
    assert sorted(gsp.splitlines()) == sorted(construct.splitlines()) == sorted(data.splitlines())
    assert client.request("DELETE", "/graph-store", params={"graph": G}, headers=AUTH).status_code == 204


# 6. error codes: nested SERVICE, unknown functions, update runtime errors


def test_the_errors_carry_their_own_codes(client: Client, service: GraphService) -> None:
    nested = "SELECT * { " + "{ " * 40 + "SERVICE <http://example.org/sparql> { ?s ?p ?o } " + "} " * 40 + "}"
    r = client.get("/sparql", params={"query": nested})
    assert (r.status_code, r.json()["error"]) == (400, "E052")
    if service.sparql.embedded:
        r = client.get("/sparql", params={"query": "SELECT (<http://example.org/nope>(1) AS ?x) {}"})
        assert (r.status_code, r.json()) == (400, {"error": "E094", "message": "the query cannot be evaluated: The "
                                                   "custom function <http://example.org/nope> is not supported"})
    assert _update(client, "DROP GRAPH <http://example.org/conflictkg-test/missing>") == (400, {
        "error": "E093", "message": "the update cannot be applied: The graph "
        "<http://example.org/conflictkg-test/missing> does not exist"})


# 7. the pre-declared prefixes (documented in docs/sparql.md)


def test_the_pre_declared_prefixes_are_the_documented_ones(client: Client) -> None:
    from pathlib import Path

    from conflictkg.namespaces import PREFIXES

    doc = (Path(__file__).resolve().parents[1] / "docs" / "sparql.md").read_text(encoding="utf-8")
    for prefix, iri in PREFIXES.items():
        assert f"| `{prefix}:` | `{iri}` |" in doc
    r = client.get("/sparql", params={"query": "ASK { ?c a ckg:Claim }"})
    assert r.status_code == 200


# 3 (a real client): rdflib's SPARQLUpdateStore failed on len(g) once a graph lost its last triple


def test_rdflib_sparql_update_store_works_on_a_graph_that_lost_its_last_triple() -> None:
    import socket
    import threading
    import time

    import uvicorn
    from rdflib import Graph, Literal, URIRef
    from rdflib.plugins.stores.sparqlstore import SPARQLUpdateStore

    from conflictkg.api.app import create_app

    from fixtures_sparql import make_service

    service = with_gate(make_service(token=TOKEN), RecordingGate())
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(create_app(service), log_level="warning"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    try:
        for _ in range(200):
            if server.started:
                break
            time.sleep(0.05)
        store = SPARQLUpdateStore(f"http://127.0.0.1:{port}/sparql", f"http://127.0.0.1:{port}/update",
                                  headers={"Authorization": f"Bearer {TOKEN}"})
        graph = Graph(store, identifier=URIRef(G))
        triple = (URIRef("http://example.org/s"), URIRef("http://example.org/p"), Literal("last"))
        graph.add(triple)
        assert len(graph) == 1
        graph.remove(triple)
        assert len(graph) == 0
        assert list(graph) == []
        store.close()
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        service.close()
