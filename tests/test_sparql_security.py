"""Issue 11, the query and update path: each defect reproduced first (on loopback, bounded), and the
property that one reading decides: a text the screen passes never makes pyoxigraph reach the
network, and the strings, IRIs and keywords the screen sees are the ones pyoxigraph runs."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pyoxigraph as ox
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from conflictkg.errors import QueryError
from conflictkg.namespaces import DICTIONARY_GRAPH, ONTOLOGY_GRAPH
from conflictkg.rdflib_lock import SPARQL_LOCK
from conflictkg.service import GraphService
from conflictkg.sparql import screen
from conflictkg.sparql.engine import PREFIX_IRIS
from conflictkg.sparql.lexer import tokenize
from conflictkg.sparql.screen import SCREEN_CACHE_BYTES, screen_query, screen_update

from fixtures_sparql import TOKEN, Client, RecordingGate, make_service, with_gate

AUTH = {"authorization": f"Bearer {TOKEN}"}
UPDATE = {"content-type": "application/sparql-update", **AUTH}
BASE = "http://testserver/sparql"
G = "http://example.org/conflictkg-test/security"


class _Recorder(BaseHTTPRequestHandler):
    hits: list[str] = []

    def _answer(self) -> None:
        _Recorder.hits.append(self.path)
        body = b'{"head":{"vars":[]},"results":{"bindings":[]}}'
        self.send_response(200)
        self.send_header("content-type", "application/sparql-results+json")
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = _answer

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def loopback() -> Iterator[str]:
    """An HTTP server on 127.0.0.1 that records every request it gets."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Recorder)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def service() -> Iterator[GraphService]:
    service = make_service(token=TOKEN)
    yield service
    service.close()


def _hits(run: object) -> int:
    before = len(_Recorder.hits)
    try:
        run()  # type: ignore[operator]
    except (SyntaxError, OSError, RuntimeError, ValueError):
        pass
    return len(_Recorder.hits) - before


# --- point 1: the escape differential (SSRF) --------------------------------------------------


def _ssrf(url: str) -> str:
    """The issue's reproduction: rdflib read SERVICE as string content, pyoxigraph ran it."""
    return ('SELECT * WHERE { BIND("A\\u0022 AS ?a) BIND(" AS ?b) SERVICE <' + url
            + 'x> { ?s ?p ?o } #" AS ?b)\n}')


def test_the_escape_differential_reaches_the_network_through_pyoxigraph_but_not_through_the_screen(
        loopback: str, service: GraphService) -> None:
    text = _ssrf(loopback)
    assert _hits(lambda: ox.Store().query(text)) == 1  # what the old screen let through does reach the server
    before = len(_Recorder.hits)
    r = Client(service).get("/sparql", params={"query": text})
    assert len(_Recorder.hits) == before
    assert r.status_code == 400
    assert r.json() == {"error": "E052", "message": "SERVICE is not allowed: conflictkg does not query other "
                        f"endpoints (SERVICE <{loopback}x>)"}
    data = 'INSERT DATA { GRAPH <' + G + '> { <a:s> <a:p> "'
    hidden_load = data + 'A\\u0022 } } ; ' + data + ' } } ; LOAD <' + loopback + 'd> #" } }'
    assert _hits(lambda: ox.Store().update(hidden_load)) == 1
    before = len(_Recorder.hits)
    r = Client(service).post("/update", content=hidden_load, headers=UPDATE)
    assert r.status_code == 400 and r.json()["error"] == "E052"
    assert len(_Recorder.hits) == before


def test_a_keyword_glued_to_a_prefixed_name_is_what_pyoxigraph_runs(loopback: str) -> None:
    # pyoxigraph matches keywords as prefixes: SERVICEex:x is SERVICE ex:x to it
    text = f"PREFIX ex: <{loopback}> SELECT * {{ SERVICEex:x {{ ?s ?p ?o }} }}"
    assert _hits(lambda: ox.Store().query(text)) == 1
    with pytest.raises(QueryError) as info:
        screen_query(text, set(), prefixes=PREFIX_IRIS)
    assert info.value.code == "E051"
    column = text.index("SERVICEex") + 1
    assert info.value.message == f"malformed SPARQL query at line 1, column {column}: the prefix 'SERVICEex:' is not declared"


