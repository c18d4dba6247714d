"""The W3C SPARQL 1.1 suites (../shared/w3c/sparql11/) through the real HTTP app: query and update
syntax (positive and negative, federation syntax too), query evaluation through /sparql with the
data loaded through /graph-store, update evaluation through /update, the Graph Store Protocol
manifest, and the service description tests. (The protocol manifest: tests/test_sparql_w3c.py.)

Every test passes or is skipped for the reason tests/fixtures_w3c.py gives it in its one list
(SKIPS); the counts per suite are printed at the end of the session. A test's base IRI is its
file's W3C IRI (a ``BASE`` line put before the request, as the W3C harnesses resolve relative
IRIs against the file), and a test's default-graph data goes into one named graph, which the
union default graph shows.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import pyoxigraph as ox
import pytest
from rdflib import Graph, URIRef
from rdflib.collection import Collection
from rdflib.compare import isomorphic
from rdflib.namespace import RDF, RDFS

from conflictkg.service import GraphService

from fixtures_sparql import TOKEN, Client, make_service, with_gate
from fixtures_w3c import MF, QT, SKIPS, UT, W3C_BASE, W3CTest, local, params, suite_tests

AUTH = {"authorization": f"Bearer {TOKEN}"}
#: Where a test's default-graph data goes (the default graph is the union of the named graphs).
DEFAULT_HOLDER = "http://testserver/w3c/default-graph"
SYNTAX_SUITES = ["syntax-query", "syntax-update-1", "syntax-update-2", "syntax-fed"]
EVALUATION_SUITES = [
    "add", "aggregates", "basic-update", "bind", "bindings", "cast", "clear", "construct", "copy", "csv-tsv-res",
    "delete-data", "delete-insert", "delete-where", "delete", "drop", "entailment", "exists", "functions",
    "grouping", "json-res", "move", "negation", "project-expression", "property-path", "service", "subquery",
    "update-silent",
]
RDF_TYPES = {".ttl": "text/turtle", ".nt": "application/n-triples", ".rdf": "application/rdf+xml"}
RESULT_FORMATS = {".srx": ox.QueryResultsFormat.XML, ".srj": ox.QueryResultsFormat.JSON,
                  ".csv": ox.QueryResultsFormat.CSV, ".tsv": ox.QueryResultsFormat.TSV}
RESULT_TYPES = {".srx": "application/sparql-results+json", ".srj": "application/sparql-results+json",
                ".csv": "text/csv", ".tsv": "text/tab-separated-values"}


def _collect(suites: list[str], kinds: tuple[str, ...]) -> list[W3CTest]:
    return [t for suite in suites if (local(W3C_BASE + suite) / "manifest.ttl").exists()
            for t in suite_tests(suite) if t.kind in kinds]


SYNTAX = ("PositiveSyntaxTest11", "NegativeSyntaxTest11", "PositiveUpdateSyntaxTest11", "NegativeUpdateSyntaxTest11")


@pytest.fixture(scope="module")
def service() -> Iterator[GraphService]:
    service = with_gate(make_service(graphs={}, token=TOKEN), lambda graphs: None)  # W3C data is not conflictkg's
    yield service
    service.close()


@pytest.fixture(scope="module")
def client(service: GraphService) -> Client:
    return Client(service)


def _reset(service: GraphService) -> None:
    names = service.store.named_graphs()
    if names:
        service.store.replace_graphs({name: None for name in names})


def _put(client: Client, graph: str, path: Any, *, merge: bool = False) -> None:
    """Upload a test's data file into ``graph`` through the Graph Store Protocol, as N-Triples with its
    relative IRIs resolved against the file's own W3C IRI (what a GSP upload cannot say)."""
    file = local(path)
    fmt = {".ttl": ox.RdfFormat.TURTLE, ".nt": ox.RdfFormat.N_TRIPLES, ".rdf": ox.RdfFormat.RDF_XML}[file.suffix]
    triples = list(ox.parse(path=str(file), format=fmt, base_iri=str(path)))
    if not triples and not merge:
        return  # an empty default graph is no graph at all
    data = ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES)
    r = client.request("POST" if merge else "PUT", "/graph-store", params={"graph": graph}, content=data,
                       headers={"content-type": "application/n-triples", **AUTH})
    assert r.status_code in (201, 204), (graph, file.name, r.text)


