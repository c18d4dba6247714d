"""The embedded quad store (pyoxigraph on disk) behind one small interface.

Everything conflictkg reads or writes goes through a :class:`GraphStore`; the remote
backend (an existing SPARQL 1.1 server) implements the same interface. Writes replace
named graphs atomically: an article is either wholly in the store or not.

A graph's new content (:data:`GraphContent`) is an rdflib graph, a sequence of pyoxigraph
triples (written exactly as given: the SPARQL service never sends stored terms through
rdflib, whose literals are normalised, ``"1.0"^^xsd:decimal`` becoming ``"1"``), or ``None``
to drop the graph. A write converts its rdflib graphs once (:class:`Converted`): the derived
graphs, the SHACL gate and the store then all read the same pyoxigraph terms (:func:`ox_terms`). An empty content keeps the graph, empty: named graphs may be empty
(``CREATE GRAPH``, a Graph Store PUT of an empty body), as SPARQL 1.1 Update allows.

**The default graph is the union of the named graphs, stored.** pyoxigraph's own union view
(``use_default_graph_as_union``) gives one solution per named graph holding a triple
(oxigraph#1919): a triple three articles state was counted three times. So the embedded store
keeps the union as its real default graph, each distinct triple once, and every write maintains
it in the same transaction as the named graphs it changes: the new contents' triples are added,
and of the replaced or dropped graphs' triples only those no other named graph holds are taken
out (an indexed lookup each). Queries read the default graph as it is; nobody writes it directly
(the service refuses default-graph writes). A store written before this (no :data:`UNION_MARKER`
in its folder) gets it built once (:meth:`EmbeddedStore.build_union_default_graph`, called by
``GraphService.ensure_loaded``); until then its queries read pyoxigraph's union view.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any, Protocol, Union, runtime_checkable

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.term import Node

from .namespaces import PREFIXES

__all__ = ["GraphStore", "EmbeddedStore", "Row", "GraphContent", "Converted", "converted", "to_rdflib", "to_oxigraph",
           "to_ntriples", "ox_triples", "ox_terms", "ox_quads", "Terms", "replace_graphs_update", "UNION_MARKER", "union_marked"]

Row = dict[str, Node | None]
#: A graph's new content: rdflib triples, pyoxigraph triples (kept exactly), or None (drop the graph).
GraphContent = Union[Graph, Sequence[ox.Triple], "Converted", None]
_PREFIX_IRIS = {k: str(v) for k, v in PREFIXES.items()}
#: A file in the folder of an on-disk store whose default graph holds the union of its named graphs.
UNION_MARKER = "conflictkg-union-default-graph"


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


#: IRIs converted lately (a write converts the same predicates, classes and actors again and again:
#: its graphs for the gate, the derived graphs and the store); emptied when full.
_NAMED: dict[str, ox.NamedNode] = {}
_NAMED_KEPT = 65_536


def to_oxigraph(term: Node) -> ox.NamedNode | ox.BlankNode | ox.Literal:
    if type(term) is URIRef:
        node = _NAMED.get(term)
        if node is None:
            if len(_NAMED) >= _NAMED_KEPT:
                _NAMED.clear()
            node = _NAMED[term] = ox.NamedNode(str(term))
        return node
    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, BNode):
        return ox.BlankNode(str(term))
    if isinstance(term, Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        if term.datatype:
            return ox.Literal(str(term), datatype=to_oxigraph(term.datatype))  # type: ignore[arg-type]
        return ox.Literal(str(term))
    raise TypeError(f"cannot store {term!r}")


#: Terms read lately (queries answer the same IRIs, dates and labels again and again; an rdflib term
#: costs ten times a look-up to make); emptied when full.
_READ: dict[object, Node] = {}


def to_rdflib(term: object) -> Node | None:
    if term is None:
        return None
    node = _READ.get(term)
    if node is None:
        node = _rdflib_term(term)
        if len(_READ) >= _NAMED_KEPT:
            _READ.clear()
        _READ[term] = node
    return node


def _rdflib_term(term: object) -> Node:
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


#: A triple as its three pyoxigraph terms (subject, predicate, object): what a write's readers iterate
#: (a tuple costs a tenth of an ``ox.Triple`` to make).
Terms = tuple[Any, Any, Any]


def ox_triples(content: Graph | Sequence[ox.Triple]) -> list[ox.Triple]:
    """A graph's content as pyoxigraph triples (rdflib terms converted, pyoxigraph ones kept)."""
    if isinstance(content, Converted):
        return [ox.Triple(*t) for t in content]
    if isinstance(content, Graph):
        return [ox.Triple(to_oxigraph(s), to_oxigraph(p), to_oxigraph(o)) for s, p, o in content]  # type: ignore[arg-type]
    return list(content)