_FRAGMENTS = [
    "SELECT", "*", "WHERE", "{", "}", "(", ")", ".", ";", ",", " ", "\n", "\t", "#", "# c\n",
    '"', "'", '"""', "'''", '""', "''", "\\u0022", "\\u0027", "\\U00000022", '\\"', "\\'", "\\\\", "\\",
    "\\u0023", "\\u003C", "\\u003E", "\\u0020", "<", ">", "<=", "&&", "||", "!", "=",
    "SERVICE", "service", "SeRvIcE", "SERVICE SILENT", "LOAD", "FROM", "NAMED", "GRAPH", "ASK", "BIND", "AS",
    "FILTER", "EXISTS", "OPTIONAL", "VALUES", "?s", "?p", "?o", "$x", "?a<?b", "1", "1.5", "-2",
    "ex:", "ex:a", "ex:a\\#b", "ex:a\\'b", "SERVICEex:x", "PREFIX ex: <{url}>", "PREFIX SERVICEex: <{url}>",
    "<{url}x>", "<x>", "<http://a/b#c>", "<http://a/\\u0022>", "_:b", "@en", "^^", "a", "true", "UNDEF",
]


def _soup(url: str) -> st.SearchStrategy[str]:
    return st.lists(st.sampled_from(_FRAGMENTS), max_size=30).map(lambda parts: "".join(parts).replace("{url}", url))


def _run_query(text: str) -> None:
    ox.Store().query(text, base_iri=BASE, prefixes=PREFIX_IRIS, use_default_graph_as_union=True)


def _run_update(text: str) -> None:
    ox.Store().update(text, base_iri=BASE, prefixes=PREFIX_IRIS)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
@example(data=None)
def test_hostile_texts_the_screen_passes_never_reach_the_network(loopback: str, data: st.DataObject | None) -> None:
    """Random texts from hostile pieces (escapes, comments, the four string delimiters, IRIs, glued and
    quoted keywords): whenever the screen passes one, neither the canonical text it hands pyoxigraph
    nor the client's own text makes pyoxigraph contact the loopback server."""
    if data is None:
        texts = [("query", _ssrf(loopback))]
    else:
        kind = data.draw(st.sampled_from(["query", "update"]))
        prefix = data.draw(st.sampled_from(["SELECT * WHERE { ", "ASK { ", "INSERT DATA { GRAPH <g:1> { ",
                                            "DELETE { GRAPH <g:1> { ?s ?p ?o } } WHERE { ", ""]))
        texts = [(kind, prefix + data.draw(_soup(loopback)))]
    for kind, text in texts:
        try:
            if kind == "query":
                canonical = screen_query(text, {"g:1"}, base_iri=BASE, prefixes=PREFIX_IRIS).text
            else:
                canonical = screen_update(text, {"g:1"}, base_iri=BASE, prefixes=PREFIX_IRIS).text()
        except QueryError:
            continue
        run = _run_query if kind == "query" else _run_update
        assert _hits(lambda: run(canonical)) == 0, canonical
        assert _hits(lambda: run(text)) == 0, text


#: Pieces of string content that may end a string early, open one, hide or show a keyword.
_CONTENT = ["A", "\\u0022", "\\u0027", '\\"', "\\'", " AS ?a) BIND(", '"', "'", " SERVICE <{url}x> { ?s ?p ?o } ",
            "#", "\n", "}", "{", "\\\\", " ", "\\u0023", " LOAD <{url}l> ", ". ?s ?p ?o "]
_QUOTES = ['"', "'", '"' * 3, "'" * 3]


