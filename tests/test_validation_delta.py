"""The ingest gate: validate_delta checks new named graphs with the context they reference,
and agrees with a full validation of the store they would produce."""

from __future__ import annotations

import pytest
from fixtures_validation import A1, A2, N, apply, base_graphs
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import XSD
from test_shapes import CASES

from conflictkg.config import SHACL_ENGINES
from conflictkg.errors import ValidationFailed
from conflictkg.namespaces import CKG, CKGG, DICTIONARY_GRAPH, PROV, SEM
from conflictkg.store import EmbeddedStore
from conflictkg.validation import ShapeValidator, ValidationReport, format_term

A1_GRAPH = next(name for name in base_graphs() if str(name).endswith(A1))
A2_GRAPH = next(name for name in base_graphs() if str(name).endswith(A2))
EVENT_GRAPH = next(name for name in base_graphs() if "/graph/event/" in str(name))


@pytest.fixture(scope="module", params=SHACL_ENGINES)
def validator(request: pytest.FixtureRequest) -> ShapeValidator:
    """Every test runs on both engines: pyshacl-turbo (the default) and pySHACL (the reference)."""
    return ShapeValidator(engine=request.param)


def _copy(graph: Graph) -> Graph:
    out = Graph()
    out += graph
    return out


def _store(*names: URIRef) -> EmbeddedStore:
    store = EmbeddedStore(None)
    store.replace_graphs({n: base_graphs()[n] for n in names})
    return store


class SparqlOnlyStore:
    """A GraphStore seen only through its SPARQL interface (as a remote store is)."""

    def __init__(self, inner: EmbeddedStore) -> None:
        self._inner = inner

    def select(self, query: str, bindings: object = None) -> list:
        return self._inner.select(query, bindings)  # type: ignore[arg-type]

    def graph(self, name: URIRef) -> Graph:
        return self._inner.graph(name)

    def named_graphs(self) -> list[URIRef]:
        return self._inner.named_graphs()

    def triple_count(self) -> int:
        return self._inner.triple_count()


def _keys(report: ValidationReport, severity: str = "Violation") -> set[tuple]:
    return {(r.focus_node, r.path, r.value, r.shape, r.constraint) for r in report.results if r.severity == severity}


def test_good_article_passes_the_gate_with_dictionary_context(validator: ShapeValidator) -> None:
    store = _store(DICTIONARY_GRAPH, A2_GRAPH, EVENT_GRAPH)
    report = validator.validate_delta({A1_GRAPH: base_graphs()[A1_GRAPH]}, store)
    assert report.conforms, report.to_text()
    assert report.results == []
    # Only the article and a bounded context were validated, not the store.
    assert report.focus_nodes == len({s for s in base_graphs()[A1_GRAPH].subjects() if isinstance(s, URIRef)})


def test_claimant_missing_from_the_store_is_rejected(validator: ShapeValidator) -> None:
    report = validator.validate_delta({A1_GRAPH: base_graphs()[A1_GRAPH]}, EmbeddedStore(None))
    assert not report.conforms
    claimant = [r for r in report.violations if r.shape == "ckgsh:Claim-claimantIsActor"]
    assert [(r.focus_node, r.path, r.value) for r in claimant] == [
        (format_term(N["CLAIM"]), "prov:wasAttributedTo", "ckgid:actor/interior-ministry")]


def test_bad_delta_is_rejected_and_the_report_names_node_path_and_message(validator: ShapeValidator) -> None:
    store = _store(*base_graphs())
    before = store.triple_count()
    bad = apply(_copy(base_graphs()[A1_GRAPH]), [("set", "CLAIM", PROV.wasAttributedTo, "VALETOWN"),
                                                 ("set", "FIG", CKG.measure, CKG.Dead)])
    report = validator.validate_delta({A1_GRAPH: bad}, store)
    assert not report.conforms
    assert [(r.focus_node, r.path, r.value, r.shape) for r in report.violations] == sorted([
        (format_term(N["CLAIM"]), "prov:wasAttributedTo", "ckgid:place/valetown", "ckgsh:Claim-claimantIsActor"),
        (format_term(N["FIG"]), "ckg:measure", "ckg:Dead", "ckgsh:Figure-measure"),
    ])
    assert report.violations[0].message.startswith("A claim's claimant (prov:wasAttributedTo) must be the IRI")
    body = report.to_dict()
    assert body["conforms"] is False and body["counts"] == {"Violation": 2, "Warning": 0, "Info": 0}
    assert body["results"][0]["focusNode"] == format_term(N["CLAIM"])
    assert store.triple_count() == before  # validation never writes
    # What the Builder does with it: the error carries the report as JSON.
    error = ValidationFailed("article a1.txt breaks the shapes", report=report)
    assert error.to_dict()["report"]["results"][1]["path"] == "ckg:measure"
    text = report.to_text()
    assert "node:  " + format_term(N["FIG"]) in text and "path:  ckg:measure" in text


