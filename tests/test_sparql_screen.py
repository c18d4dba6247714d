"""Units of the SPARQL service: the screen, the USING rewrite, content negotiation, named-query headers."""

from __future__ import annotations

from pathlib import Path

import pytest

from conflictkg.errors import DataFileError, QueryError
from conflictkg.sparql.formats import negotiate, offers_for
from conflictkg.sparql.named import parse_named_query
from conflictkg.sparql.screen import screen_query, screen_update

KNOWN = {"http://g/1", "http://g/2"}


@pytest.mark.parametrize("query,code", [
    ("SELECT * { SERVICE <http://127.0.0.1:8890/sparql> { ?s ?p ?o } }", "E052"),
    ("SELECT * { { SELECT ?s { SERVICE SILENT <http://x/> { ?s ?p ?o } } } }", "E052"),
    ("ASK { FILTER NOT EXISTS { SERVICE ?where { ?s ?p ?o } } }", "E052"),
    ("PREFIX f: <file:///etc/> SELECT * FROM f:hostname { ?s ?p ?o }", "E053"),
    ("SELECT * FROM NAMED <http://g/3> { ?s ?p ?o }", "E053"),
    ("SELECT * WHERE { ?s ?p \"open }", "E051"),  # the screen reads tokens; the grammar is pyoxigraph's to judge
    ("SELECT * WHERE { ?s ?p \\u0022x\\u0022 }", "E051"),  # \\u escapes only in strings and IRIs
    ("SELECT * WHERE { ?s ?p ?o } LIMT 1", "E051"),  # not a keyword
])
def test_queries_refused(query: str, code: str) -> None:
    with pytest.raises(QueryError) as info:
        screen_query(query, KNOWN)
    assert info.value.code == code and info.value.status == 400


def test_query_plans() -> None:
    plan = screen_query("SELECT * FROM <http://g/1> FROM NAMED <http://g/2> { ?s ?p ?o }", KNOWN)
    assert (plan.form, plan.default_graphs, plan.named_graphs) == ("SELECT", ("http://g/1",), ("http://g/2",))
    assert screen_query("DESCRIBE <http://x>", KNOWN).form == "DESCRIBE"
    with pytest.raises(QueryError):
        screen_query("ASK {}", KNOWN, named_graph_uris=["http://g/9"])


def test_update_targets() -> None:
    plan = screen_update("INSERT DATA { GRAPH <http://g/9> { <a:s> <a:p> 1 } } ; "
                         "WITH <http://g/1> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o } ; "
                         "MOVE <http://g/2> TO <http://g/3>", KNOWN)
    assert plan.targets == {"http://g/9", "http://g/1", "http://g/2", "http://g/3"}
    assert screen_update("DELETE { GRAPH ?g { ?s ?p ?o } } WHERE { GRAPH ?g { ?s ?p ?o } }", KNOWN).graph_vars
    assert screen_update("CLEAR ALL", KNOWN).all_graphs
    # a graph written earlier in the request may be read later
    screen_update("INSERT DATA { GRAPH <http://g/9> { <a:s> <a:p> 1 } } ; "
                  "INSERT { GRAPH <http://g/1> { ?s ?p ?o } } USING <http://g/9> WHERE { ?s ?p ?o }", KNOWN)


@pytest.mark.parametrize("update,code", [
    ("LOAD <http://127.0.0.1/data.ttl> INTO GRAPH <http://g/1>", "E052"),
    ("INSERT DATA { <a:s> <a:p> 1 }", "E054"),
    ("DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }", "E054"),
    ("ADD <http://g/1> TO DEFAULT", "E054"),
    ("INSERT { GRAPH <http://g/1> { ?s ?p ?o } } USING <file:///etc/passwd> WHERE { ?s ?p ?o }", "E053"),
    ("COPY <file:///etc/passwd> TO <http://g/1>", "E053"),
])
def test_updates_refused(update: str, code: str) -> None:
    with pytest.raises(QueryError) as info:
        screen_update(update, KNOWN)
    assert info.value.code == code


def test_protocol_dataset_conflicts_with_using() -> None:
    with pytest.raises(QueryError) as info:
        screen_update("WITH <http://g/1> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }", KNOWN,
                      using_named_graph_uris=["http://g/2"])
    assert info.value.code == "E054"


def test_the_using_rewrite_adds_clauses_only_before_the_where_of_delete_insert() -> None:
    text = ('PREFIX w: <http://x/where> DELETE { GRAPH <http://g/1> { ?s ?p "WHERE {" } } WHERE { ?s ?p ?o } ; '
            "DELETE WHERE { GRAPH <http://g/1> { ?a ?b ?c } } ; WITH <http://g/1> INSERT { ?a ?b ?c } WHERE {} ; "
            "INSERT { GRAPH <http://g/1> { ?a ?b ?c } } # WHERE\n WHERE { FILTER(?a < ?b) { SELECT * WHERE {} } }")
    plan = screen_update(text, KNOWN)
    assert plan.text(["http://g/1"], ["http://g/2"]) == (
        'DELETE { GRAPH <http://g/1> { ?s ?p "WHERE {" } } USING <http://g/1> USING NAMED <http://g/2> WHERE '
        "{ ?s ?p ?o } ; DELETE WHERE { GRAPH <http://g/1> { ?a ?b ?c } } ; WITH <http://g/1> INSERT { ?a ?b ?c } "
        "WHERE {} ; INSERT { GRAPH <http://g/1> { ?a ?b ?c } } USING <http://g/1> USING NAMED <http://g/2> "
        "WHERE { FILTER(?a < ?b) { SELECT * WHERE {} } }")
    assert plan.text() == plan.text([], [])
    assert "USING" not in plan.text()