def _with_base(text: str, iri: str) -> str:
    return f"BASE <{iri}>\n{text}"


# --- syntax ------------------------------------------------------------------------------------


def _syntax(test: W3CTest, service: GraphService, client: Client) -> None:
    action = test.graph.value(test.node, MF.action)
    text = local(action).read_text(encoding="utf-8")
    _reset(service)
    if "Update" in test.kind:
        r = client.post("/update", content=text.encode(), headers={"content-type": "application/sparql-update", **AUTH})
    else:
        r = client.post("/sparql", content=text.encode(), headers={"content-type": "application/sparql-query"})
    if test.kind.startswith("Positive"):
        # parsed: answered, or refused by the engine after parsing (the data: DROP of a missing graph, E093;
        # a call of a function pyoxigraph does not know, E094)
        assert r.status_code == 200 or (r.status_code == 400 and r.json()["error"] in ("E093", "E094")), r.text
    else:  # refused before anything ran: by the parser (E051) or the screen (E052-E054)
        assert r.status_code == 400, r.text
        assert r.json()["error"] in ("E051", "E052", "E053", "E054"), r.text


@pytest.mark.parametrize("test", params(_collect(SYNTAX_SUITES, SYNTAX)))
def test_w3c_syntax(test: W3CTest, service: GraphService, client: Client) -> None:
    _syntax(test, service, client)


# --- query evaluation ----------------------------------------------------------------------------


XSD = "http://www.w3.org/2001/XMLSchema#"
_NUMERIC = {XSD + t for t in ("integer", "decimal", "double", "float", "int", "long", "short", "byte",
                              "nonNegativeInteger", "positiveInteger", "negativeInteger", "nonPositiveInteger",
                              "unsignedInt", "unsignedLong", "unsignedShort", "unsignedByte")}


def _key(term: Any) -> str:
    """A term's identity for comparing results: numbers by value and datatype (``1.0`` and ``1`` are the
    same decimal), every other term by its N-Triples form."""
    if isinstance(term, ox.Literal) and term.datatype.value in _NUMERIC:
        try:
            from decimal import Decimal

            return f"{Decimal(term.value.strip()).normalize()}^^{term.datatype.value}"
        except ArithmeticError:
            return str(term)
    return "_:" if isinstance(term, ox.BlankNode) else str(term)


def _terms(solution: Any, variables: list[str]) -> dict[str, Any]:
    return {v: solution[v] for v in variables if solution[v] is not None}


RS = "http://www.w3.org/2001/sw/DataAccess/tests/result-set#"


def _rdf_results(path: Any, base: str) -> tuple[bool | None, list[dict[str, Any]], bool]:
    """A result set written in RDF (the rs: vocabulary): (boolean or None, solutions, ordered)."""
    graph = Graph().parse(path, format="turtle" if str(path).endswith(".ttl") else "xml", publicID=base)
    rs = next(graph.subjects(RDF.type, URIRef(RS + "ResultSet")))
    boolean = graph.value(rs, URIRef(RS + "boolean"))
    if boolean is not None:
        return bool(boolean.toPython()), [], False
    rows: list[tuple[int, dict[str, Any]]] = []
    ordered = False
    for solution in graph.objects(rs, URIRef(RS + "solution")):
        row = {}
        for binding in graph.objects(solution, URIRef(RS + "binding")):
            row[str(graph.value(binding, URIRef(RS + "variable")))] = _ox(graph.value(binding, URIRef(RS + "value")))
        index = graph.value(solution, URIRef(RS + "index"))
        ordered = ordered or index is not None
        rows.append((int(index) if index is not None else 0, row))
    return None, [row for _, row in sorted(rows, key=lambda r: r[0])], ordered


def _ox(term: Any) -> Any:
    from rdflib import BNode, Literal

    if isinstance(term, BNode):
        return ox.BlankNode(str(term))
    if isinstance(term, Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype or XSD + "string")))
    return ox.NamedNode(str(term))