def ox_terms(content: Graph | Sequence[ox.Triple]) -> Sequence[Terms]:
    """A graph's content as :data:`Terms` (a :class:`Converted` graph as it is)."""
    if isinstance(content, Converted):
        return content
    if isinstance(content, Graph):
        return [(to_oxigraph(s), to_oxigraph(p), to_oxigraph(o)) for s, p, o in content]
    return [(t.subject, t.predicate, t.object) for t in content]


def ox_quads(content: Graph | Sequence[ox.Triple], graph: ox.NamedNode) -> list[ox.Quad]:
    """A graph's content as quads in named graph ``graph`` (a :class:`Converted` graph's made once)."""
    if isinstance(content, Converted):
        return content.quads(graph)
    return [ox.Quad(s, p, o, graph) for s, p, o in ox_terms(content)]


class Converted(list):  # type: ignore[type-arg]
    """An rdflib graph's triples as pyoxigraph :data:`Terms`, converted once for every reader of one
    write (the derived graphs, the SHACL gate, the store: see :func:`ox_terms`, :func:`ox_quads`;
    :func:`ox_triples` makes ``ox.Triple`` of them), beside the graph itself (:attr:`graph`), which the
    Turtle folder writes as the build always has. A snapshot: the graph is not changed afterwards."""

    __slots__ = ("graph", "_quads")

    def __init__(self, graph: Graph) -> None:
        super().__init__(ox_terms(graph))
        self.graph = graph
        self._quads: tuple[ox.NamedNode, list[ox.Quad]] | None = None

    def quads(self, graph: ox.NamedNode) -> list[ox.Quad]:
        """The triples as quads in ``graph``, made once (the derived graphs' reader and the store write
        both need them; an ``ox.Quad`` costs ten times a tuple to make)."""
        if self._quads is None or self._quads[0] != graph:
            self._quads = (graph, [ox.Quad(s, p, o, graph) for s, p, o in self])
        return self._quads[1]


