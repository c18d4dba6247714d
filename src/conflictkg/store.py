"""The embedded quad store (pyoxigraph on disk) behind one small interface.

Everything conflictkg reads or writes goes through a :class:`GraphStore`; the remote
backend (an existing SPARQL 1.1 server) implements the same interface. Writes replace
named graphs atomically: an article is either wholly in the store or not.

A graph's new content (:data:`GraphContent`) is an rdflib graph, a sequence of pyoxigraph
triples (written exactly as given: the SPARQL service never sends stored terms through
rdflib, whose literals are normalised, ``"1.0"^^xsd:decimal`` becoming ``"1"``), or ``None``
to drop the graph. An empty content keeps the graph, empty: named graphs may be empty
(``CREATE GRAPH``, a Graph Store PUT of an empty body), as SPARQL 1.1 Update allows.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Protocol, Union, runtime_checkable

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.term import Node

from .namespaces import PREFIXES

__all__ = ["GraphStore", "EmbeddedStore", "Row", "GraphContent", "to_rdflib", "to_oxigraph", "to_ntriples",
           "ox_triples", "replace_graphs_update"]

Row = dict[str, Node | None]
#: A graph's new content: rdflib triples, pyoxigraph triples (kept exactly), or None (drop the graph).
GraphContent = Union[Graph, Sequence[ox.Triple], None]
_PREFIX_IRIS = {k: str(v) for k, v in PREFIXES.items()}


@runtime_checkable
class GraphStore(Protocol):
    """What the graph service needs of a store."""

    def replace_graph(self, name: URIRef, graph: Graph) -> None:
        """Atomically make named graph ``name`` hold exactly ``graph``'s triples."""

    def replace_graphs(self, graphs: Mapping[URIRef, GraphContent]) -> None:
        """Atomically replace several named graphs at once (None drops one)."""

    def drop_graph(self, name: URIRef) -> None: ...

    def graph(self, name: URIRef) -> Graph:
        """The triples of one named graph."""

    def triples(self, name: URIRef) -> list[ox.Triple]:
        """The triples of one named graph as pyoxigraph terms, exactly as stored."""

    def named_graphs(self) -> list[URIRef]: ...

    def select(self, query: str, bindings: Mapping[str, Node] | None = None) -> list[Row]:
        """Run a SELECT over the union of all graphs; rows map variable names to rdflib terms."""

    def ask(self, query: str, bindings: Mapping[str, Node] | None = None) -> bool: ...

    def update(self, update: str) -> None: ...

    def triple_count(self) -> int: ...

    def close(self) -> None: ...