@st.composite
def _structured(draw: st.DrawFn, url: str) -> str:
    """A query most of whose variants pyoxigraph accepts: BINDs of strings in the four delimiters
    with hostile content, comments, SERVICE clauses, triple patterns and comparisons."""
    pieces = []
    for i in range(draw(st.integers(1, 5))):
        kind = draw(st.sampled_from(["bind", "service", "comment", "triple", "filter"]))
        content = "".join(draw(st.lists(st.sampled_from(_CONTENT), max_size=6))).replace("{url}", url)
        if kind == "bind":
            quote = draw(st.sampled_from(_QUOTES))
            pieces.append(f"BIND({quote}{content}{quote} AS ?v{i})")
        elif kind == "service":
            pieces.append(f"SERVICE <{url}s> {{ ?s ?p ?o }}")
        elif kind == "comment":
            pieces.append(f"# {content}\n")
        elif kind == "triple":
            pieces.append("?s ?p ?o .")
        else:
            pieces.append("FILTER(?a<?b||?c>?d)")
    return "SELECT * WHERE { " + " ".join(pieces) + " }"


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_structured_hostile_queries_the_screen_passes_never_reach_the_network(loopback: str,
                                                                              data: st.DataObject) -> None:
    """Most of these texts are valid SPARQL: a SERVICE clause, or one that a string delimiter or an
    escape uncovers, must be refused; anything passed runs without a request to the loopback server."""
    text = data.draw(_structured(loopback))
    try:
        canonical = screen_query(text, set(), base_iri=BASE, prefixes=PREFIX_IRIS).text
    except QueryError:
        return
    assert _hits(lambda: _run_query(canonical)) == 0, canonical
    assert _hits(lambda: _run_query(text)) == 0, text


_STRING_CHARS = st.text(alphabet=st.sampled_from(list("aZ 09#<>{}'\"\\\n\r\té€😀") + ["\u2028"]), max_size=12)


def _escape(value: str, quote: str, draw: st.DrawFn) -> str:
    out = []
    for ch in value:
        form = draw(st.sampled_from(["raw", "u", "U", "echar"]))
        if form == "u" and ord(ch) <= 0xFFFF:
            out.append(f"\\u{ord(ch):04x}")
        elif form == "U":
            out.append(f"\\U{ord(ch):08X}")
        elif ch in "\\\"'" or (ch in "\n\r" and len(quote) == 1):
            out.append({"\\": "\\\\", '"': '\\"', "'": "\\'", "\n": "\\n", "\r": "\\r"}[ch])
        else:
            out.append(ch)
    return quote + "".join(out) + quote


@st.composite
def _string_literal(draw: st.DrawFn) -> tuple[str, str]:
    value = draw(_STRING_CHARS)
    quote = draw(st.sampled_from(['"', "'", '"""', "'''"]))
    return value, _escape(value, quote, draw)


@settings(max_examples=300, deadline=None)
@given(literal=_string_literal(), comment=st.booleans())
def test_the_strings_the_lexer_reads_are_the_strings_pyoxigraph_runs(literal: tuple[str, str], comment: bool) -> None:
    value, written = literal
    note = "# {\n" if comment else ""
    text = f"SELECT ?v WHERE {{ {note}BIND({written} AS ?v) }}"
    lexed = tokenize(text, base=BASE)
    assert [t.value for t in lexed.tokens if t.kind == "string"] == [value]
    for run_text in (text, lexed.text):  # the client's text and the canonical one: the same value
        rows = list(ox.Store().query(run_text))  # type: ignore[arg-type]
        assert rows[0]["v"].value == value


@st.composite
def _iri(draw: st.DrawFn) -> tuple[str, str]:
    path = draw(st.text(alphabet=st.sampled_from(list("az09-._~%/?=&+!$*@'()#,;é")), max_size=10))
    reference = draw(st.sampled_from(["http://example.org/", "", "../", "/", "#", "?q="])) + path
    written = "".join(f"\\u{ord(ch):04X}" if draw(st.booleans()) else ch for ch in reference)
    return reference, written