def _same_solutions(expected: list[dict[str, Any]], actual: list[dict[str, Any]], ordered: bool) -> bool:
    """Equal solution sequences (multisets unless ``ordered``), blank nodes up to a consistent renaming."""
    if len(expected) != len(actual):
        return False

    def plain(row: dict[str, Any]) -> frozenset[tuple[str, str]]:
        return frozenset((k, _key(v)) for k, v in row.items())

    if (ordered and [plain(r) for r in expected] != [plain(r) for r in actual]) or \
            Counter(map(plain, expected)) != Counter(map(plain, actual)):
        return False
    if not any(isinstance(v, ox.BlankNode) for row in expected for v in row.values()):
        return True

    def search(i: int, used: set[int], mapping: dict[str, str]) -> bool:
        if i == len(expected):
            return True
        candidates = [i] if ordered else [j for j in range(len(actual)) if j not in used]
        for j in candidates:
            new = dict(mapping)
            ok = set(expected[i]) == set(actual[j])
            for var in expected[i] if ok else ():
                e, a = expected[i][var], actual[j][var]
                if isinstance(e, ox.BlankNode) and isinstance(a, ox.BlankNode):
                    if new.setdefault(e.value, a.value) != a.value or \
                            (a.value in new.values() and [k for k, v in new.items() if v == a.value] != [e.value]):
                        ok = False
                elif _key(e) != _key(a):
                    ok = False
            if ok and search(i + 1, used | {j}, new):
                return True
        return False

    return search(0, set(), {})


def _diff(expected: list[dict[str, Any]], actual: list[dict[str, Any]]) -> str:
    def rows(solutions: list[dict[str, Any]]) -> Counter[str]:
        return Counter(" ".join(f"{k}={_key(v)}" for k, v in sorted(r.items())) for r in solutions)

    e, a = rows(expected), rows(actual)
    return f"missing {sorted((e - a).elements())}; unexpected {sorted((a - e).elements())}"


def _rdf_graph(data: bytes, media: str, base: str) -> Graph:
    fmt = {"text/turtle": "turtle", "application/n-triples": "nt", "application/rdf+xml": "xml"}[media]
    return Graph().parse(data=data, format=fmt, publicID=base)


def _query_evaluation(test: W3CTest, service: GraphService, client: Client) -> None:
    g = test.graph
    action = g.value(test.node, MF.action)
    query_iri = g.value(action, QT.query)
    text = _with_base(local(query_iri).read_text(encoding="utf-8"), str(query_iri))
    _reset(service)
    for k, data in enumerate(sorted(g.objects(action, QT.data))):
        _put(client, DEFAULT_HOLDER, data, merge=k > 0)
    for named in sorted(g.objects(action, QT.graphData)):
        _put(client, str(named), named)
    result_iri = str(g.value(test.node, MF.result))
    result = local(result_iri)
    rdf_results = result.suffix in RDF_TYPES and "result-set#" in result.read_text(encoding="utf-8", errors="replace")
    accept = RESULT_TYPES.get(result.suffix, "application/sparql-results+json" if rdf_results else "application/n-triples")
    r = client.post("/sparql", content=text.encode(), headers={"content-type": "application/sparql-query",
                                                               "accept": accept})
    assert r.status_code == 200, r.text
    if result.suffix == ".csv":  # lossy by design: compare the rows as text, blank nodes aside
        assert _csv_rows(result.read_bytes()) == _csv_rows(r.content), r.text
    elif rdf_results:
        boolean, rows_e, ordered = _rdf_results(result, result_iri)
        actual = ox.parse_query_results(r.content, format=ox.QueryResultsFormat.JSON)
        if boolean is not None:
            assert isinstance(actual, ox.QueryBoolean) and bool(actual) is boolean
            return
        variables = sorted({v for row in rows_e for v in row} | {v.value for v in actual.variables})  # type: ignore[union-attr]
        rows_a = [_terms(s, variables) for s in actual]  # type: ignore[union-attr]
        assert _same_solutions(rows_e, rows_a, ordered), _diff(rows_e, rows_a)
    elif result.suffix in RESULT_FORMATS:
        expected = ox.parse_query_results(path=str(result), format=RESULT_FORMATS[result.suffix])
        actual = ox.parse_query_results(r.content, format=RESULT_FORMATS[".srj" if accept.endswith("json") else result.suffix])
        if isinstance(expected, ox.QueryBoolean):
            assert isinstance(actual, ox.QueryBoolean) and bool(actual) == bool(expected)
            return
        variables = sorted({v.value for v in expected.variables} | {v.value for v in actual.variables})  # type: ignore[union-attr]
        rows_e = [_terms(s, variables) for s in expected]  # type: ignore[union-attr]
        rows_a = [_terms(s, variables) for s in actual]  # type: ignore[union-attr]
        ordered = "ORDER BY" in text.upper().rsplit("}", 1)[-1]  # the outer query orders its solutions
        assert _same_solutions(rows_e, rows_a, ordered), _diff(rows_e, rows_a)
    else:
        expected_graph = _rdf_graph(result.read_bytes(), RDF_TYPES[result.suffix], str(g.value(test.node, MF.result)))
        actual_graph = _rdf_graph(r.content, "application/n-triples", "http://testserver/")
        assert isomorphic(expected_graph, actual_graph), r.text


