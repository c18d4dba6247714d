"""SPARQL 1.1 Protocol at /sparql over the fixture graph, on every backend: the three ways to
query, content negotiation with exact bodies, the errors (400, 406, 415, 422), the service
description and the safety refusals."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pyoxigraph as ox
import pytest

from conflictkg.service import GraphService

from fixtures_sparql import Client, backend, service_fixture  # noqa: F401

PLACES = (
    "PREFIX skos: <http://www.w3.org/2004/02/skos/core#> PREFIX ckg: <https://w3id.org/conflictkg/ontology#> "
    "SELECT ?place ?label ?type ?n WHERE { ?place ckg:placeType ?type ; skos:prefLabel ?label . "
    "BIND(STRLEN(?type) AS ?n) } ORDER BY ?place"
)
NP = "https://w3id.org/conflictkg/id/place/north-province"
VT = "https://w3id.org/conflictkg/id/place/valetown"
INT = "http://www.w3.org/2001/XMLSchema#integer"
EXPECTED = {
    "application/sparql-results+json": json.dumps({
        "head": {"vars": ["place", "label", "type", "n"]},
        "results": {"bindings": [
            {"place": {"type": "uri", "value": NP}, "label": {"type": "literal", "value": "North Province", "xml:lang": "en"},
             "type": {"type": "literal", "value": "governorate"}, "n": {"type": "literal", "value": "11", "datatype": INT}},
            {"place": {"type": "uri", "value": VT}, "label": {"type": "literal", "value": "Valetown", "xml:lang": "en"},
             "type": {"type": "literal", "value": "town"}, "n": {"type": "literal", "value": "4", "datatype": INT}},
        ]},
    }, separators=(",", ":")),
    "application/sparql-results+xml": (
        '<?xml version="1.0"?><sparql xmlns="http://www.w3.org/2005/sparql-results#"><head>'
        '<variable name="place"/><variable name="label"/><variable name="type"/><variable name="n"/></head><results>'
        f'<result><binding name="place"><uri>{NP}</uri></binding><binding name="label"><literal xml:lang="en">North Province'
        '</literal></binding><binding name="type"><literal>governorate</literal></binding><binding name="n">'
        f'<literal datatype="{INT}">11</literal></binding></result>'
        f'<result><binding name="place"><uri>{VT}</uri></binding><binding name="label"><literal xml:lang="en">Valetown'
        '</literal></binding><binding name="type"><literal>town</literal></binding><binding name="n">'
        f'<literal datatype="{INT}">4</literal></binding></result></results></sparql>'
    ),
    "text/csv": f"place,label,type,n\r\n{NP},North Province,governorate,11\r\n{VT},Valetown,town,4\r\n",
    "text/tab-separated-values": (
        f'?place\t?label\t?type\t?n\n<{NP}>\t"North Province"@en\t"governorate"\t11\n<{VT}>\t"Valetown"@en\t"town"\t4\n'
    ),
}


@pytest.fixture(scope="module")
def service(backend: str) -> Iterator[GraphService]:  # noqa: F811
    yield from service_fixture(backend, max_rows=50)


@pytest.fixture(scope="module")
def client(service: GraphService) -> Client:
    return Client(service)


@pytest.mark.parametrize("media_type", list(EXPECTED))
def test_select_bodies_are_exact_in_every_format(client: Client, media_type: str) -> None:
    r = client.get("/sparql", params={"query": PLACES}, headers={"accept": media_type})
    assert r.status_code == 200
    assert r.headers["content-type"].split(";")[0] == media_type
    assert r.text == EXPECTED[media_type]


def test_json_is_the_default_and_q_values_decide(client: Client) -> None:
    r = client.get("/sparql", params={"query": PLACES})
    assert r.headers["content-type"] == "application/sparql-results+json"
    assert r.text == EXPECTED["application/sparql-results+json"]
    r = client.get("/sparql", params={"query": PLACES},
                   headers={"accept": "application/sparql-results+json;q=0.2, text/csv;q=0.9, */*;q=0.1"})
    assert r.text == EXPECTED["text/csv"]
    r = client.get("/sparql", params={"query": PLACES}, headers={"accept": "text/*;q=0.5, text/csv;q=0"})
    assert r.text == EXPECTED["text/tab-separated-values"]


def test_post_form_and_post_direct_give_the_same_answer(client: Client) -> None:
    form = client.post("/sparql", data={"query": PLACES}, headers={"accept": "text/csv"})
    direct = client.post("/sparql", content=PLACES.encode(),
                         headers={"content-type": "application/sparql-query", "accept": "text/csv"})
    assert form.status_code == direct.status_code == 200
    assert form.text == direct.text == EXPECTED["text/csv"]


def test_form_values_are_decoded_exactly_once(client: Client) -> None:
    # "100%41" must stay "100%41" (a double decode would turn it into "100A").
    r = client.post("/sparql", data={"query": 'SELECT ?x { BIND("100%41" AS ?x) }'}, headers={"accept": "text/csv"})
    assert r.text == "x\r\n100%41\r\n"


def test_ask_and_construct(client: Client) -> None:
    r = client.get("/sparql", params={"query": f"ASK {{ <{VT}> a <https://w3id.org/conflictkg/ontology#Place> }}"})
    assert r.json() == {"head": {}, "boolean": True}
    construct = (f"CONSTRUCT {{ ?p <http://www.w3.org/2004/02/skos/core#prefLabel> ?l }} WHERE {{ VALUES ?p {{ <{VT}> }} "
                 "?p <http://www.w3.org/2004/02/skos/core#prefLabel> ?l }")
    r = client.get("/sparql", params={"query": construct}, headers={"accept": "application/n-triples"})
    assert r.status_code == 200
    assert r.text == f'<{VT}> <http://www.w3.org/2004/02/skos/core#prefLabel> "Valetown"@en .\n'
    r = client.get("/sparql", params={"query": construct})
    assert r.headers["content-type"] == "text/turtle; charset=utf-8"
    assert set(ox.parse(r.content, format=ox.RdfFormat.TURTLE)) == set(
        ox.parse(f'<{VT}> <http://www.w3.org/2004/02/skos/core#prefLabel> "Valetown"@en .'.encode(),
                 format=ox.RdfFormat.N_TRIPLES))
    for media, fmt in (("application/ld+json", ox.RdfFormat.JSON_LD), ("application/rdf+xml", ox.RdfFormat.RDF_XML)):
        r = client.get("/sparql", params={"query": construct}, headers={"accept": media})
        assert r.headers["content-type"] == media
        assert [str(t) for t in ox.parse(r.content, format=fmt)] == [
            f'<{VT}> <http://www.w3.org/2004/02/skos/core#prefLabel> "Valetown"@en']


def test_named_graphs_and_union_default_graph(client: Client, service: GraphService) -> None:
    graphs = sorted(service.sparql.known_graphs())
    assert len(graphs) == 5  # two articles, the dictionary, their event, and the event's derived graph
    assert "https://w3id.org/conflictkg/graph/derived/event/2020-03-04-north-province-attack" in graphs
    q = "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } } ORDER BY ?g"
    assert client.get("/sparql", params={"query": q}, headers={"accept": "text/csv"}).text == \
        "g\r\n" + "".join(f"{g}\r\n" for g in graphs)
    dictionary = "https://w3id.org/conflictkg/graph/dictionary"
    count = "SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a <https://w3id.org/conflictkg/ontology#Place> }"
    assert client.get("/sparql", params={"query": count}, headers={"accept": "text/csv"}).text == "n\r\n2\r\n"
    only_articles = [g for g in graphs if g != dictionary]  # and the event
    r = client.get("/sparql", params={"query": count, "default-graph-uri": only_articles}, headers={"accept": "text/csv"})
    assert r.text == "n\r\n0\r\n"
    r = client.get("/sparql", params={"query": "SELECT DISTINCT ?g { GRAPH ?g { ?s ?p ?o } }", "named-graph-uri": dictionary},
                   headers={"accept": "text/csv"})
    assert r.text == f"g\r\n{dictionary}\r\n"


def test_malformed_query_is_400_with_the_parsers_message(client: Client, service: GraphService) -> None:
    r = client.get("/sparql", params={"query": "SELECT * WHERE {\n  ?s ?p }"})
    assert r.status_code == 400
    body = r.json()
    assert body["error"] == "E051"
    assert body["message"].startswith("malformed SPARQL query: ")
    if service.sparql.embedded:  # pyoxigraph's position, in the client's text
        assert body["message"].startswith("malformed SPARQL query: error at line 2, at the end: expected ")


def test_unacceptable_accept_is_406(client: Client) -> None:
    r = client.get("/sparql", params={"query": PLACES}, headers={"accept": "image/png"})
    assert r.status_code == 406
    assert r.json()["error"] == "E059"
    r = client.get("/sparql", params={"query": "ASK {}"}, headers={"accept": "text/csv"})
    assert r.status_code == 406
    r = client.get("/sparql", headers={"accept": "text/csv"})
    assert r.status_code == 406


@pytest.mark.parametrize("content_type", ["text/plain", None, "application/json"])
def test_wrong_content_type_is_415(client: Client, content_type: str | None) -> None:
    headers = {"content-type": content_type} if content_type else {}
    r = client.post("/sparql", content=b"ASK {}", headers=headers)
    assert r.status_code == 415
    assert r.json()["error"] == "E059"


def test_row_cap_is_an_error_not_a_truncation(client: Client) -> None:
    r = client.get("/sparql", params={"query": "SELECT ?s ?p ?o { ?s ?p ?o }"})
    assert r.status_code == 422
    assert r.json() == {"error": "E057", "message": "the result has more than 50 rows, the configured cap "
                        "(--max-rows); add a LIMIT or narrow the query"}
    r = client.get("/sparql", params={"query": "SELECT ?s ?p ?o { ?s ?p ?o } LIMIT 50"}, headers={"accept": "text/csv"})
    assert r.status_code == 200
    assert r.text.count("\r\n") == 51
    r = client.get("/sparql", params={"query": "CONSTRUCT WHERE { ?s ?p ?o }"})
    assert r.status_code == 422
    assert "more than 50 triples" in r.json()["message"]


def test_service_refused(client: Client) -> None:
    r = client.get("/sparql", params={"query": "SELECT * { OPTIONAL { SERVICE SILENT <http://127.0.0.1:9/sparql> { ?s ?p ?o } } }"})
    assert r.status_code == 400
    assert r.json() == {"error": "E052", "message": "SERVICE is not allowed: conflictkg does not query other "
                        "endpoints (SERVICE <http://127.0.0.1:9/sparql>)"}
    r = client.get("/sparql", params={"query": "ASK { FILTER EXISTS { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } } }"})
    assert r.status_code == 400 and r.json()["error"] == "E052"


def test_from_a_file_is_refused(client: Client) -> None:
    for clause in ("FROM", "FROM NAMED"):
        r = client.get("/sparql", params={"query": f"SELECT * {clause} <file:///etc/hostname> {{ ?s ?p ?o }}"})
        assert r.status_code == 400
        assert r.json() == {"error": "E053", "message": f"{clause} <file:///etc/hostname> is not a graph of this "
                            "store; conflictkg never fetches graphs from the web or the file system (list the graphs "
                            "with SELECT DISTINCT ?g { GRAPH ?g { ?s ?p ?o } })"}
    r = client.get("/sparql", params={"query": "ASK {}", "default-graph-uri": "file:///etc/hostname"})
    assert r.status_code == 400 and r.json()["error"] == "E053"


def test_from_a_graph_of_the_store_is_allowed(client: Client) -> None:
    q = ("SELECT ?l FROM <https://w3id.org/conflictkg/graph/dictionary> "
         f"WHERE {{ <{VT}> <http://www.w3.org/2004/02/skos/core#prefLabel> ?l }}")
    assert client.get("/sparql", params={"query": q}, headers={"accept": "text/csv"}).text == "l\r\nValetown\r\n"


def test_protocol_misuse_is_4xx(client: Client) -> None:
    assert client.get("/sparql", params={"query": ["ASK {}", "ASK {}"]}).status_code == 400
    assert client.get("/sparql", params={"update": "CLEAR ALL"}).status_code == 400
    assert client.request("PUT", "/sparql", params={"query": "ASK {}"}).status_code == 405
    r = client.post("/sparql", content=b"ASK {}", headers={"content-type": "application/sparql-query; charset=UTF-16"})
    assert r.status_code == 400 and r.json()["error"] == "E054"


def test_service_description(client: Client, service: GraphService) -> None:
    r = client.get("/sparql")
    assert r.status_code == 200
    assert r.headers["content-type"] == "text/turtle; charset=utf-8"
    sd = "http://www.w3.org/ns/sparql-service-description#"
    store = ox.Store()
    store.load(r.content, format=ox.RdfFormat.TURTLE)
    rows = {(str(row["p"].value), row["o"].value) for row in store.query(
        "SELECT ?p ?o { ?s a <%sService> ; ?p ?o FILTER(isIRI(?o)) }" % sd)}
    assert (f"{sd}endpoint", "http://testserver/sparql") in rows
    assert (f"{sd}supportedLanguage", f"{sd}SPARQL11Query") in rows
    assert (f"{sd}supportedLanguage", f"{sd}SPARQL11Update") not in rows  # no token: read-only
    assert (f"{sd}feature", f"{sd}UnionDefaultGraph") in rows
    assert {o for p, o in rows if p == f"{sd}resultFormat"} == {
        f"http://www.w3.org/ns/formats/{f}" for f in ("SPARQL_Results_JSON", "SPARQL_Results_XML", "SPARQL_Results_CSV",
                                                     "SPARQL_Results_TSV", "Turtle", "N-Triples", "JSON-LD", "RDF_XML")}
    names = {row["n"].value for row in store.query(
        "SELECT ?n { ?s <%sdefaultDataset>/<%snamedGraph>/<%sname> ?n }" % (sd, sd, sd))}
    assert names == service.sparql.known_graphs()
    r = client.get("/sparql", headers={"accept": "application/rdf+xml"})
    assert r.headers["content-type"] == "application/rdf+xml"
    assert len(list(ox.parse(r.content, format=ox.RdfFormat.RDF_XML))) == len(list(
        ox.parse(client.get("/sparql").content, format=ox.RdfFormat.TURTLE)))


def test_no_cors_headers_by_default(client: Client) -> None:
    r = client.get("/sparql", params={"query": "ASK {}"}, headers={"origin": "http://evil.example"})
    assert "access-control-allow-origin" not in r.headers


@pytest.mark.parametrize("query,expected", [
    ("SELECT * { SERVICE <http://127.0.0.1:9/refused-twice> { ?s ?p ?o } }",
     {"error": "E052", "message": "SERVICE is not allowed: conflictkg does not query other endpoints "
                                  "(SERVICE <http://127.0.0.1:9/refused-twice>)"}),
    ("SELECT * WHERE { ?s ?p ?o . refused twice }", None),
])
def test_a_refused_query_is_refused_the_same_way_again_without_parsing(
        client: Client, monkeypatch: pytest.MonkeyPatch, query: str, expected: dict[str, str] | None) -> None:
    from conflictkg.sparql import screen

    first = client.get("/sparql", params={"query": query})
    assert first.status_code == 400
    if expected is not None:
        assert first.json() == expected
    else:
        assert first.json()["error"] == "E051"

    def no_parse(text: str) -> None:
        raise AssertionError("the screen parsed a query it has seen")

    monkeypatch.setattr(screen, "_analyse_query", no_parse)  # the answer must come from the screening cache
    second = client.get("/sparql", params={"query": query})
    assert (second.status_code, second.json()) == (400, first.json())


def test_the_screening_cache_keeps_the_dataset_checks(client: Client) -> None:
    query = "SELECT ?s WHERE { ?s ?p ?o } LIMIT 1"
    assert client.get("/sparql", params={"query": query}).status_code == 200  # screened and cached
    r = client.get("/sparql", params={"query": query, "named-graph-uri": "file:///etc/hostname"})
    assert r.status_code == 400
    assert r.json() == {"error": "E053", "message": "named-graph-uri <file:///etc/hostname> is not a graph of this "
                        "store; conflictkg never fetches graphs from the web or the file system (list the graphs "
                        "with SELECT DISTINCT ?g { GRAPH ?g { ?s ?p ?o } })"}


def test_responses_say_the_servers_own_time(client: Client) -> None:
    import re

    for r in (client.get("/sparql", params={"query": "ASK {}"}), client.get("/queries"),
              client.get("/sparql", params={"query": "ASK { SERVICE <http://x/> {} }"})):
        assert re.fullmatch(r"app;dur=\d+\.\d{3}", r.headers["server-timing"]), r.headers


@pytest.mark.parametrize("accept", ["application/sparql-results+json", "application/sparql-results+xml", "text/csv",
                                    "text/tab-separated-values"])
def test_the_row_cap_holds_in_every_format(client: Client, accept: str) -> None:
    """Results are pyoxigraph's own serialisation under a LIMIT the screen writes (cap + 1): exactly the
    cap is an answer, one row more is E057, whatever the format (quoted line ends and commas included)."""
    def values(n: int) -> str:
        return " ".join(f'"row {i}\\n, \\"quoted\\""' for i in range(n))

    ok = client.get("/sparql", params={"query": f"SELECT ?v {{ VALUES ?v {{ {values(50)} }} }}"},
                    headers={"accept": accept})
    assert ok.status_code == 200, ok.text
    if accept == "text/csv":
        import csv
        import io

        assert len(list(csv.reader(io.StringIO(ok.text, newline="")))) == 51  # the header and 50 rows
    else:
        fmt = {"application/sparql-results+json": ox.QueryResultsFormat.JSON,
               "application/sparql-results+xml": ox.QueryResultsFormat.XML,
               "text/tab-separated-values": ox.QueryResultsFormat.TSV}[accept]
        assert [s["v"].value for s in ox.parse_query_results(ok.content, format=fmt)] == [  # type: ignore[union-attr,index]
            f'row {i}\n, "quoted"' for i in range(50)]
    over = client.get("/sparql", params={"query": f"SELECT ?v {{ VALUES ?v {{ {values(51)} }} }}"},
                      headers={"accept": accept})
    assert (over.status_code, over.json()["error"]) == (422, "E057")
    capped = client.get("/sparql", params={"query": f"SELECT ?v {{ VALUES ?v {{ {values(51)} }} }} LIMIT 50"},
                        headers={"accept": accept})
    assert capped.status_code == 200