@settings(max_examples=300, deadline=None)
@given(iri=_iri())
def test_the_iris_the_lexer_resolves_are_the_iris_pyoxigraph_runs(iri: tuple[str, str]) -> None:
    _, written = iri
    text = f"SELECT ?v WHERE {{ BIND(<{written}> AS ?v) }}"
    try:
        expected = list(ox.Store().query(text, base_iri=BASE))[0]["v"].value  # type: ignore[index]
    except SyntaxError:  # not an IRI to pyoxigraph: the screen must not pass it either, or pass it to fail the same
        try:
            canonical = tokenize(text, base=BASE).text
        except QueryError:
            return
        with pytest.raises(SyntaxError):
            ox.Store().query(canonical, base_iri=BASE)
        return
    lexed = tokenize(text, base=BASE)
    assert [t.value for t in lexed.tokens if t.kind == "iri"] == [expected]
    assert list(ox.Store().query(lexed.text, base_iri=BASE))[0]["v"].value == expected  # type: ignore[index]


@pytest.mark.parametrize("text,keywords", [
    ('SELECT * WHERE { BIND("SERVICE <x>" AS ?a) }', ["SELECT", "WHERE", "BIND", "AS"]),
    ("SELECT * WHERE { ?s ?p ?o # SERVICE <x> { }\n}", ["SELECT", "WHERE"]),
    ("SELECT * WHERE { ?s ?p '''\nSERVICE''' }", ["SELECT", "WHERE"]),
    ("SELECT * WHERE { ?s ?p ?o FILTER(?o<?s||?p>?o) }", ["SELECT", "WHERE", "FILTER"]),
    ("SELECT * { ?s <http://x/service#load> ?o }", ["SELECT"]),
])
def test_keywords_inside_strings_comments_and_iris_are_not_keywords(text: str, keywords: list[str]) -> None:
    lexed = tokenize(text, base=BASE)
    assert [t.value for t in lexed.tokens if t.kind == "word"] == keywords
    ox.Store().query(lexed.text)  # and pyoxigraph runs the canonical text


# --- point 2: the screen stalled everyone (quadratic, under a process-wide lock) ------------


def test_screening_needs_no_process_wide_lock_and_a_long_list_costs_no_more_than_the_time_limit() -> None:
    """The issue's 17 kB query with a 2,000-object list: its screening is linear and takes no lock, so
    the query meets the time limit in its worker (pyoxigraph's own planning of such a list is slow),
    while a simple query sent with it is answered; rdflib's lock, held meanwhile, stops neither."""
    service = make_service(query_timeout=2.0)
    try:
        objects = ", ".join(f"<http://example.org/o{i}>" for i in range(2000))
        heavy = f"SELECT (COUNT(*) AS ?n) WHERE {{ ?s <http://example.org/p> {objects} }}"
        assert len(heavy) > 17_000
        simple = "ASK { ?s ?p ?o }"
        answers: dict[str, object] = {}
        client = Client(service)  # one app, built here: two threads building apps at once race in pydantic

        def ask(name: str, query: str) -> None:
            answers[name] = client.post("/sparql", data={"query": query}, headers={"accept": "text/csv, */*"})

        with SPARQL_LOCK:  # rdflib's lock, held elsewhere (the SHACL gate): queries do not wait for it
            threads = [threading.Thread(target=ask, args=("heavy", heavy)),
                       threading.Thread(target=ask, args=("simple", simple))]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(timeout=120)
        assert set(answers) == {"heavy", "simple"}, "a query waited for rdflib's lock"
        assert answers["simple"].json() == {"head": {}, "boolean": True}  # type: ignore[attr-defined]
        heavy_answer = answers["heavy"]
        assert (heavy_answer.status_code, heavy_answer.json()) == (503, {  # type: ignore[attr-defined]
            "error": "E055", "message": "the query was stopped at the time limit of 2 s (--query-timeout); narrow "
            "it or add a LIMIT"})
    finally:
        service.close()


def test_a_query_over_the_size_limit_is_413(service: GraphService) -> None:
    values = " ".join(f'"{i}"' for i in range(200_000))
    query = f"SELECT ?v WHERE {{ VALUES ?v {{ {values} }} }}"
    expected = {"error": "E091", "message": "the query is larger than the limit of 1000000 bytes (CONFLICTKG_MAX_QUERY_"
                "BYTES); narrow it (a large VALUES block belongs in the data)"}
    r = Client(service).post("/sparql", content=query.encode(), headers={"content-type": "application/sparql-query"})
    assert (r.status_code, r.json()) == (413, expected)
    r = Client(service).post("/sparql", data={"query": query})
    assert (r.status_code, r.json()) == (413, expected)


