"""The named analyst queries (api/queries/*.rq) on the fixture graph plus one contradicting
article, on every backend: exact rows, listing, and parameter checking (422)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

import pytest

from conflictkg.fixtures import A, fixture_articles
from conflictkg.service import GraphService
from conflictkg.sparql.named import load_named_queries

from fixtures_sparql import EVENT, Client, backend, corpus, denial_graph, service_fixture  # noqa: F401

K1, K2 = (a.key for a in fixture_articles())
K3 = denial_graph()[0].rsplit("/", 1)[1]
ID = "https://w3id.org/conflictkg/id/"
CKG = "https://w3id.org/conflictkg/ontology#"
MONITOR = f"{ID}actor/unnamed/{K2}/local-monitor"
ALL_QUERIES = ["actor-statements", "casualty-figures", "contested-figures", "contradictions", "figure-summary"]


@pytest.fixture(scope="module")
def service(backend: str) -> Iterator[GraphService]:  # noqa: F811
    yield from service_fixture(backend, graphs=corpus(with_denial=True))


@pytest.fixture(scope="module")
def client(service: GraphService) -> Client:
    return Client(service)


def _claim(service: GraphService, claimant: str) -> str:
    rows = service.store.select(
        "SELECT DISTINCT ?c ?who WHERE { ?c <http://www.w3.org/ns/prov#wasAttributedTo> ?who }", {"who": _iri(claimant)})
    assert len(rows) == 1
    return str(rows[0]["c"])


def _iri(value: str):  # -> URIRef
    from rdflib import URIRef

    return URIRef(value)


def _rows(client: Client, name: str, **params: str) -> list[list[str]]:
    r = client.get(f"/queries/{name}", params=params, headers={"accept": "text/csv"})
    assert r.status_code == 200, r.text
    assert r.text.endswith("\r\n")
    return list(csv.reader(io.StringIO(r.text, newline="")))


def test_the_queries_are_listed_with_their_parameters(client: Client) -> None:
    listed = client.get("/queries").json()
    assert [q["name"] for q in listed] == ALL_QUERIES
    by_name = {q["name"]: q for q in listed}
    assert by_name["casualty-figures"]["params"] == [{
        "name": "event", "type": "iri", "required": True,
        "description": "The event, e.g. https://w3id.org/conflictkg/id/event/2020-03-04-north-province-attack"}]
    assert by_name["contradictions"]["params"][0]["required"] is False
    assert by_name["actor-statements"]["url"] == "http://testserver/queries/actor-statements"
    assert all(q["description"] for q in listed)
    assert sorted(load_named_queries()) == ALL_QUERIES


def test_casualty_figures(client: Client, service: GraphService) -> None:
    ministry, monitor, government, agency = (_claim(service, c) for c in (
        A["interior-ministry"], MONITOR, A["north-government"], A["agency-x"]))
    assert _rows(client, "casualty-figures", event=EVENT) == [
        ["event", "claimDate", "claimant", "claimantLabel", "measure", "min", "max", "qualifier", "surfaceForm",
         "countedGroup", "claim", "article"],
        [EVENT, "2020-03-04", A["interior-ministry"], "Interior Ministry", f"{CKG}Killed", "12", "", f"{CKG}AtLeast",
         "at least 12", "guards", ministry, f"{ID}article/{K1}"],
        [EVENT, "2020-03-06", MONITOR, "local monitor", f"{CKG}Killed", "21", "", f"{CKG}MoreThan", "more than 20",
         "guards", monitor, f"{ID}article/{K2}"],
        [EVENT, "2020-03-07", A["agency-x"], "Agency X", f"{CKG}Killed", "11", "11", f"{CKG}Approximately",
         "about 11", "guards", agency, f"{ID}article/{K3}"],
        [EVENT, "2020-03-07", A["north-government"], "Government of North", f"{CKG}Killed", "", "10", f"{CKG}UpTo",
         "up to 10", "guards", government, f"{ID}article/{K3}"],
    ]


def test_actor_statements_is_a_timeline(client: Client, service: GraphService) -> None:
    ministry = _claim(service, A["interior-ministry"])
    bran = _claim(service, f"{ID}actor/person/ivo-bran")
    rows = _rows(client, "actor-statements", actor=A["interior-ministry"])
    assert rows[0] == ["actor", "claimDate", "claim", "speaker", "speakerLabel", "capacity", "stance", "certainty",
                       "quote", "event", "article"]
    graspf = "http://groundedannotationframework.org/grasp/factuality#"
    assert rows[1] == [A["interior-ministry"], "2020-03-04", ministry, A["interior-ministry"], "Interior Ministry",
                       "claimant", f"{CKG}Asserts", f"{graspf}certain",
                       "The Interior Ministry said on Wednesday that at least 12 guards were killed.", EVENT,
                       f"{ID}article/{K1}"]
    # the quote holds commas, so CSV quotes it; compare that row's fields around it
    assert rows[2][:8] == [A["interior-ministry"], "2020-03-05", bran, f"{ID}actor/person/ivo-bran", "Ivo Bran",
                           "on behalf of", f"{CKG}Asserts", f"{graspf}certain"]
    assert rows[2][-2:] == [EVENT, f"{ID}article/{K1}"]
    assert len(rows) == 3


def test_contradictions(client: Client, service: GraphService) -> None:
    ministry, monitor, government, agency = (_claim(service, c) for c in (
        A["interior-ministry"], MONITOR, A["north-government"], A["agency-x"]))
    header = ["event", "kind", "measure", "claimA", "populationA", "claimB", "populationB", "reason"]
    soldiers = f"{ID}population/2020-03-04-north-province-attack/soldiers"
    # All four count the same guards. "up to 10" cannot be true with "at least 12" nor with "more
    # than 20"; "about 11" (read as 9..13) cannot be true with "more than 20". The ministry and the
    # government it belongs to are one source: their pair is a revision (A the earlier figure); the
    # others are contradictions (A the lower figure). "at least 12" and "more than 20" can both hold.
    expected = {
        ("contradiction", government, monitor, "Government of North and local monitor disagree: 'up to 10' (0 to 10) "
         "and 'more than 20' (21 to any number) count the same people (soldiers) and their ranges do not overlap."),
        ("contradiction", agency, monitor, "Agency X and local monitor disagree: 'about 11' (9 to 13) and 'more than "
         "20' (21 to any number) count the same people (soldiers) and their ranges do not overlap."),
        ("revision", ministry, government, "Interior Ministry and then Government of North, one source, changed the "
         "figure (2020-03-04 to 2020-03-07): 'at least 12' (12 to any number) and 'up to 10' (0 to 10) count the same "
         "people (soldiers) and their ranges do not overlap."),
    }
    rows = _rows(client, "contradictions")
    assert rows[0] == header
    assert len(rows) == 1 + len(expected)
    assert all(r[0] == EVENT and r[2] == f"{CKG}Killed" and r[4] == r[6] == soldiers for r in rows[1:])
    assert {(r[1], r[3], r[5], r[7]) for r in rows[1:]} == expected  # rows come unordered
    assert sorted(_rows(client, "contradictions", event=EVENT)[1:]) == sorted(rows[1:])
    assert _rows(client, "contradictions", event=f"{ID}event/none") == [header]


def test_figure_summary(client: Client, service: GraphService) -> None:
    ministry, monitor, government, agency = (_claim(service, c) for c in (
        A["interior-ministry"], MONITOR, A["north-government"], A["agency-x"]))
    soldiers = f"{ID}population/2020-03-04-north-province-attack/soldiers"
    fighters = f"{ID}population/2020-03-04-north-province-attack/fighters"
    bran = _claim(service, f"{ID}actor/person/ivo-bran")
    assert _rows(client, "figure-summary", event=EVENT) == [
        ["event", "measure", "population", "populationLabel", "low", "best", "high", "sources", "lowFrom", "bestFrom",
         "highFrom"],
        # the ministry speaks for the government: its later "up to 10" stands for both
        [EVENT, f"{CKG}Attackers", fighters, "fighters", "40", "40", "40", "1", bran, bran, bran],
        [EVENT, f"{CKG}Killed", soldiers, "soldiers", "0", "11", "21", "3", government, agency, monitor],
    ]


def test_contested_figures(client: Client, service: GraphService) -> None:
    ministry, monitor, government, agency = (_claim(service, c) for c in (
        A["interior-ministry"], MONITOR, A["north-government"], A["agency-x"]))
    assert _rows(client, "contested-figures", event=EVENT) == [
        ["event", "measure", "claimDate", "claimant", "claimantLabel", "min", "max", "qualifier", "surfaceForm",
         "population", "claim"],
        [EVENT, f"{CKG}Killed", "2020-03-04", A["interior-ministry"], "Interior Ministry", "12", "", f"{CKG}AtLeast",
         "at least 12", "soldiers", ministry],
        [EVENT, f"{CKG}Killed", "2020-03-06", MONITOR, "local monitor", "21", "", f"{CKG}MoreThan", "more than 20",
         "soldiers", monitor],
        [EVENT, f"{CKG}Killed", "2020-03-07", A["agency-x"], "Agency X", "11", "11", f"{CKG}Approximately",
         "about 11", "soldiers", agency],
        [EVENT, f"{CKG}Killed", "2020-03-07", A["north-government"], "Government of North", "", "10", f"{CKG}UpTo",
         "up to 10", "soldiers", government],
    ]  # the attackers figure ("About 40") is in no pair, so it is not contested


def test_bad_parameters_are_422(client: Client) -> None:
    r = client.get("/queries/casualty-figures")
    assert r.status_code == 422
    assert r.json() == {"error": "E054", "message": "bad parameters for query 'casualty-figures': missing parameter "
                        "'event' (iri): The event, e.g. https://w3id.org/conflictkg/id/event/2020-03-04-north-province-attack"}
    r = client.get("/queries/casualty-figures", params={"event": "> } ; DROP ALL #", "rows": "3"})
    assert r.status_code == 422
    assert r.json()["message"] == ("bad parameters for query 'casualty-figures': unknown parameter 'rows' (this query "
                                   "takes: event); parameter 'event': '> } ; DROP ALL #' is not an absolute IRI")
    r = client.get("/queries/casualty-figures", params={"event": [EVENT, EVENT]})
    assert r.status_code == 422
    assert client.get("/queries/nope").status_code == 404


def test_parameters_are_bound_not_spliced(client: Client) -> None:
    # An IRI full of SPARQL syntax is just an IRI that matches nothing.
    header = _rows(client, "casualty-figures", event=EVENT)[0]
    assert _rows(client, "casualty-figures", event="urn:x:a')#?b") == [header]


def _algebra_nodes(node: object) -> Iterator[object]:
    """Every node of an rdflib algebra tree, depth first."""
    from rdflib.plugins.sparql.parserutils import CompValue

    yield node
    children = node.values() if isinstance(node, (CompValue, dict)) else node if isinstance(node, list) else ()
    for child in children:
        yield from _algebra_nodes(child)


@pytest.mark.parametrize("name", ALL_QUERIES)
def test_named_queries_follow_the_planner_rules(name: str) -> None:
    """The rules of docs/sparql.md "Writing a named query", which keep the bound parameter the
    driver of pyoxigraph's plan (a regression is 35-1000x slower at 1M triples)."""
    from rdflib import RDF
    from rdflib.plugins.sparql import prepareQuery
    from rdflib.plugins.sparql.parserutils import CompValue

    from conflictkg.rdflib_lock import SPARQL_LOCK

    with SPARQL_LOCK:
        algebra = prepareQuery(load_named_queries()[name].text).algebra
    nodes = [n for n in _algebra_nodes(algebra) if isinstance(n, CompValue)]
    names = {n.name for n in nodes}
    assert "values" not in names, "a VALUES block: filter instead"
    assert not names & {"Builtin_EXISTS", "Builtin_NOTEXISTS"}, "FILTER (NOT) EXISTS: join and DISTINCT instead"
    joins_after_union = [n for n in nodes if n.name == "Join" and "Union" in (n.p1.name, n.p2.name)]
    assert not joins_after_union, "a required pattern after a UNION: repeat it in each branch"
    typed = [t for n in nodes if n.name == "BGP" for t in n.triples if t[1] == RDF.type]
    assert not typed, f"rdf:type patterns {typed}: start from a property that implies the type"
    wide = [n.p2 for n in nodes if n.name == "LeftJoin" and not _one_pattern(n.p2) and not (
        n.p2.name == "LeftJoin" and _one_pattern(n.p2.p1))]
    assert not wide, f"an OPTIONAL of more than one pattern or a path {wide}: one pattern each, nested for a chain"


