"""Writes: SPARQL Update at /update and the Graph Store Protocol at /graph-store, on every
backend. Refused without the server's token; validated (gate) and atomic with it."""

from __future__ import annotations

import importlib.util
from collections.abc import Iterator

import pytest

from conflictkg.service import GraphService

from fixtures_sparql import TOKEN, Client, RecordingGate, backend, service_fixture, with_gate  # noqa: F401

G = "http://example.org/conflictkg-test/notes"
AUTH = {"authorization": f"Bearer {TOKEN}"}
UPDATE = {"content-type": "application/sparql-update"}
ASK_NOTE = f'ASK {{ GRAPH <{G}> {{ <http://example.org/s> <http://example.org/p> "note" }} }}'
HAS_VALIDATION = importlib.util.find_spec("conflictkg.validation") is not None


@pytest.fixture(scope="module")
def gate() -> RecordingGate:
    return RecordingGate(refuse=("http://example.org/conflictkg-test/refused",))


@pytest.fixture(scope="module")
def service(backend: str, gate: RecordingGate) -> Iterator[GraphService]:  # noqa: F811
    for service in service_fixture(backend, token=TOKEN):
        yield with_gate(service, gate)
        service.sparql.close()


@pytest.fixture(scope="module")
def client(service: GraphService) -> Client:
    return Client(service)


def _ask(client: Client, query: str) -> bool:
    r = client.get("/sparql", params={"query": query})
    assert r.status_code == 200, r.text
    return r.json()["boolean"]  # type: ignore[no-any-return]


def test_read_only_without_a_configured_token(backend: str) -> None:  # noqa: F811
    for service in service_fixture(backend):
        client = Client(service)
        r = client.post("/update", content=f'INSERT DATA {{ GRAPH <{G}> {{ <a:s> <a:p> "x" }} }}',
                        headers={**UPDATE, **AUTH})
        assert r.status_code == 403
        assert r.json() == {"error": "E058", "message": "this server is read-only: start it with --token "
                            "(CONFLICTKG_TOKEN) to accept writes"}
        r = client.request("PUT", "/graph-store", params={"graph": G}, content=b"<a:s> <a:p> <a:o> .",
                           headers={"content-type": "text/turtle", **AUTH})
        assert r.status_code == 403


def test_update_without_the_token_is_refused_and_with_it_succeeds(client: Client, gate: RecordingGate) -> None:
    update = f'INSERT DATA {{ GRAPH <{G}> {{ <http://example.org/s> <http://example.org/p> "note" }} }}'
    r = client.post("/update", content=update, headers=UPDATE)
    assert r.status_code == 401
    assert r.headers["www-authenticate"] == 'Bearer realm="conflictkg"'
    assert r.json()["error"] == "E058"
    r = client.post("/update", content=update, headers={**UPDATE, "authorization": "Bearer wrong"})
    assert r.status_code == 401
    assert not _ask(client, ASK_NOTE)
    calls = len(gate.calls)
    r = client.post("/update", content=update, headers={**UPDATE, **AUTH})
    assert r.status_code == 200
    assert r.json() == {"graphs": [G]}
    assert gate.calls[calls:] == [{G: 1}]  # the gate saw exactly the changed graph, with its new content
    assert _ask(client, ASK_NOTE)
    r = client.post("/update", data={"update": f"DROP GRAPH <{G}>"}, headers=AUTH)
    assert r.status_code == 200 and r.json() == {"graphs": [G]}
    assert not _ask(client, ASK_NOTE)