# --- point 3: a large INSERT DATA wedged the service ---------------------------------------


def _insert(n: int, graph: str = G) -> str:
    body = " ".join(f'<http://example.org/s{i}> <http://example.org/p> "v{i}" .' for i in range(n))
    return f"INSERT DATA {{ GRAPH <{graph}> {{ {body} }} }}"


def test_a_large_insert_data_is_read_in_one_linear_pass_or_refused_with_advice(service: GraphService) -> None:
    gated = with_gate(service, RecordingGate())
    client = Client(gated)
    r = client.post("/update", content=_insert(5000), headers=UPDATE)  # was 74 s for 4k triples
    assert (r.status_code, r.json()) == (200, {"graphs": [G]})
    r = client.get("/sparql", params={"query": f"SELECT (COUNT(*) AS ?n) {{ GRAPH <{G}> {{ ?s ?p ?o }} }}"},
                   headers={"accept": "text/csv"})
    assert r.text == "n\r\n5000\r\n"
    big = _insert(20_000)
    r = client.post("/update", content=big, headers=UPDATE)
    assert r.status_code == 413
    assert r.json() == {"error": "E091", "message": "the update is larger than the limit of 1000000 bytes "
                        "(CONFLICTKG_MAX_UPDATE_BYTES); send bulk data to the Graph Store Protocol instead "
                        "(PUT or POST /graph-store?graph=IRI with Turtle or N-Triples)"}
    assert client.post("/update", content=f"DROP GRAPH <{G}>", headers=UPDATE).status_code == 200


# --- point 4: the screen cache grew with whole query texts -----------------------------------


def test_the_screen_cache_is_keyed_by_a_hash_and_bounded_in_bytes(service: GraphService) -> None:
    screen._CACHE.clear()
    client = Client(service)
    for i in range(10):  # ten distinct large queries, each under the size limit
        pad = "".join(f"<http://example.org/{i}/{k}> " for k in range(12_000))
        query = f"SELECT * WHERE {{ VALUES ?x {{ {pad} }} FILTER(false) }}"
        assert client.post("/sparql", data={"query": query}).status_code == 200
    for i in range(300):
        assert client.get("/sparql", params={"query": f"ASK {{ ?s ?p {i} }}"}).status_code == 200
    assert screen._CACHE.size <= SCREEN_CACHE_BYTES
    assert all(isinstance(key, bytes) and len(key) == 20 for key in screen._CACHE.keys())
    cache = screen._ScreenCache(16_384)
    plan = screen_query("ASK { ?s ?p ?o }", set())
    for i in range(100):
        cache.put(cache.key(f"ASK {{ ?s ?p {i} }}", None), plan)
    assert cache.size <= 16_384 and 0 < len(cache) < 100  # the oldest went
    cache.put(cache.key("SELECT * { ?s ?p ?o }", None), screen_query("SELECT * {" + " " * 2000 + "?s ?p ?o }", set()))
    assert cache.get(cache.key("ASK { ?s ?p 99 }", None)) is plan  # the newest stays
    big = screen_query("ASK {" + "?s ?p ?o . " * 200 + "}", set())
    cache.put(cache.key("big", None), big)
    assert cache.get(cache.key("big", None)) is None  # more than a sixteenth of the cache: not kept


# --- point 7 (query/update path): protected graphs and per-request triple limits -------------