@pytest.mark.parametrize("accept,form,chosen", [
    (None, "SELECT", "application/sparql-results+json"),
    ("*/*", "CONSTRUCT", "text/turtle"),
    ("text/csv;q=0.5, application/sparql-results+xml", "SELECT", "application/sparql-results+xml"),
    ("text/*", "SELECT", "text/csv"),
    ("application/*;q=0.1, text/tab-separated-values;q=0.2", "SELECT", "text/tab-separated-values"),
    ("application/json, */*;q=0", "CONSTRUCT", None),
    ("text/csv", "ASK", None),
    ("application/rdf+xml;q=1.0, text/turtle;q=0.9", "DESCRIBE", "application/rdf+xml"),
    ("TEXT/CSV", "SELECT", "text/csv"),
])
def test_negotiate(accept: str | None, form: str, chosen: str | None) -> None:
    assert negotiate(accept, offers_for(form)) == chosen


def test_named_query_headers_are_checked(tmp_path: Path) -> None:
    path = tmp_path / "q.rq"
    path.write_text("# description: x\n# param who: person\nSELECT ?who {}\n")
    with pytest.raises(DataFileError, match="TYPE one of iri, string, integer, date"):
        parse_named_query(path)
    path.write_text("# description: x\n# param who: iri\nSELECT ?s {}\n")
    with pytest.raises(DataFileError, match="not a variable of the query"):
        parse_named_query(path)
    path.write_text("# description: x\n# param limit: integer\nSELECT ?limit {}\n")
    with pytest.raises(DataFileError, match="'limit' is a paging parameter of every named query"):
        parse_named_query(path)
    path.write_text("# param n: integer? A number\n# param d: date\nSELECT ?n ?d {}\n")
    with pytest.raises(DataFileError, match="description"):
        parse_named_query(path)
    path.write_text("# description: numbers\n# param n: integer? A number\n# param d: date\nSELECT ?n ?d {}\n")
    query = parse_named_query(path)
    assert [str(v) for v in query.bind({"n": "42", "d": "2020-03-04"}).values()] == ["42", "2020-03-04"]
    with pytest.raises(QueryError) as info:
        query.bind({"n": "4.2", "d": "March"})
    assert info.value.status == 422
    assert info.value.message == ("bad parameters for query 'q': parameter 'n': '4.2' is not an integer; "
                                  "parameter 'd': 'March' is not a date (YYYY-MM-DD)")


@pytest.mark.parametrize(("query", "capped", "check"), [
    ("SELECT ?s WHERE { ?s ?p ?o }", "SELECT ?s WHERE { ?s ?p ?o } LIMIT 101", "count"),
    ("SELECT ?s WHERE { ?s ?p ?o } LIMIT 10", "SELECT ?s WHERE { ?s ?p ?o } LIMIT 10", "bounded"),
    ("SELECT ?s WHERE { ?s ?p ?o } OFFSET 5 LIMIT 200", "SELECT ?s WHERE { ?s ?p ?o } LIMIT 101 OFFSET 5", "count"),
    ("SELECT (COUNT(*) AS ?n) { ?s ?p ?o } GROUP BY ?s ORDER BY ?n VALUES ?s { <http://a> }",
     "SELECT (COUNT(*) AS ?n) { ?s ?p ?o } GROUP BY ?s ORDER BY ?n LIMIT 101 VALUES ?s { <http://a> }", "count"),
    ("SELECT * { { SELECT ?s { ?s ?p ?o } LIMIT 3 } }", "SELECT * { { SELECT ?s { ?s ?p ?o } LIMIT 3 } } LIMIT 101",
     "count"),  # a subquery's LIMIT is its own
    ("ASK { ?s ?p ?o }", "ASK { ?s ?p ?o }", "stream"),
    ("SELECT ?s WHERE { ?s ?p ?o } LIMIT 1e3", "SELECT ?s WHERE { ?s ?p ?o } LIMIT 1e3", "stream"),  # not readable
])
def test_the_screen_writes_the_outermost_limit(query: str, capped: str, check: str) -> None:
    assert screen_query(query, set()).to_run(100) == (capped, check)


def test_a_page_is_ordered_and_limited_by_the_screen() -> None:
    plan = screen_query("SELECT (EXISTS { ?a ?b ?c } AS ?e) ?x WHERE { ?x ?p ?o } LIMIT 7", set())
    assert plan.to_run(100, (10, 20)) == (
        "SELECT (EXISTS { ?a ?b ?c } AS ?e) ?x WHERE { ?x ?p ?o } ORDER BY ?e ?x LIMIT 10 OFFSET 20", "bounded")
    ordered = screen_query("SELECT ?x WHERE { ?x ?p ?o } ORDER BY DESC(?x)", set())
    assert ordered.to_run(100, (10, 0)) == ("SELECT ?x WHERE { ?x ?p ?o } ORDER BY DESC(?x) LIMIT 10", "bounded")
    with pytest.raises(QueryError, match="SELECT \\* query without ORDER BY cannot be paged"):
        screen_query("SELECT * WHERE { ?x ?p ?o }", set()).to_run(100, (10, 0))