@pytest.mark.parametrize("name", ["_COUNTING", "_CLAIMS", "_EVIDENCE", "_POPULATIONS"])
def test_the_write_paths_reads_keep_one_pattern_per_optional(name: str) -> None:
    """The derived graphs' reads run on every ingest: an OPTIONAL over a path or several patterns
    is planned as a hash left join over the whole store (the evidence read cost 27 ms per article
    on an empty store before it became a read of its own)."""
    from rdflib.plugins.sparql import prepareQuery
    from rdflib.plugins.sparql.parserutils import CompValue

    from conflictkg import derived
    from conflictkg.rdflib_lock import SPARQL_LOCK

    with SPARQL_LOCK:
        algebra = prepareQuery(getattr(derived, name) % "<https://example.org/x>").algebra
    nodes = [n for n in _algebra_nodes(algebra) if isinstance(n, CompValue)]
    wide = [n.p2 for n in nodes if n.name == "LeftJoin" and not _one_pattern(n.p2) and not (
        n.p2.name == "LeftJoin" and _one_pattern(n.p2.p1))]
    assert not wide, f"an OPTIONAL of more than one pattern or a path {wide}: one pattern each, nested for a chain"


def _one_pattern(node: object) -> bool:
    """Whether an algebra node is one triple pattern with a plain IRI as its predicate (no path)."""
    from rdflib import URIRef
    from rdflib.plugins.sparql.parserutils import CompValue

    return (isinstance(node, CompValue) and node.name == "BGP" and len(node.triples) == 1
            and isinstance(node.triples[0][1], URIRef))


