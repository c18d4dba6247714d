"""The W3C SPARQL 1.1 test suites (../shared/w3c/sparql11/): where they are, how to read their
manifests, and THE list of tests conflictkg answers differently on purpose, each with its reason.

Every runner (tests/test_sparql_w3c.py for the protocol, tests/test_sparql_w3c_suites.py for the
others) takes its skips from :data:`SKIPS` alone, and prints its counts (run, passed, skipped
per suite) at the end of the test session (this module's pytest hooks); docs/sparql.md gives the same counts.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from rdflib import Graph, Namespace, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDF

W3C_DIR = Path(os.environ.get("CONFLICTKG_W3C_DIR", Path(__file__).resolve().parents[2] / "shared" / "w3c")) / "sparql11"
W3C_BASE = "http://www.w3.org/2009/sparql/docs/tests/data-sparql11/"
MF = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
QT = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-query#")
UT = Namespace("http://www.w3.org/2009/sparql/tests/test-update#")

# --- the reasons -------------------------------------------------------------------------------

DEFAULT_GRAPH_WRITE = (
    "safety refusal: the update writes the default graph (or reads or clears it as a graph of its own), which "
    "in conflictkg is the union of the named graphs: writes must name their graph (400, E054; docs/sparql.md)")
UNION_DEFAULT_GRAPH = (
    "union default graph: the test expects a default graph apart from its named graphs; in conflictkg the "
    "default graph is the union of the named graphs (sd:UnionDefaultGraph), so named data also shows there")
SERVICE_REFUSED = "safety refusal: SERVICE is refused (400, E052): conflictkg never queries other endpoints"
LOAD_REFUSED = "safety refusal: LOAD is refused (400, E052): conflictkg never fetches data"
UNKNOWN_DATASET_GRAPH = (
    "safety refusal: the request names a dataset graph (FROM, FROM NAMED, default-graph-uri, USING) that is not a "
    "graph of the store: conflictkg refuses it (400, E053) instead of querying an empty graph")
ENTAILMENT = "not offered: conflictkg runs simple entailment only (no RDFS, OWL or D-entailment regimes)"
DIRECT_GSP = ("not offered (a documented choice): the Graph Store Protocol identifies graphs indirectly only "
              "(/graph-store?graph=IRI), neither by request path nor by POST-created graphs with a Location")
GSP_DEFAULT = ("safety refusal: the Graph Store Protocol's ?default names the default graph, the union of the named "
               "graphs, which cannot be read or written as one graph here (400, E054)")
UPSTREAM = "upstream pyoxigraph 0.5.13 behaviour"

#: Test IRI -> why conflictkg answers differently. Filled per suite below.
SKIPS: dict[str, str] = {}


def _skip(reason: str, *tests: str) -> None:
    for test in tests:
        assert test not in SKIPS, test
        SKIPS[W3C_BASE + test] = reason


_skip(UNKNOWN_DATASET_GRAPH, *(f"protocol/manifest#{t}" for t in (
    "query_post_form", "query_get", "query_content_type_select", "query_content_type_ask",
    "query_content_type_describe", "query_content_type_construct")))
_skip(UNKNOWN_DATASET_GRAPH, "syntax-query/manifest#test_42", "syntax-update-1/manifest#test_32")
_skip(LOAD_REFUSED, *(f"syntax-update-1/manifest#test_{n}" for n in (1, 2, 3, 4, 37)))
_skip(DEFAULT_GRAPH_WRITE, *(f"syntax-update-1/manifest#test_{n}" for n in (23, 25, 29, 31, 35)))
_skip(SERVICE_REFUSED, *(f"syntax-fed/manifest#test_{n}" for n in (1, 2, 3)))
_skip(SERVICE_REFUSED, *(f"service/manifest#service{n}" for n in ("1", "2", "3", "4a", "5", "6", "7")))


# --- manifests ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class W3CTest:
    iri: str
    suite: str
    kind: str  # the mf: type's local name
    graph: Graph
    node: URIRef

    @property
    def name(self) -> str:
        return self.iri[len(W3C_BASE):]


def local(iri: Any) -> Path:
    """The local file of a W3C test IRI."""
    text = str(iri)
    assert text.startswith(W3C_BASE), text
    return W3C_DIR / text[len(W3C_BASE):]


def manifest(suite: str, name: str = "manifest.ttl") -> Graph:
    graph = Graph()
    graph.parse(W3C_DIR / suite / name, format="turtle", publicID=f"{W3C_BASE}{suite}/{name}")
    return graph


def suite_tests(suite: str, name: str = "manifest.ttl") -> Iterator[W3CTest]:
    graph = manifest(suite, name)
    for man in graph.subjects(RDF.type, MF.Manifest):
        entries = graph.value(man, MF.entries)
        if entries is None:
            continue
        for node in Collection(graph, entries):
            kind = graph.value(node, RDF.type)
            yield W3CTest(str(node), suite, str(kind).rsplit("#", 1)[1], graph, node)  # type: ignore[arg-type]


def skip_suite(reason: str, suite: str) -> None:
    """Skip every test of a suite (entailment regimes)."""
    if (W3C_DIR / suite / "manifest.ttl").exists():
        _skip(reason, *(t.name for t in suite_tests(suite)))


def params(tests: list[W3CTest]) -> list[Any]:
    """pytest parameters: each test, skipped when :data:`SKIPS` names it."""
    if not W3C_DIR.is_dir():
        return [pytest.param(None, marks=pytest.mark.skip(reason=f"the W3C suites are not at {W3C_DIR}"))]
    out = []
    for test in tests:
        marks = [pytest.mark.skip(reason=SKIPS[test.iri])] if test.iri in SKIPS else []
        out.append(pytest.param(test, id=test.name, marks=marks))
    return out


skip_suite(ENTAILMENT, "entailment")
_skip(UNION_DEFAULT_GRAPH, "negation/manifest#graph-minus", "subquery/manifest#subquery04")
_skip(f"{UPSTREAM}: the store keeps an xsd:boolean as its value, so \"0\"^^xsd:boolean comes back as \"false\"",
      *(f"cast/manifest#cast-{t}" for t in ("bool", "int", "float", "double", "decimal", "string")))
_skip(f"{UPSTREAM}: the store keeps \"-3\"^^xsd:negativeInteger as an xsd:integer", "csv-tsv-res/manifest#tsv03")
_skip(f"{UPSTREAM}: the store keeps an xsd:double as its value, so \"1.0E6\" comes back as 1000000",
      "csv-tsv-res/manifest#csv03")
_skip(f"{UPSTREAM}: GRAPH ?g around a pattern with no triple pattern (VALUES, an aggregate over nothing) gives "
      "no row per named graph", "bindings/manifest#graph", "aggregates/manifest#agg-empty-group-count-graph")
_skip(f"{UPSTREAM}: GROUP_CONCAT of literals with one language tag keeps the tag (SPARQL 1.2), so it does not "
      "equal the simple literal", "aggregates/manifest#agg-groupconcat-04", "aggregates/manifest#agg-groupconcat-06")
_skip(f"{UPSTREAM}: BNODE(str) gives the same blank node for the same string in every solution, not one per "
      "solution", "functions/manifest#bnode01")
_skip(f"{UPSTREAM}: a zero-length path from or to a constant matches nothing on the empty dataset (zero-length "
      "path evaluation changed upstream later: oxigraph/oxigraph#1815)",
      *(f"property-path/manifest#{t}" for t in ("zero_or_more_set_start", "zero_or_more_set_end",
                                                "zero_or_one_set_start", "zero_or_one_set_end")))

_skip(DEFAULT_GRAPH_WRITE, *(f"add/manifest#add0{n}" for n in (1, 2, 7)), *(f"copy/manifest#copy0{n}" for n in (1, 2, 6)),
      *(f"move/manifest#move0{n}" for n in (1, 2, 6)), "basic-update/manifest#insert-data-spo1",
      *(f"basic-update/manifest#insert-{t}" for t in ("where-01", "where-04", "using-01")),
      *(f"delete-data/manifest#dawg-delete-data-0{n}" for n in (1, 3, 5)),
      *(f"delete-insert/manifest#dawg-delete-insert-{t}" for t in ("01", "01b", "01c", "02", "04", "04b", "05b", "06b")),
      "delete-insert/manifest#delete-insert-halloween-problem",
      *(f"delete-where/manifest#dawg-delete-where-0{n}" for n in (1, 3, 5)),
      *(f"delete/manifest#dawg-delete-0{n}" for n in (1, 3, 5, 7)),
      *(f"delete/manifest#dawg-delete-using-{t}" for t in ("01", "02a", "03", "04")),
      "clear/manifest#dawg-clear-default-01", "drop/manifest#dawg-drop-default-01",
      *(f"update-silent/manifest#{op}-to-default-silent" for op in ("copy", "move", "add")))
_skip(UNION_DEFAULT_GRAPH, "clear/manifest#dawg-clear-named-01", "drop/manifest#dawg-drop-named-01")
_skip(LOAD_REFUSED, "update-silent/manifest#load-silent", "update-silent/manifest#load-into-silent")
_skip(DIRECT_GSP, *(f"http-rdf-update/manifest#{t}" for t in (
    "put_get_repeat_direct", "put_delete_get_delete_direct", "post_get_post_get_direct", "head_existing_direct",
    "post_get_new_graph")))
_skip(GSP_DEFAULT, "http-rdf-update/manifest#put_get_default")

# --- counts (this module is a pytest plugin: tests/conftest.py names it in pytest_plugins) -------

COUNTS: dict[str, Counter[str]] = {}


def _suite(nodeid: str) -> str | None:
    """The W3C suite a test report belongs to, or None for other tests."""
    name = nodeid.rsplit("::", 1)[-1]
    if not name.startswith("test_w3c_") or "[" not in name:
        return None
    inner = name.split("[", 1)[1].rstrip("]")
    if name.startswith("test_w3c_protocol"):
        backend = "virtuoso" if "virtuoso" in inner.split("-") else "embedded"
        return f"protocol ({backend})"
    if name.startswith("test_w3c_service_description"):
        return "service-description"
    suite = inner.split("/", 1)[0]
    return "graph-store-protocol" if suite == "http-rdf-update" else suite


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    suite = _suite(report.nodeid)
    if suite is None:
        return
    if report.when == "call":
        COUNTS.setdefault(suite, Counter())["passed" if report.passed else "failed"] += 1
    elif report.when == "setup" and report.skipped:
        COUNTS.setdefault(suite, Counter())["skipped"] += 1


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if not COUNTS:
        return
    terminalreporter.write_sep("-", "W3C SPARQL 1.1 suites (skip reasons: tests/fixtures_w3c.py SKIPS)")
    total: Counter[str] = Counter()
    for suite in sorted(COUNTS):
        c = COUNTS[suite]
        total.update(c)
        terminalreporter.write_line(f"{suite:26} {c['passed']:4} passed {c['skipped']:4} skipped {c['failed']:4} failed")
    terminalreporter.write_line(f"{'all':26} {total['passed']:4} passed {total['skipped']:4} skipped "
                                f"{total['failed']:4} failed")