def test_where_sees_the_union_default_graph(client: Client) -> None:
    update = (f"PREFIX ckg: <https://w3id.org/conflictkg/ontology#> INSERT {{ GRAPH <{G}> {{ ?p a ckg:Seen }} }} "
              "WHERE { ?p a ckg:Place }")
    assert client.post("/update", content=update, headers={**UPDATE, **AUTH}).status_code == 200
    r = client.get("/sparql", params={"query": f"SELECT ?p {{ GRAPH <{G}> {{ ?p a ?t }} }} ORDER BY ?p"},
                   headers={"accept": "text/csv"})
    assert r.text == ("p\r\nhttps://w3id.org/conflictkg/id/place/north-province\r\n"
                      "https://w3id.org/conflictkg/id/place/valetown\r\n")
    assert client.post("/update", content=f"DROP GRAPH <{G}>", headers={**UPDATE, **AUTH}).status_code == 200


def test_refused_updates(client: Client) -> None:
    cases = {
        "LOAD <file:///etc/hostname>": "E052",
        f"LOAD <file:///etc/hostname> INTO GRAPH <{G}>": "E052",
        'INSERT DATA { <a:s> <a:p> "default graph" }': "E054",
        "INSERT { GRAPH <a:g> { ?s ?p ?o } } WHERE { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }": "E052",
        "INSERT { GRAPH <a:g> { ?s ?p ?o } } USING <file:///etc/passwd> WHERE { ?s ?p ?o }": "E053",
        "CLEAR XYZ": "E051",
    }
    for update, code in cases.items():
        r = client.post("/update", content=update, headers={**UPDATE, **AUTH})
        assert r.status_code == 400, update
        assert r.json()["error"] == code, update
    r = client.post("/update", content="LOAD <file:///etc/hostname>", headers={**UPDATE, **AUTH})
    assert r.json()["message"] == ("LOAD is not allowed: conflictkg never fetches data from the web or the file "
                                   "system (LOAD <file:///etc/hostname>); upload Turtle to /graph-store instead")


def test_a_failing_update_changes_nothing(client: Client) -> None:
    # The first operation would insert; the second fails (no such graph): nothing is applied.
    update = (f'INSERT DATA {{ GRAPH <{G}> {{ <http://example.org/s> <http://example.org/p> "note" }} }} ; '
              "DROP GRAPH <http://example.org/conflictkg-test/never>")
    r = client.post("/update", content=update, headers={**UPDATE, **AUTH})
    assert r.status_code == 400
    assert r.json() == {"error": "E093", "message": "the update cannot be applied: The graph "
                        "<http://example.org/conflictkg-test/never> does not exist"}
    assert not _ask(client, ASK_NOTE)


def test_a_write_the_gate_refuses_changes_nothing(client: Client) -> None:
    refused = "http://example.org/conflictkg-test/refused"
    update = (f'INSERT DATA {{ GRAPH <{G}> {{ <http://example.org/s> <http://example.org/p> "note" }} '
              f'GRAPH <{refused}> {{ <a:s> <a:p> "x" }} }}')
    r = client.post("/update", content=update, headers={**UPDATE, **AUTH})
    assert r.status_code == 422
    assert r.json() == {"error": "E040", "message": f"test gate refuses <{refused}>", "report": {"refused": refused}}
    assert not _ask(client, ASK_NOTE)