@pytest.mark.parametrize("update", [
    f'INSERT DATA {{ GRAPH <{ONTOLOGY_GRAPH}> {{ <a:s> <a:p> "junk" }} }}',
    f"DROP GRAPH <{DICTIONARY_GRAPH}>",
    f"CLEAR GRAPH <{ONTOLOGY_GRAPH}>",
    "DROP ALL",
    f"COPY <{DICTIONARY_GRAPH}> TO <{ONTOLOGY_GRAPH}>",
    "DELETE { GRAPH ?g { ?s ?p ?o } } WHERE { GRAPH ?g { ?s ?p ?o } }",
])
def test_the_ontology_and_dictionary_cannot_be_changed_through_the_api(service: GraphService, update: str) -> None:
    client = Client(service)
    before = client.get("/graph-store", params={"graph": str(DICTIONARY_GRAPH)}).text
    r = client.post("/update", content=update, headers=UPDATE)
    assert r.status_code == 403
    assert r.json()["error"] == "E090"
    assert r.json()["message"].endswith("is protected: the ontology and the dictionary graphs come from the build "
                                        "(`conflictkg build`) and cannot be changed through the API")
    assert client.get("/graph-store", params={"graph": str(DICTIONARY_GRAPH)}).text == before


def test_the_graph_store_cannot_replace_or_drop_a_protected_graph(service: GraphService) -> None:
    client = Client(service)
    for method in ("PUT", "POST"):
        r = client.request(method, "/graph-store", params={"graph": str(ONTOLOGY_GRAPH)},
                           content=b"<a:s> <a:p> <a:o> .", headers={"content-type": "application/n-triples", **AUTH})
        assert (r.status_code, r.json()) == (403, {"error": "E090", "message": f"<{ONTOLOGY_GRAPH}> is protected: the "
                                             "ontology and the dictionary graphs come from the build (`conflictkg "
                                             "build`) and cannot be changed through the API"})
    r = client.request("DELETE", "/graph-store", params={"graph": str(DICTIONARY_GRAPH)}, headers=AUTH)
    assert r.status_code == 403 and r.json()["error"] == "E090"


def test_a_write_over_the_triple_limit_is_413() -> None:
    service = with_gate(make_service(token=TOKEN, max_write_triples=100), RecordingGate())
    try:
        client = Client(service)
        triples = "".join(f"<http://example.org/s{i}> <http://example.org/p> <http://example.org/o> .\n"
                          for i in range(101)).encode()
        r = client.request("PUT", "/graph-store", params={"graph": G}, content=triples,
                           headers={"content-type": "application/n-triples", **AUTH})
        assert (r.status_code, r.json()) == (413, {"error": "E092", "message": "the upload holds more than 100 "
                                             "triples, the limit of one write (CONFLICTKG_MAX_WRITE_TRIPLES); split "
                                             "it, or load bulk data with `conflictkg build`"})
        r = client.post("/update", content=_insert(101), headers=UPDATE)
        assert (r.status_code, r.json()) == (413, {"error": "E092", "message": "the write would leave 101 triples "
                                             "in the graphs it changes, more than the limit of 100 (CONFLICTKG_MAX_"
                                             "WRITE_TRIPLES); split it, or load bulk data with `conflictkg build`"})
        assert client.get("/graph-store", params={"graph": G}).status_code == 404
    finally:
        service.close()


# --- point 9: an update with GRAPH ?g re-read the whole store -----------------------------


def test_an_update_with_a_graph_variable_touches_only_the_graphs_it_binds(service: GraphService) -> None:
    gate = RecordingGate()
    gated = with_gate(service, gate)
    client = Client(gated)
    assert client.post("/update", content=f'INSERT DATA {{ GRAPH <{G}> {{ <a:s> <a:p> "one", "two" }} }}',
                       headers=UPDATE).status_code == 200
    r = client.post("/update", content='DELETE { GRAPH ?g { <a:s> <a:p> ?o } } WHERE { GRAPH ?g { <a:s> <a:p> ?o } '
                    'FILTER(COALESCE(?o, "none") = "one") }', headers=UPDATE)
    assert (r.status_code, r.json()) == (200, {"graphs": [G]})
    assert gate.calls[-1] == {G: 1}  # the gate saw the one graph the variable bound, not the store
    r = client.get("/graph-store", params={"graph": G}, headers={"accept": "application/n-triples"})
    assert r.text == '<a:s> <a:p> "two" .\n'
    assert client.post("/update", content=f"DROP GRAPH <{G}>", headers=UPDATE).status_code == 200
