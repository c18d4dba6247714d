"""Shared helpers for the SHACL tests: the fixture graph's nodes by role, and graph edits.

An *edit* is a list of operations applied to a copy of a graph:

- ``("add", s, p, o)``: add a triple;
- ``("del", s, p, o)``: remove matching triples (``None`` is a wildcard);
- ``("set", s, p, o)``: remove every ``(s, p, *)`` and add ``(s, p, o)``.

Subjects and objects may be keys of :data:`N` (strings naming a fixture node).
"""

from __future__ import annotations

from functools import cache

from rdflib import Graph, Literal, URIRef
from rdflib.term import Node

from conflictkg.fixtures import NORTH, VALETOWN, A, fixture_articles, fixture_graphs
from conflictkg.namespaces import CKG, CKGID, DICTIONARY_GRAPH, OA, PROV, SCHEMA
from conflictkg.rdf import article_iri
from conflictkg.resources import ONTOLOGY_FILE

A1, A2 = (a.key for a in fixture_articles())
TEXT1 = fixture_articles()[0].text


def _claim_by(graph: Graph, claimant: str) -> URIRef:
    return next(s for s in graph.subjects(PROV.wasAttributedTo, URIRef(claimant)))  # type: ignore[return-value]


@cache
def base_graphs() -> dict[URIRef, Graph]:
    """The fixture's named graphs (fresh copies are made by :func:`union`)."""
    return fixture_graphs()


def _nodes() -> dict[str, URIRef]:
    graphs = base_graphs()
    g1 = next(g for name, g in graphs.items() if str(name).endswith(A1))
    g2 = next(g for name, g in graphs.items() if str(name).endswith(A2))
    claim = _claim_by(g1, A["interior-ministry"])
    claim2 = _claim_by(g1, str(CKGID["actor/person/ivo-bran"]))
    claim3 = next(s for s in g2.subjects(PROV.wasAttributedTo, None))
    span = next(o for o in g1.objects(claim, CKG.evidence))
    monitor = next(s for s in g2.subjects(CKG.hasFigure, None))
    figure = next(o for o in g1.objects(claim, CKG.hasFigure))
    fighters = next(o for o in g1.objects(claim2, CKG.hasFigure))
    nodes = {
        "ART": article_iri(A1),
        "ART2": article_iri(A2),
        "CLAIM": claim,
        "CLAIM2": claim2,
        "CLAIM_A2": claim3,
        "FIG": next(o for o in g1.objects(claim, CKG.hasFigure)),
        "FIG2": next(o for o in g1.objects(claim2, CKG.hasFigure)),
        "EVENT": next(o for o in g1.objects(claim, CKG.about)),
        "BRAN": CKGID["actor/person/ivo-bran"],
        "MONITOR": CKGID[f"actor/unnamed/{A2}/local-monitor"],
        "MIN": URIRef(A["interior-ministry"]),
        "GOV": URIRef(A["north-government"]),
        "FF": URIRef(A["freedom-front"]),
        "AGENCY": URIRef(A["agency-x"]),
        "VALETOWN": URIRef(VALETOWN),
        "NORTH": URIRef(NORTH),
        "SPAN": span,
        "SPAN_A2": next(o for o in g2.objects(claim3, CKG.evidence)),
        "POS": URIRef(f"{span}#position"),
        "QUOTE": URIRef(f"{span}#quote"),
        "ASSERTS": CKG.Asserts,
        "REPORT": next(s for s in g1.subjects(CKG.reportOf, None)),
        "REPORT2": next(s for s in g2.subjects(CKG.reportOf, None)),
        "LINK": next(o for g in graphs.values() for o in g.objects(None, CKG.hasLink)),
        "CURATION": CKGID["event-curation/fixture"],
        "CLAIM_MON": monitor,
        "FIG_MON": next(o for o in g2.objects(monitor, CKG.hasFigure)),
        "POP": next(o for o in g1.objects(figure, CKG.counts)),
        "POP_F": next(o for o in g1.objects(fighters, CKG.counts)),
        "CONFLICT": CKGID["contradiction/fixture"],
        "SUMMARY": CKGID["summary/fixture"],
    }
    return nodes  # type: ignore[return-value]


N = _nodes()


@cache
def ontology_graph() -> Graph:
    g = Graph()
    g.parse(ONTOLOGY_FILE, format="turtle")
    return g


def union(*, with_ontology: bool = False) -> Graph:
    """A fresh copy of all fixture graphs (and the ontology) as one graph."""
    g = Graph()
    for graph in base_graphs().values():
        g += graph
    if with_ontology:
        g += ontology_graph()
    return g


def node(x: Node | str | None) -> Node | None:
    if isinstance(x, str) and not isinstance(x, Node):
        return N[x]
    return x


def apply(graph: Graph, ops: list[tuple]) -> Graph:
    """Apply edit operations (see the module docstring) to ``graph`` in place; returns it."""
    for op, s, p, o in ops:
        s, o = node(s), node(o)
        if op == "add":
            graph.add((s, p, o))  # type: ignore[arg-type]
        elif op == "del":
            graph.remove((s, p, o))
        elif op == "set":
            graph.remove((s, p, None))
            graph.add((s, p, o))  # type: ignore[arg-type]
        else:  # pragma: no cover - a typo in a test table
            raise ValueError(op)
    return graph


def edited_graphs(ops: list[tuple], graph_key: str = A1) -> dict[URIRef, Graph]:
    """The fixture's named graphs with ``ops`` applied to the one whose IRI ends with ``graph_key``."""
    out: dict[URIRef, Graph] = {}
    for name, graph in base_graphs().items():
        copy = Graph()
        copy += graph
        if str(name).endswith(graph_key):
            apply(copy, ops)
        out[name] = copy
    return out


__all__ = [
    "A1",
    "A2",
    "CKG",
    "DICTIONARY_GRAPH",
    "OA",
    "PROV",
    "SCHEMA",
    "TEXT1",
    "Literal",
    "N",
    "apply",
    "base_graphs",
    "edited_graphs",
    "node",
    "ontology_graph",
    "union",
]