def _csv_rows(data: bytes) -> Counter[tuple[tuple[str, str], ...]]:
    """CSV rows by column name (columns may come in any order), blank nodes aside."""
    import csv
    import io

    header, *rows = list(csv.reader(io.StringIO(data.decode("utf-8"))))
    return Counter(tuple(sorted((name, "_:" if cell.startswith("_:") else cell) for name, cell in zip(header, row)))
                   for row in rows)


def _evaluation_tests() -> list[W3CTest]:
    return _collect(EVALUATION_SUITES, ("QueryEvaluationTest", "CSVResultFormatTest"))


@pytest.mark.parametrize("test", params(_evaluation_tests()))
def test_w3c_query_evaluation(test: W3CTest, service: GraphService, client: Client) -> None:
    _query_evaluation(test, service, client)


# --- update evaluation ---------------------------------------------------------------------------


def _graph_content(client: Client, name: str) -> Graph:
    r = client.get("/graph-store", params={"graph": name}, headers={"accept": "application/n-triples"})
    if r.status_code == 404:
        return Graph()
    assert r.status_code == 200, r.text
    return _rdf_graph(r.content, "application/n-triples", "http://testserver/")


def _update_evaluation(test: W3CTest, service: GraphService, client: Client) -> None:
    g = test.graph
    action = g.value(test.node, MF.action)
    request = g.value(action, UT.request)
    _reset(service)
    for k, data in enumerate(sorted(g.objects(action, UT.data))):
        _put(client, DEFAULT_HOLDER, data, merge=k > 0)
    for item in g.objects(action, UT.graphData):
        _put(client, str(g.value(item, RDFS.label)), g.value(item, UT.graph))
    text = _with_base(local(request).read_text(encoding="utf-8"), str(request))
    r = client.post("/update", content=text.encode(), headers={"content-type": "application/sparql-update", **AUTH})
    result = g.value(test.node, MF.result)
    assert r.status_code == 200, r.text
    expected: dict[str, Graph] = {}
    for data in g.objects(result, UT.data):
        expected.setdefault(DEFAULT_HOLDER, Graph()).parse(local(data), publicID=str(data),
                                                           format="turtle" if str(data).endswith(".ttl") else None)
    for item in g.objects(result, UT.graphData):
        data = g.value(item, UT.graph)
        expected[str(g.value(item, RDFS.label))] = Graph().parse(local(data), publicID=str(data), format="turtle")
    stored = {str(name) for name in service.store.named_graphs()}
    for name in sorted(stored | set(expected)):
        actual = _graph_content(client, name)
        assert isomorphic(expected.get(name, Graph()), actual), (name, sorted(actual))


@pytest.mark.parametrize("test", params(_collect(EVALUATION_SUITES, ("UpdateEvaluationTest",))))
def test_w3c_update_evaluation(test: W3CTest, service: GraphService, client: Client) -> None:
    _update_evaluation(test, service, client)


# --- Graph Store Protocol ------------------------------------------------------------------------

HT = "http://www.w3.org/2011/http#"
CNT = "http://www.w3.org/2011/content#"
#: Expected status -> the codes that meet it. The manifests say OK for writes that may create the graph:
#: the Graph Store Protocol answers those 201 Created (a new graph) or 204 No Content (section 5.3, 5.5).
_STATUS = {"OK": (200,), "Created": (201,), "NoContent": (204,), "NotFound": (404,)}
_WRITE_OK = (200, 201, 204)