def test_named_queries_are_paged_in_a_deterministic_order(client: Client) -> None:
    """Every named query takes ``limit`` and ``offset``: consecutive pages are the whole answer, in order,
    on both backends (the embedded store writes them as the outermost LIMIT/OFFSET; the remote store
    pages the rows it reads)."""
    whole = _rows(client, "casualty-figures", event=EVENT)
    header, rows = whole[0], whole[1:]
    assert len(rows) == 4
    pages = [_rows(client, "casualty-figures", event=EVENT, limit="3", offset=str(k)) for k in (0, 3, 6)]
    assert [p[0] for p in pages] == [header] * 3
    assert [len(p) - 1 for p in pages] == [3, 1, 0]
    assert [row for p in pages for row in p[1:]] == rows
    # a query without an ORDER BY of its own is ordered by the variables it projects, so its pages never overlap
    pairs = _rows(client, "contradictions")[1:]
    singles = [_rows(client, "contradictions", limit="1", offset=str(k))[1:] for k in range(len(pairs) + 1)]
    assert len(pairs) >= 2 and [row for page in singles for row in page] == pairs
    assert singles[-1] == []


@pytest.mark.parametrize(("params", "problem"), [
    ({"limit": "0"}, "parameter 'limit': '0' is not a whole number from 1 to 100000 (--max-rows)"),
    ({"limit": "100001"}, "parameter 'limit': '100001' is not a whole number from 1 to 100000 (--max-rows)"),
    ({"limit": "ten"}, "parameter 'limit': 'ten' is not a whole number from 1 to 100000 (--max-rows)"),
    ({"offset": "-1"}, "parameter 'offset': '-1' is not a whole number from 0"),
])
def test_bad_paging_is_422(client: Client, params: dict[str, str], problem: str) -> None:
    r = client.get("/queries/casualty-figures", params={"event": EVENT, **params})
    assert (r.status_code, r.json()) == (422, {"error": "E054", "message": f"bad paging: {problem}"})