def converted(content: GraphContent) -> GraphContent:
    """``content`` with an rdflib graph :class:`Converted` (pyoxigraph triples and None as they are)."""
    return Converted(content) if isinstance(content, Graph) else content


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

    #: Whether the default graph holds the union of the named graphs (see the module's doc); when
    #: False, queries read pyoxigraph's union view instead until :meth:`build_union_default_graph` ran.
    union_default_graph: bool
    #: Set by ``serve --workers`` (:mod:`conflictkg.serving`): the published snapshots every user of
    #: this store reads (:func:`conflictkg.sparql.snapshot.snapshots_of`).
    shared_snapshots: Any = None
    #: Called after every write, the write lock still held (``serve --workers`` publishes the generation).
    after_write: Callable[[], None] | None = None

    def __init__(self, path: Path | None = None) -> None:
        self.path = path
        #: Counts writes; the SPARQL service snapshots the store for its workers once per generation.
        self.generation = 0
        self._write_lock = threading.Lock()
        if path is None:
            self._store = ox.Store()
            self.union_default_graph = True
        else:
            path.mkdir(parents=True, exist_ok=True)
            self._store = ox.Store(str(path))
            self.union_default_graph = union_marked(path) or self._mark_if_empty()

    @classmethod
    def over(cls, store: ox.Store, *, union_default_graph: bool = True) -> EmbeddedStore:
        """Wrap an open pyoxigraph store (a read-only snapshot, in a projection builder process)."""
        wrapped = cls.__new__(cls)
        wrapped.path = None
        wrapped.generation = 0
        wrapped._write_lock = threading.Lock()
        wrapped._store = store
        wrapped.union_default_graph = union_default_graph
        return wrapped

    @property
    def oxigraph(self) -> ox.Store:
        """The underlying pyoxigraph store, for the SPARQL service and bulk loads."""
        return self._store

    def is_empty(self) -> bool:
        """Whether the store holds no graph and no quad (a look at the first of each, whatever its size)."""
        return (next(iter(self._store.named_graphs()), None) is None
                and next(iter(self._store.quads_for_pattern(None, None, None, None)), None) is None)

    def _mark_if_empty(self) -> bool:
        """A store holding no quad has its (empty) union already: mark it so."""
        if not self.is_empty():
            return False
        assert self.path is not None
        _write_marker(self.path)
        return True

    def build_union_default_graph(self) -> int:
        """Make the default graph the union of the named graphs, for a store written before it was kept:
        every named graph's triples go through pyoxigraph's bulk loader (not one transaction, but adding a
        triple twice is a no-op, so a build that was interrupted is simply done again), then the marker is
        written. About 25 s per million quads on a busy 2-core machine. Returns the quads read."""
        read = 0

        def triples() -> Iterator[ox.Quad]:
            nonlocal read
            for graph in list(self._store.named_graphs()):
                for quad in self._store.quads_for_pattern(None, None, None, graph):
                    read += 1
                    yield ox.Quad(quad.subject, quad.predicate, quad.object)

        with self._write_lock:
            self._store.bulk_extend(triples())
            if self.path is not None:
                self._store.flush()
                _write_marker(self.path)
            self.union_default_graph = True
            self._wrote()
        return read

    def _wrote(self) -> None:
        """A write was committed (the caller holds the write lock)."""
        self.generation += 1
        if self.after_write is not None:
            self.after_write()

    def replace_graph(self, name: URIRef, graph: GraphContent) -> None:
        self.replace_graphs({name: graph})

    def replace_graphs(self, graphs: Mapping[URIRef, GraphContent]) -> None:
        if not graphs:
            return
        names = {name: ox.NamedNode(str(name)) for name in graphs}
        with self._write_lock:
            simple = all(content is not None and len(content) for content in graphs.values())
            if not simple or any(self._store.contains_named_graph(node) for node in names.values()):
                # One SPARQL update is one transaction in Oxigraph: all graphs change, or none.
                text = self._diff_text(graphs, names) if self.union_default_graph else None
                if text is None:
                    text = self._replace_text(graphs)
                if text:
                    self._store.update(text)
            else:  # new, non-empty graphs only (an ingest): one transactional insert, no update text to parse
                quads: list[ox.Quad] = []
                for name, content in graphs.items():
                    quads += ox_quads(content, names[name])  # type: ignore[arg-type]
                    if self.union_default_graph:  # the same terms (blank nodes too) in the default graph
                        quads += [ox.Quad(s, p, o) for s, p, o in ox_terms(content)]  # type: ignore[arg-type]
                self._store.extend(quads)
            self._wrote()

    def _diff_text(self, graphs: Mapping[URIRef, GraphContent], names: Mapping[URIRef, ox.NamedNode]) -> str | None:
        """The update that replaces ``graphs`` by their differences (the union default graph kept): each
        graph loses the triples it no longer holds and gains the new ones; the default graph loses those
        of the lost triples that no named graph holds afterwards (looked up by their own index: the
        quads of that one triple) and gains the new ones. Deletions come first, so a triple both lost
        and gained (a literal stored in another lexical form) is there at the end. Reads only the
        replaced graphs and the lost triples, where :meth:`_replace_text` checks every triple of the
        replaced graphs against the whole store. None when a lost or gained triple has a blank node
        (``DELETE DATA`` cannot name one): then :meth:`_replace_text` does it."""
        deletes: list[str] = []
        inserts: list[str] = []
        dropped: list[str] = []
        lost: set[ox.Triple] = set()
        gained: set[ox.Triple] = set()
        kept: set[ox.Triple] = set()
        for name, content in graphs.items():
            node = names[name]
            old = {q.triple for q in self._store.quads_for_pattern(None, None, None, node)}
            new = set() if content is None else set(ox_triples(content))
            gone, added = old - new, new - old
            if any(isinstance(term, ox.BlankNode) for t in (*gone, *added) for term in (t.subject, t.object)):
                return None
            lost |= gone
            gained |= added
            kept |= new
            if content is None:
                dropped.append(f"DROP SILENT GRAPH {node}")
                continue
            if gone:
                deletes.append(f"GRAPH {node} {{\n{to_ntriples((t.subject, t.predicate, t.object) for t in gone)}}}")
            if added:
                inserts.append(f"GRAPH {node} {{\n{to_ntriples((t.subject, t.predicate, t.object) for t in added)}}}")
            elif not old and not self._store.contains_named_graph(node):
                dropped.append(f"CREATE SILENT GRAPH {node}")
        listed = set(names.values())
        unheld = [t for t in lost - kept
                  if not any(isinstance(q.graph_name, ox.NamedNode) and q.graph_name not in listed
                             for q in self._store.quads_for_pattern(t.subject, t.predicate, t.object, None))]
        if unheld:
            deletes.append(to_ntriples((t.subject, t.predicate, t.object) for t in unheld))
        if gained:
            inserts.append(to_ntriples((t.subject, t.predicate, t.object) for t in gained))
        parts = [f"DELETE DATA {{ {' '.join(deletes)} }}"] if deletes else []
        parts += dropped
        if inserts:
            parts.append(f"INSERT DATA {{ {' '.join(inserts)} }}")
        return " ;\n".join(parts)

    def _replace_text(self, graphs: Mapping[URIRef, GraphContent]) -> str:
        """The update that replaces ``graphs``. With the union default graph it first takes out of the
        default graph the triples of the graphs it replaces that no other named graph holds (an indexed
        lookup each), and last adds the new contents, copied from the stored triples (so the same blank
        nodes): the default graph never holds a triple twice, nor one no named graph holds."""
        text = replace_graphs_update(graphs)
        if not self.union_default_graph:
            return text
        listed = " ".join(f"<{name}>" for name in graphs)
        parts = [f"DELETE {{ ?s ?p ?o }} WHERE {{ VALUES ?g {{ {listed} }} GRAPH ?g {{ ?s ?p ?o }} FILTER NOT EXISTS "
                 f"{{ GRAPH ?h {{ ?s ?p ?o }} FILTER(?h NOT IN ({', '.join(f'<{n}>' for n in graphs)})) }} }}", text]
        kept = " ".join(f"<{name}>" for name, content in graphs.items() if content is not None)
        if kept:
            parts.append(f"INSERT {{ ?s ?p ?o }} WHERE {{ VALUES ?g {{ {kept} }} GRAPH ?g {{ ?s ?p ?o }} }}")
        return " ;\n".join(parts)

    def drop_graph(self, name: URIRef) -> None:
        self.replace_graphs({name: None})

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
            use_default_graph_as_union=not self.union_default_graph,
            substitutions=_substitutions(bindings),
        )
        names = [v.value for v in result.variables]  # type: ignore[union-attr]
        # a solution iterates its values in the variables' order (unbound: None): three times faster than sol[name]
        return [dict(zip(names, map(to_rdflib, sol))) for sol in result]  # type: ignore[union-attr]

    def ask(self, query: str, bindings: Mapping[str, Node] | None = None) -> bool:
        return bool(
            self._store.query(query, prefixes=_PREFIX_IRIS, use_default_graph_as_union=not self.union_default_graph,
                              substitutions=_substitutions(bindings))
        )

    def update(self, update: str) -> None:
        """A SPARQL update of the named graphs, run as given (no screen: for callers in this process). The
        union default graph is made again in the same transaction, from the whole store (the service's
        writes go through :meth:`replace_graphs`, which maintains it incrementally)."""
        with self._write_lock:
            if self.union_default_graph:
                update = f"{update} ;\nCLEAR SILENT DEFAULT ;\nINSERT {{ ?s ?p ?o }} WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}"
            self._store.update(update, prefixes=_PREFIX_IRIS)
            self._wrote()

    def add_quads(self, quads: Iterable[ox.Quad]) -> None:
        """Add quads of named graphs in one transaction (bulk loads of generated data)."""
        with self._write_lock:
            batch = list(quads)
            if self.union_default_graph:
                batch += [ox.Quad(q.subject, q.predicate, q.object) for q in batch
                          if not isinstance(q.graph_name, ox.DefaultGraph)]
            self._store.extend(batch)
            self._wrote()

    def triple_count(self) -> int:
        """Quads in the named graphs (a triple two articles state counts twice; the default graph not at all)."""
        rows = self._store.query("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }")
        return int(next(iter(rows))[0].value)  # type: ignore[union-attr, index, arg-type]

    def close(self) -> None:
        self._store.flush() if self.path is not None else None
        del self._store


def union_marked(path: Path) -> bool:
    """Whether the store in folder ``path`` keeps the union of its named graphs as its default graph."""
    return (path / UNION_MARKER).is_file()


def _write_marker(path: Path) -> None:
    (path / UNION_MARKER).write_text("The default graph of this store holds the union of its named graphs "
                                     "(conflictkg keeps it so on every write).\n", encoding="utf-8")


def _substitutions(bindings: Mapping[str, Node] | None) -> dict[ox.Variable, object] | None:
    if not bindings:
        return None
    return {ox.Variable(k): to_oxigraph(v) for k, v in bindings.items()}