def test_graph_store_protocol(client: Client) -> None:
    turtle = b'@prefix ex: <http://example.org/> . ex:s ex:p "note" ; ex:q ex:o .'
    headers = {"content-type": "text/turtle", **AUTH}
    assert client.request("PUT", "/graph-store", params={"graph": G}, content=turtle,
                          headers={"content-type": "text/turtle"}).status_code == 401
    assert client.request("PUT", "/graph-store", params={"graph": G}, content=turtle, headers=headers).status_code == 201
    assert client.request("PUT", "/graph-store", params={"graph": G}, content=turtle, headers=headers).status_code == 204
    r = client.get("/graph-store", params={"graph": G}, headers={"accept": "application/n-triples"})
    assert r.status_code == 200
    assert r.text == ('<http://example.org/s> <http://example.org/p> "note" .\n'
                      "<http://example.org/s> <http://example.org/q> <http://example.org/o> .\n")
    more = b"<http://example.org/t> <http://example.org/p> <http://example.org/o> ."
    r = client.post("/graph-store", params={"graph": G}, content=more,
                    headers={"content-type": "application/n-triples", **AUTH})
    assert r.status_code == 204
    r = client.get("/graph-store", params={"graph": G}, headers={"accept": "application/n-triples"})
    assert r.text.count("\n") == 3
    assert client.request("DELETE", "/graph-store", params={"graph": G}, headers=AUTH).status_code == 204
    assert client.get("/graph-store", params={"graph": G}).status_code == 404
    assert client.request("DELETE", "/graph-store", params={"graph": G}, headers=AUTH).status_code == 404
    r = client.request("PUT", "/graph-store", params={"default": ""}, content=turtle, headers=headers)
    assert r.status_code == 400 and r.json()["error"] == "E054"
    r = client.request("PUT", "/graph-store", params={"graph": G}, content=turtle,
                       headers={"content-type": "application/json", **AUTH})
    assert r.status_code == 415


def test_rdf_xml_entities_are_refused_before_parsing(client: Client) -> None:
    laughs = (b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaaaaaaaa">'
              + b"".join(b'<!ENTITY %s "%s">' % (chr(98 + i).encode(), (b"&" + chr(97 + i).encode() + b";") * 10)
                         for i in range(9))
              + b']><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:ex="http://example.org/">'
              b'<rdf:Description rdf:about="http://example.org/s"><ex:p>&j;</ex:p></rdf:Description></rdf:RDF>')
    r = client.request("PUT", "/graph-store", params={"graph": G}, content=laughs,
                       headers={"content-type": "application/rdf+xml", **AUTH})
    assert r.status_code == 400
    assert r.json() == {"error": "E052", "message": "RDF/XML with a DTD or entity declarations is refused"}
    plain = (b'<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:ex="http://example.org/">'
             b'<rdf:Description rdf:about="http://example.org/s"><ex:p>x</ex:p></rdf:Description></rdf:RDF>')
    r = client.request("PUT", "/graph-store", params={"graph": G}, content=plain,
                       headers={"content-type": "application/rdf+xml", **AUTH})
    assert r.status_code == 201
    assert client.request("DELETE", "/graph-store", params={"graph": G}, headers=AUTH).status_code == 204


@pytest.mark.skipif(not HAS_VALIDATION, reason="the SHACL gate conflictkg.validation (issue 3) is not in the tree yet")
def test_the_real_shacl_gate_refuses_an_invalid_claim(backend: str) -> None:  # noqa: F811
    for service in service_fixture(backend, token=TOKEN):
        client = Client(service)
        bad = ("PREFIX ckg: <https://w3id.org/conflictkg/ontology#> INSERT DATA { GRAPH <https://w3id.org/conflictkg/"
               "graph/article/0000000000000000> { <https://w3id.org/conflictkg/id/claim/x> a ckg:Claim } }")
        r = client.post("/update", content=bad, headers={**UPDATE, **AUTH})
        assert r.status_code == 422
        body = r.json()
        assert body["error"] == "E040"
        assert body["message"] == "the write breaks the SHACL shapes; nothing was changed"
        assert body["report"]["conforms"] is False
        found = {(res["focusNode"], res["path"]) for res in body["report"]["results"]}
        assert {("ckgid:claim/x", "ckg:certainty"), ("ckgid:claim/x", "prov:wasAttributedTo")} <= found
        assert not _ask(client, "ASK { <https://w3id.org/conflictkg/id/claim/x> ?p ?o }")
        good = service.store.graph(sorted(service.store.named_graphs())[0]).serialize(format="nt").encode()
        r = client.request("PUT", "/graph-store", params={"graph": "https://w3id.org/conflictkg/graph/article/copy"},
                           content=good, headers={"content-type": "application/n-triples", **AUTH})
        assert r.status_code == 201, r.text