def to_oxigraph(term: Node) -> ox.NamedNode | ox.BlankNode | ox.Literal:
    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, BNode):
        return ox.BlankNode(str(term))
    if isinstance(term, Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        if term.datatype:
            return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
        return ox.Literal(str(term))
    raise TypeError(f"cannot store {term!r}")


def to_rdflib(term: object) -> Node | None:
    if term is None:
        return None
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        dt = term.datatype.value
        if dt == "http://www.w3.org/2001/XMLSchema#string":
            return Literal(term.value)
        return Literal(term.value, datatype=URIRef(dt))
    raise TypeError(f"unexpected term {term!r}")


def to_ntriples(triples: Iterable[tuple[object, object, object]]) -> str:
    """Triples of pyoxigraph terms as N-Triples text: a pyoxigraph term prints as N-Triples."""
    return "".join(f"{s} {p} {o} .\n" for s, p, o in triples)


def ox_triples(content: Graph | Sequence[ox.Triple]) -> list[ox.Triple]:
    """A graph's content as pyoxigraph triples (rdflib terms converted, pyoxigraph ones kept)."""
    if isinstance(content, Graph):
        return [ox.Triple(to_oxigraph(s), to_oxigraph(p), to_oxigraph(o)) for s, p, o in content]  # type: ignore[arg-type]
    return list(content)


def replace_graphs_update(graphs: Mapping[URIRef, GraphContent]) -> str:
    """One SPARQL update that makes each named graph hold exactly the given triples (None: drop it;
    empty: keep it, empty)."""
    parts = []
    for name, content in graphs.items():
        parts.append(f"DROP SILENT GRAPH <{name}>")
        if content is None:
            continue
        triples = ox_triples(content)
        if triples:
            body = to_ntriples((t.subject, t.predicate, t.object) for t in triples)
            parts.append(f"INSERT DATA {{ GRAPH <{name}> {{\n{body}\n}} }}")
        else:
            parts.append(f"CREATE SILENT GRAPH <{name}>")
    return " ;\n".join(parts)


class EmbeddedStore:
    """A pyoxigraph store on disk (or in memory when ``path`` is None)."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = path
        #: Counts writes; the SPARQL service snapshots the store for its workers once per generation.
        self.generation = 0
        if path is None:
            self._store = ox.Store()
        else:
            path.mkdir(parents=True, exist_ok=True)
            self._store = ox.Store(str(path))

    @classmethod
    def over(cls, store: ox.Store) -> EmbeddedStore:
        """Wrap an open pyoxigraph store (a read-only snapshot, in a projection builder process)."""
        wrapped = cls.__new__(cls)
        wrapped.path = None
        wrapped.generation = 0
        wrapped._store = store
        return wrapped

    @property
    def oxigraph(self) -> ox.Store:
        """The underlying pyoxigraph store, for the SPARQL service and bulk loads."""
        return self._store

    def replace_graph(self, name: URIRef, graph: GraphContent) -> None:
        self.replace_graphs({name: graph})

    def replace_graphs(self, graphs: Mapping[URIRef, GraphContent]) -> None:
        if not graphs:
            return
        names = {name: ox.NamedNode(str(name)) for name in graphs}
        simple = all(content is not None and len(content) for content in graphs.values())
        if not simple or any(self._store.contains_named_graph(node) for node in names.values()):
            # One SPARQL update is one transaction in Oxigraph: all graphs change, or none.
            self._store.update(replace_graphs_update(graphs))
        else:  # new, non-empty graphs only (an ingest): one transactional insert, no update text to parse
            self._store.extend(ox.Quad(t.subject, t.predicate, t.object, names[name])
                               for name, content in graphs.items() for t in ox_triples(content))  # type: ignore[arg-type]
        self.generation += 1

    def drop_graph(self, name: URIRef) -> None:
        self._store.update(f"DROP SILENT GRAPH <{name}>")
        self.generation += 1

    def graph(self, name: URIRef) -> Graph:
        g = Graph()
        for q in self._store.quads_for_pattern(None, None, None, ox.NamedNode(str(name))):
            g.add((to_rdflib(q.subject), to_rdflib(q.predicate), to_rdflib(q.object)))  # type: ignore[arg-type]
        return g

    def triples(self, name: URIRef) -> list[ox.Triple]:
        return [q.triple for q in self._store.quads_for_pattern(None, None, None, ox.NamedNode(str(name)))]

    def named_graphs(self) -> list[URIRef]:
        return sorted(URIRef(g.value) for g in self._store.named_graphs() if isinstance(g, ox.NamedNode))

    def select(self, query: str, bindings: Mapping[str, Node] | None = None) -> list[Row]:
        result = self._store.query(
            query,
            prefixes=_PREFIX_IRIS,
            use_default_graph_as_union=True,
            substitutions=_substitutions(bindings),
        )
        names = [v.value for v in result.variables]  # type: ignore[union-attr]
        return [{n: to_rdflib(sol[n]) for n in names} for sol in result]  # type: ignore[union-attr]

    def ask(self, query: str, bindings: Mapping[str, Node] | None = None) -> bool:
        return bool(
            self._store.query(query, prefixes=_PREFIX_IRIS, use_default_graph_as_union=True,
                              substitutions=_substitutions(bindings))
        )

    def update(self, update: str) -> None:
        self._store.update(update, prefixes=_PREFIX_IRIS)
        self.generation += 1

    def add_quads(self, quads: Iterable[ox.Quad]) -> None:
        """Add quads in one transaction (bulk loads of generated data)."""
        self._store.extend(quads)
        self.generation += 1

    def triple_count(self) -> int:
        return len(self._store)

    def close(self) -> None:
        self._store.flush() if self.path is not None else None
        del self._store


def _substitutions(bindings: Mapping[str, Node] | None) -> dict[ox.Variable, object] | None:
    if not bindings:
        return None
    return {ox.Variable(k): to_oxigraph(v) for k, v in bindings.items()}