def _gsp(test: W3CTest, service: GraphService, client: Client) -> None:
    g = test.graph
    _reset(service)
    action = g.value(test.node, MF.action)
    for node in Collection(g, g.value(action, URIRef(HT + "requests"))):
        path = str(g.value(node, URIRef(HT + "absolutePath")))
        split = urlsplit(path)
        target = "/graph-store" + (f"?{split.query}" if split.query else "")
        method = str(g.value(node, URIRef(HT + "methodName")))
        headers = dict(AUTH)
        header_list = g.value(node, URIRef(HT + "headers"))
        for header in Collection(g, header_list) if header_list is not None else []:
            headers[str(g.value(header, URIRef(HT + "fieldName")))] = str(g.value(header, URIRef(HT + "fieldValue")))
        body = g.value(node, URIRef(HT + "body"))
        content = str(g.value(body, URIRef(CNT + "chars"))).encode() if body is not None else None
        r = client.request(method, target, headers=headers, content=content)
        resp = g.value(node, URIRef(HT + "resp"))
        allowed: set[int] = set()
        for expected_status in g.objects(resp, MF.expectedStatus):
            status = str(expected_status).rsplit("#", 1)[1]
            allowed |= set(_WRITE_OK if status == "OK" and method in ("PUT", "POST", "DELETE") else _STATUS[status])
        assert r.status_code in allowed, (method, target, r.status_code, r.text)
        expected_body = g.value(resp, URIRef(HT + "body"))
        if expected_body is not None and method == "GET":
            graph_iri = dict(p.split("=", 1) for p in split.query.split("&"))["graph"]
            expected = _rdf_graph(str(g.value(expected_body, URIRef(CNT + "chars"))).encode(), "text/turtle", graph_iri)
            media = r.headers["content-type"].split(";")[0]
            assert isomorphic(expected, _rdf_graph(r.content, media, graph_iri)), r.text
        if method == "HEAD":
            assert r.content == b""


def _gsp_tests() -> list[W3CTest]:
    if not (local(W3C_BASE + "graph-store-protocol") / "manifest.ttl").exists():
        return []
    return [*suite_tests("graph-store-protocol", "manifest-direct.ttl"),
            *suite_tests("graph-store-protocol", "manifest-indirect.ttl")]


@pytest.mark.parametrize("test", params(_gsp_tests()))
def test_w3c_graph_store_protocol(test: W3CTest, service: GraphService, client: Client) -> None:
    _gsp(test, service, client)


# --- service description (the manifest names the three tests; their checks are written here) ----

SD = "http://www.w3.org/ns/sparql-service-description#"


def _service_description(name: str, client: Client) -> None:
    r = client.get("/sparql", headers={"accept": "text/turtle"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/turtle")
    graph = _rdf_graph(r.content, "text/turtle", "http://testserver/sparql")  # returns-rdf
    services = list(graph.subjects(RDF.type, URIRef(SD + "Service")))
    assert len(services) == 1
    if name == "has-endpoint-triple":
        assert (services[0], URIRef(SD + "endpoint"), URIRef("http://testserver/sparql")) in graph
    if name == "conforms-to-schema":  # the classes and properties the schema gives each node
        for prop in ("supportedLanguage", "resultFormat", "defaultDataset", "feature"):
            assert graph.value(services[0], URIRef(SD + prop)) is not None, prop
        dataset = graph.value(services[0], URIRef(SD + "defaultDataset"))
        assert (dataset, RDF.type, URIRef(SD + "Dataset")) in graph
        assert graph.value(dataset, URIRef(SD + "defaultGraph")) is not None


@pytest.mark.parametrize("name", ["returns-rdf", "has-endpoint-triple", "conforms-to-schema"])
def test_w3c_service_description(name: str, client: Client) -> None:
    _service_description(name, client)


def test_every_skip_names_a_test_of_the_suites() -> None:
    """The one skip list holds no stale entries."""
    known = {t.iri for t in [*_collect(SYNTAX_SUITES, SYNTAX), *_evaluation_tests(),
                             *_collect(EVALUATION_SUITES, ("UpdateEvaluationTest",)), *_gsp_tests(),
                             *suite_tests("protocol")]}
    assert set(SKIPS) - known == set()

