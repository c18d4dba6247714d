"""EmbeddedStore.replace_graphs: a new graph is inserted, an existing one is replaced whole."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef

from conflictkg.store import EmbeddedStore

G1, G2 = URIRef("https://example.org/g1"), URIRef("https://example.org/g2")
S, P = URIRef("https://example.org/s"), URIRef("https://example.org/p")


def _graph(*values: str) -> Graph:
    g = Graph()
    for v in values:
        g.add((S, P, Literal(v)))
    return g


def _values(store: EmbeddedStore, name: URIRef) -> set[str]:
    return {str(o) for _s, _p, o in store.graph(name)}


@pytest.mark.parametrize("on_disk", [False, True])
def test_replace_graphs_inserts_new_and_replaces_existing(tmp_path: Path, on_disk: bool) -> None:
    store = EmbeddedStore(tmp_path / "store" if on_disk else None)
    store.replace_graphs({G1: _graph("a", "b")})  # new graph: one transactional insert
    assert (_values(store, G1), store.generation) == ({"a", "b"}, 1)
    store.replace_graphs({G1: _graph("c"), G2: _graph("d")})  # one exists: one update for both
    assert (_values(store, G1), _values(store, G2), store.generation) == ({"c"}, {"d"}, 2)
    store.replace_graphs({G2: Graph()})  # empty: the graph stays, empty (SPARQL 1.1 Update: CREATE GRAPH)
    assert (store.named_graphs(), store.triple_count()) == ([G1, G2], 1)
    store.replace_graphs({G2: None})  # None: the graph goes
    assert (store.named_graphs(), store.triple_count()) == ([G1], 1)
    store.replace_graphs({})
    assert store.generation == 4
    store.close()


def test_a_converted_graph_is_stored_exactly_as_its_rdflib_graph(tmp_path: Path) -> None:
    """A write converts its graphs once (Converted) and the store writes those terms: the same quads,
    in the named graph and the union default graph, as the rdflib graph itself gives."""
    from rdflib import BNode, Namespace

    import pyoxigraph as ox

    from conflictkg.store import Converted, ox_quads, ox_terms, ox_triples

    ex, node = Namespace("https://example.org/"), BNode("b1")
    g = Graph()
    for triple in ((ex.a, ex.p, Literal("text")), (ex.a, ex.p, Literal("texte", lang="fr")),
                   (ex.a, ex.n, Literal(12)), (ex.a, ex.q, node), (node, ex.p, ex.c)):
        g.add(triple)
    converted = Converted(g)
    assert converted.graph is g
    assert sorted(map(str, ox_triples(converted))) == sorted(map(str, ox_triples(g)))
    assert ox_terms(converted) is converted and len(converted) == 5
    named = ox.NamedNode(str(G1))
    assert ox_quads(converted, named) is ox_quads(converted, ox.NamedNode(str(G1)))  # made once, for reader and store
    assert sorted(map(str, ox_quads(converted, named))) == sorted(map(str, ox_quads(g, named)))
    stores = [EmbeddedStore(tmp_path / name) for name in ("plain", "converted")]
    stores[0].replace_graphs({G1: g})
    stores[1].replace_graphs({G1: converted})
    plain, conv = (sorted(str(q) for q in s.oxigraph) for s in stores)
    assert plain == conv and len(plain) == 10  # five in G1, five in the default graph
    assert '<https://example.org/a> <https://example.org/p> "texte"@fr <https://example.org/g1>' in plain
    for s in stores:
        s.close()