@pytest.mark.parametrize("sparql_only", [False, True], ids=["embedded", "sparql"])
def test_removing_a_dictionary_actor_rechecks_the_claims_that_cite_it(validator: ShapeValidator,
                                                                        sparql_only: bool) -> None:
    store = SparqlOnlyStore(_store(*base_graphs())) if sparql_only else _store(*base_graphs())
    dictionary = apply(_copy(base_graphs()[DICTIONARY_GRAPH]), [("del", "MIN", None, None)])
    report = validator.validate_delta({DICTIONARY_GRAPH: dictionary}, store)
    assert not report.conforms
    focus = {(r.focus_node, r.shape) for r in report.violations}
    assert (format_term(N["CLAIM"]), "ckgsh:Claim-claimantIsActor") in focus  # in another named graph
    assert (format_term(N["CLAIM2"]), "ckgsh:Claim-onBehalfOf") in focus
    assert (format_term(N["BRAN"]), "ckgsh:Actor-affiliatedWith") in focus


def test_new_graph_changing_a_shared_event_is_checked_against_what_the_store_says(validator: ShapeValidator) -> None:
    store = _store(*base_graphs())
    extra = Graph()
    extra.add((N["EVENT"], SEM.hasEarliestBeginTimeStamp, Literal("2020-03-09", datatype=XSD.date)))
    report = validator.validate_delta({CKGG["article/extra"]: extra}, store)
    assert {(r.focus_node, r.shape) for r in report.violations} == {(format_term(N["EVENT"]), "ckgsh:Event-interval")}


@pytest.mark.parametrize("sparql_only", [False, True], ids=["embedded", "sparql"])
def test_new_claim_about_an_existing_article_rechecks_that_article(validator: ShapeValidator,
                                                                     sparql_only: bool) -> None:
    store = SparqlOnlyStore(_store(*base_graphs())) if sparql_only else _store(*base_graphs())
    claim = URIRef(str(N["CLAIM"]) + "-copy")
    g = Graph()
    for p, o in base_graphs()[A1_GRAPH].predicate_objects(N["CLAIM"]):
        g.add((claim, p, o))
    apply(g, [("set", claim, CKG.claimDate, Literal("2020-04", datatype=XSD.gYearMonth))])
    report = validator.validate_delta({CKGG["article/other"]: g}, store)
    assert [(r.focus_node, r.shape) for r in report.violations] == [(format_term(N["ART"]), "ckgsh:Article-claimMonths")]


def _graph_of(subject: URIRef) -> URIRef:
    for name, graph in base_graphs().items():
        if (subject, None, None) in graph:
            return name
    return A1_GRAPH


def _full(validator: ShapeValidator, graphs: dict[URIRef, Graph]) -> ValidationReport:
    g = Graph()
    for graph in graphs.values():
        g += graph
    return validator.validate_graph(g)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.sampled_from(range(len(CASES))), min_size=0, max_size=3, unique=True),
       st.lists(st.booleans(), min_size=3, max_size=3))
def test_delta_and_full_validation_agree(validator: ShapeValidator, picks: list[int], twins: list[bool]) -> None:
    """Apply a few broken (or corrected) edits, each to the graph that holds its subject, and
    validate the changed graphs as a delta against the original store: the verdict and the
    Violations equal those of validating the whole resulting graph."""
    graphs = {name: _copy(g) for name, g in base_graphs().items()}
    changed: set[URIRef] = set()
    for index, twin in zip(picks, twins):
        _shape, _focus, bad, good = CASES[index]
        for op in (good if twin else bad):
            subject = N[op[1]] if isinstance(op[1], str) else op[1]
            name = _graph_of(subject)
            if subject == N["ASSERTS"]:
                continue  # ontology individuals are not in the fixture store
            apply(graphs[name], [op])
            changed.add(name)
    store = _store(*base_graphs())
    delta = validator.validate_delta({name: graphs[name] for name in sorted(changed)}, store)
    full = _full(validator, graphs)
    assert delta.conforms == full.conforms, (delta.to_text(), full.to_text())
    assert _keys(delta) == _keys(full)
    assert _keys(delta, "Warning") <= _keys(full, "Warning")
