"""The SPARQL engine behind ``service.sparql``: screened queries with a real time limit and
a row cap, and validated, atomic updates.

How it fits together (see also :mod:`.screen`, :mod:`.pool`, :mod:`.snapshot`):

* **Queries** are screened (:func:`.screen.screen_query`), then answered by a pool of worker
  processes (:class:`.pool.WorkerPool`, ``Settings.query_workers`` of them) from a read-only
  snapshot of the store (:class:`.snapshot.Snapshots`). A query still running at
  ``Settings.query_timeout`` is killed with its worker and answered with a 503 (E055); a
  result longer than ``Settings.max_rows`` is an error (E057), never a truncated 200. With
  the remote backend the remote server answers instead (``RemoteStore.run_query``), under
  the same time limit and row cap.
* **Writes** (SPARQL Update, Graph Store uploads) are serialised by one lock in this process,
  the only writer. An update is screened (:func:`.screen.screen_update`), run on a scratch copy
  of the store, and the graphs it changed are passed through the SHACL gate
  (``service.validator.validate_delta``) and then swapped in with one atomic
  ``GraphStore.replace_graphs``: an invalid or failing update changes nothing. The store's
  write generation moves on, so the next query gets a fresh snapshot.

The default graph of every query is the union of the named graphs; updates get the same
view through the USING rewrite of :meth:`.screen.UpdatePlan.text`. The ontology and dictionary
graphs (:data:`PROTECTED_GRAPHS`) cannot be changed through the service (E090), and a write
may leave at most ``Settings.max_write_triples`` triples in the graphs it changes (E092).
"""

from __future__ import annotations

import asyncio
import functools
import gc
import tempfile
import threading
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyoxigraph as ox
from rdflib import Graph, URIRef
from rdflib.term import Node

from ..config import Settings
from ..errors import NotFound, QueryError, ValidationFailed
from ..namespaces import DICTIONARY_GRAPH, ONTOLOGY_GRAPH, PREFIXES
from ..store import EmbeddedStore, GraphContent, GraphStore, to_oxigraph, to_rdflib
from .formats import DEFAULT_GRAPH_TYPE, negotiate, offers_for, serialize_triples
from .lexer import engine_message, join, tokenize
from .named import NamedQuery, load_named_queries
from .pool import WorkerPool
from .screen import Operation, QueryPlan, UpdatePlan, screen_query, screen_update, screened_query
from .snapshot import Snapshots
from .worker import Task

__all__ = ["SparqlEngine", "QueryResult", "UpdateResult", "Gate", "Derive", "PROTECTED_GRAPHS"]

Gate = Callable[[Mapping[URIRef, Graph]], Any]
#: Given the graphs a write replaces (new contents), the further graphs to write with them (derived graphs).
Derive = Callable[[Mapping[URIRef, Graph]], Mapping[URIRef, "Graph | None"]]
#: Writes validated graphs in one transaction (None drops one).
Commit = Callable[[Mapping[URIRef, GraphContent]], None]
#: The client key of callers in this process (the CLI); the API passes the requester's key.
LOCAL_CLIENT = "local"
PREFIX_IRIS = {k: str(v) for k, v in PREFIXES.items()}
#: Graphs no request may change: the ontology and the curated dictionaries are the build's, not the API's.
PROTECTED_GRAPHS = frozenset({str(ONTOLOGY_GRAPH), str(DICTIONARY_GRAPH)})


@dataclass(frozen=True)
class QueryResult:
    """A finished query: the body in ``media_type``, and how many rows (or triples) it holds."""

    form: str
    media_type: str
    body: bytes
    rows: int


@dataclass(frozen=True)
class UpdateResult:
    """The graphs a write replaced (sorted), for the API's answer."""

    graphs: list[str]


class SparqlEngine:
    """SPARQL over a :class:`GraphStore`.

    **Parameters:**

    * **store** - the embedded store (queries run in worker processes) or a remote store.
    * **settings** - time limit, row cap, worker count, size limits.
    * **gate** - called with ``{graph: new content}`` before any write; it raises
      :class:`ValidationFailed` (or returns a report whose ``conforms`` is false) to refuse.
      ``None`` refuses every write (no gate, no writes).
    * **derive** - called with the same ``{graph: new content}`` first; the graphs it answers (the
      derived graphs of the events the write touches, :mod:`conflictkg.derived`) are validated and
      written in the same transaction.
    * **commit** - makes the validated write (the service's commit hook, which keeps the Turtle folder
      in step); by default the store's ``replace_graphs``.
    """

    def __init__(self, store: GraphStore, settings: Settings, *, gate: Gate | None = None,
                 derive: Derive | None = None, commit: Commit | None = None) -> None:
        self.store = store
        self.settings = settings
        self.gate = gate
        self.derive = derive
        self.commit = commit or store.replace_graphs
        self._write_lock = threading.Lock()
        self._start_lock = threading.Lock()
        self._pool: WorkerPool | None = None
        self._snapshots: Snapshots | None = None
        self._named: dict[str, NamedQuery] | None = None
        self._known: tuple[int, frozenset[str]] | None = None

    # --- queries ------------------------------------------------------------------------

    @property
    def embedded(self) -> bool:
        return isinstance(self.store, EmbeddedStore)

    def known_graphs(self) -> frozenset[str]:
        """IRIs of the store's named graphs (empty ones too).

        Cached per write generation of an embedded store (listing every graph costs
        milliseconds per thousand graphs, on every query); a remote store is asked each time.
        """
        generation = getattr(self.store, "generation", None)
        cached = self._known
        if generation is not None and cached is not None and cached[0] == generation:
            return cached[1]
        known = frozenset(str(g) for g in self.store.named_graphs())
        if generation is not None:
            self._known = (generation, known)
        return known

    def screen(self, text: str, *, default_graph_uris: Sequence[str] = (), named_graph_uris: Sequence[str] = (),
               base_iri: str | None = None) -> QueryPlan:
        """The screened plan of a query (its canonical text is what runs); raises :class:`QueryError`."""
        return screen_query(text, self.known_graphs(), default_graph_uris=default_graph_uris,
                            named_graph_uris=named_graph_uris, base_iri=base_iri, prefixes=PREFIX_IRIS,
                            max_bytes=self.settings.max_query_bytes)

    def query(
        self,
        text: str,
        *,
        accept: str | None = None,
        media_type: str | None = None,
        default_graph_uris: Sequence[str] = (),
        named_graph_uris: Sequence[str] = (),
        substitutions: Mapping[str, Node] | None = None,
        base_iri: str | None = None,
        client: str = LOCAL_CLIENT,
    ) -> QueryResult:
        """Screen and run one query; the body is in ``media_type`` or the best match for ``accept``.
        ``client`` names the caller for the pool's fairness limits (:mod:`.pool`)."""
        plan = self.screen(text, default_graph_uris=default_graph_uris, named_graph_uris=named_graph_uris,
                           base_iri=base_iri)
        task = self._task(plan, text, accept, media_type, default_graph_uris, named_graph_uris, substitutions, base_iri)
        timeout = self.settings.query_timeout
        deadline = time.monotonic() + timeout
        if self.embedded:
            pool, snapshots = self._workers()
            task["snapshot"] = snapshots.acquire()
            try:
                answer = pool.run(task, deadline, timeout, client=client)
            finally:
                snapshots.release(task["snapshot"][2], pool.generations_in_use())
        else:
            answer = self.store.run_query(task, timeout=timeout)  # type: ignore[attr-defined]
        return _result(plan, answer, text, base_iri)

    async def query_async(
        self,
        text: str,
        *,
        accept: str | None = None,
        media_type: str | None = None,
        default_graph_uris: Sequence[str] = (),
        named_graph_uris: Sequence[str] = (),
        substitutions: Mapping[str, Node] | None = None,
        base_iri: str | None = None,
        client: str = LOCAL_CLIENT,
    ) -> QueryResult:
        """:meth:`query` for the event loop: the same answers, errors and limits.

        Whatever might block (screening a text not seen before, starting the workers, taking a
        snapshot after a write) runs in a thread; the query itself is handed to a worker from the
        event loop and its answer awaited there (:meth:`.WorkerPool.run_async`), so a request
        cancelled because its client went away leaves the queue or stops its worker.
        """
        args: dict[str, Any] = {"accept": accept, "media_type": media_type, "default_graph_uris": default_graph_uris,
                                "named_graph_uris": named_graph_uris, "substitutions": substitutions,
                                "base_iri": base_iri, "client": client}
        if not self.embedded:
            return await asyncio.to_thread(functools.partial(self.query, text, **args))
        pool, snapshots, known = self._pool, self._snapshots, self._known
        if pool is None or snapshots is None:
            pool, snapshots = await asyncio.to_thread(self._workers)
        generation = getattr(self.store, "generation", None)
        plan = None
        if known is not None and known[0] == generation:
            plan = screened_query(text, known[1], default_graph_uris=default_graph_uris,
                                  named_graph_uris=named_graph_uris, base_iri=base_iri,
                                  max_bytes=self.settings.max_query_bytes)
        if plan is None:
            plan = await asyncio.to_thread(functools.partial(self.screen, text, default_graph_uris=default_graph_uris,
                                                             named_graph_uris=named_graph_uris, base_iri=base_iri))
        task = self._task(plan, text, accept, media_type, default_graph_uris, named_graph_uris, substitutions, base_iri)
        snapshot = snapshots.acquire_current() or await asyncio.to_thread(snapshots.acquire)
        try:
            task["snapshot"] = snapshot
            timeout = self.settings.query_timeout
            answer = await pool.run_async(task, time.monotonic() + timeout, timeout, client=client)
        finally:
            snapshots.release(snapshot[2], pool.generations_in_use())
        return _result(plan, answer, text, base_iri)

    def _task(self, plan: QueryPlan, raw: str, accept: str | None, media_type: str | None,
              default_graph_uris: Sequence[str], named_graph_uris: Sequence[str],
              substitutions: Mapping[str, Node] | None, base_iri: str | None) -> Task:
        """What a worker (or the remote store) needs to answer a screened query: its canonical text."""
        offers = offers_for(plan.form)
        chosen = media_type if media_type in offers else negotiate(accept, offers)
        if chosen is None:
            raise QueryError(
                f"cannot answer this {plan.form} query in any type the request accepts ({accept}); "
                f"available: {', '.join(offers)}", code="E059", status=406)
        protocol_dataset = bool(default_graph_uris or named_graph_uris)
        text = plan.text
        if not self.embedded:  # the same tokens, IRIs written without escapes (Virtuoso does not read them)
            text = join(tokenize(raw, base=base_iri, prefixes=PREFIX_IRIS).tokens, plain_iris=True)
        return {
            "query": text,
            "media_type": chosen,
            "max_rows": self.settings.max_rows,
            "union": not protocol_dataset and not plan.has_dataset_clause,
            "default_graph": list(default_graph_uris) if protocol_dataset else None,
            "named_graphs": list(named_graph_uris) if protocol_dataset else None,
            "substitutions": {k: to_oxigraph(v) for k, v in substitutions.items()} if substitutions else None,
            "base_iri": base_iri,
            "prefixes": PREFIX_IRIS,
            "graph_iris": list(plan.graph_iris),
        }

    def _workers(self) -> tuple[WorkerPool, Snapshots]:
        with self._start_lock:
            if self._pool is None or self._snapshots is None:
                store: EmbeddedStore = self.store  # type: ignore[assignment]
                self._snapshots = Snapshots(store.oxigraph, store.path, lambda: store.generation)
                s = self.settings
                self._pool = WorkerPool(s.query_workers, reserved=s.reserved_workers,
                                        short_timeout=s.short_query_timeout, client_limit=s.client_queries,
                                        queue_limit=s.query_queue, memory_limit=s.worker_memory * 2**20,
                                        recycle_bytes=s.worker_recycle * 2**20, readable=[str(self._snapshots.root)])
            return self._pool, self._snapshots

    # --- named queries ------------------------------------------------------------------

    def named_queries(self) -> dict[str, NamedQuery]:
        """The analyst queries shipped in ``api/queries/*.rq``, by name."""
        if self._named is None:
            self._named = load_named_queries()
        return self._named

    def run_named(self, name: str, params: Mapping[str, str], *, accept: str | None = None,
                  media_type: str | None = None, client: str = LOCAL_CLIENT) -> QueryResult:
        """Run a named query with its parameters bound as RDF terms (never spliced into the text)."""
        query, bindings = self._named_query(name, params)
        return self.query(query.text, accept=accept, media_type=media_type, substitutions=bindings, client=client)

    async def run_named_async(self, name: str, params: Mapping[str, str], *, accept: str | None = None,
                              media_type: str | None = None, client: str = LOCAL_CLIENT) -> QueryResult:
        """:meth:`run_named` for the event loop (see :meth:`query_async`)."""
        query, bindings = self._named_query(name, params)
        return await self.query_async(query.text, accept=accept, media_type=media_type, substitutions=bindings,
                                      client=client)

    def _named_query(self, name: str, params: Mapping[str, str]) -> tuple[NamedQuery, dict[str, Node]]:
        query = self.named_queries().get(name)
        if query is None:
            raise NotFound(f"no named query {name!r}; see /queries", code="E061")
        return query, query.bind(params)

    # --- writes -------------------------------------------------------------------------

    def update(self, text: str, *, using_graph_uris: Sequence[str] = (),
               using_named_graph_uris: Sequence[str] = (), base_iri: str | None = None) -> UpdateResult:
        """Screen, run on a scratch copy, validate the changed graphs, then apply them atomically."""
        with self._write_lock:
            known = self.known_graphs()
            plan = screen_update(text, known, using_graph_uris=using_graph_uris,
                                 using_named_graph_uris=using_named_graph_uris, base_iri=base_iri,
                                 prefixes=PREFIX_IRIS, max_bytes=self.settings.max_update_bytes)
            if not plan.operations:
                return UpdateResult(graphs=[])
            targets = set(plan.targets) | (set(known) | plan.written if plan.all_graphs else set())
            _refuse_protected(targets)
            if using_graph_uris or using_named_graph_uris:
                defaults, nameds = list(using_graph_uris), list(using_named_graph_uris)
            else:
                defaults = nameds = sorted(known | plan.written)
            with _Scratch(self.store) as scratch:
                if plan.graph_vars:  # one operation at a time, finding the graphs GRAPH ?g binds before each
                    for op in plan.operations:
                        if op.graph_vars:
                            targets |= _bound_graphs(scratch.store, op, defaults, nameds)
                        _run_update(scratch.store, op.text(defaults, nameds), base_iri)
                    _refuse_protected(targets)
                else:
                    _run_update(scratch.store, plan.text(defaults, nameds), base_iri)
                changed = {g: _content(scratch.store, g) for g in sorted(targets)}
            return self._commit(changed)

    def replace_graph(self, name: str, triples: Iterable[ox.Triple], *, merge: bool = False) -> UpdateResult:
        """Graph Store Protocol PUT (replace) or POST (``merge``): validated and atomic."""
        with self._write_lock:
            _refuse_protected({name})
            content = list(dict.fromkeys(triples))
            if merge and name in self.known_graphs():
                existing = self.store.triples(URIRef(name))
                content = list(dict.fromkeys([*existing, *content]))
            return self._commit({name: content})

    def drop_graph(self, name: str) -> UpdateResult:
        """Graph Store Protocol DELETE: dropping a graph is a write like any other (it goes through the gate)."""
        with self._write_lock:
            _refuse_protected({name})
            return self._commit({name: None})

    def graph_body(self, name: str, media_type: str = DEFAULT_GRAPH_TYPE) -> bytes:
        """One named graph serialized (Graph Store Protocol GET), its terms exactly as stored."""
        triples = sorted(self.store.triples(URIRef(name)), key=str)
        return serialize_triples(triples, media_type, PREFIX_IRIS)

    def _commit(self, changed: dict[str, list[ox.Triple] | None]) -> UpdateResult:
        """Check the limit and the gate, then replace the changed graphs in one step (None drops one)."""
        if not changed:
            return UpdateResult(graphs=[])
        total = sum(len(t) for t in changed.values() if t is not None)
        if total > self.settings.max_write_triples:
            raise QueryError(
                f"the write would leave {total} triples in the graphs it changes, more than the limit of "
                f"{self.settings.max_write_triples} (CONFLICTKG_MAX_WRITE_TRIPLES); split it, or load bulk data "
                "with `conflictkg build`", code="E092", status=413)
        if self.gate is None:
            raise QueryError("writes are refused: no SHACL gate is configured", code="E058", status=503)
        graphs = {URIRef(name): _rdflib_graph(triples or ()) for name, triples in changed.items()}
        # the derived graphs of the events the write touches go with it (conflictkg.derived); None drops one
        derived = dict(self.derive(graphs)) if self.derive is not None else {}
        graphs.update({name: content if content is not None else Graph() for name, content in derived.items()})
        try:
            report = self.gate(graphs)
        except ModuleNotFoundError as exc:
            raise QueryError(f"writes are refused: the SHACL gate is not available ({exc})", code="E058",
                             status=503) from None
        if report is not None and getattr(report, "conforms", True) is False:
            raise ValidationFailed("the write breaks the SHACL shapes; nothing was changed", report=report)
        contents: dict[URIRef, GraphContent] = {URIRef(name): triples for name, triples in changed.items()}
        contents.update(derived)
        self.commit(contents)
        return UpdateResult(graphs=sorted(changed))

    def close(self) -> None:
        with self._start_lock:
            if self._pool is not None:
                self._pool.close()
                self._pool = None
            if self._snapshots is not None:
                self._snapshots.close()
                self._snapshots = None


def _refuse_protected(graphs: Iterable[str]) -> None:
    hit = sorted(set(graphs) & PROTECTED_GRAPHS)
    if hit:
        raise QueryError(
            f"<{hit[0]}> is protected: the ontology and the dictionary graphs come from the build "
            "(`conflictkg build`) and cannot be changed through the API", code="E090", status=403)


def _run_update(store: ox.Store, text: str, base_iri: str | None) -> None:
    try:
        store.update(text, base_iri=base_iri)
    except SyntaxError as exc:
        raise QueryError(f"malformed SPARQL update: {engine_message(str(exc), text)}", code="E051",
                         status=400) from None
    except (OSError, ValueError, RuntimeError) as exc:
        raise QueryError(f"the update cannot be applied: {exc}", code="E093", status=400) from None


def _bound_graphs(store: ox.Store, op: Operation, defaults: Sequence[str], nameds: Sequence[str]) -> set[str]:
    """The graphs the ``GRAPH ?g`` templates of ``op`` bind to: its WHERE asked as a query, over the
    dataset the operation reads (never the whole store's content)."""
    variables = " ".join(f"?{v}" for v in dict.fromkeys(op.graph_vars))
    query = f"SELECT DISTINCT {variables} WHERE {join(op.where)}"
    kwargs: dict[str, Any] = {}
    if op.kind == "DELETE WHERE":
        kwargs["default_graph"] = ox.DefaultGraph()
    elif op.using or op.using_named:
        kwargs["default_graph"] = [ox.NamedNode(g) for g in op.using]
        kwargs["named_graphs"] = [ox.NamedNode(g) for g in op.using_named]
    elif op.with_graph is not None:
        kwargs["default_graph"] = ox.NamedNode(op.with_graph)
    else:
        kwargs["default_graph"] = [ox.NamedNode(g) for g in defaults]
        kwargs["named_graphs"] = [ox.NamedNode(g) for g in nameds]
    try:
        solutions = store.query(query, **kwargs)
    except SyntaxError as exc:
        raise QueryError(f"malformed SPARQL update: {exc}", code="E051", status=400) from None
    except (OSError, ValueError, RuntimeError) as exc:
        raise QueryError(f"the update cannot be applied: {exc}", code="E093", status=400) from None
    found: set[str] = set()
    for row in solutions:  # type: ignore[union-attr]
        for value in row:
            if isinstance(value, ox.NamedNode):
                found.add(value.value)
    return found


def _result(plan: QueryPlan, answer: tuple[Any, ...], text: str, base_iri: str | None) -> QueryResult:
    if answer[0] == "error":
        _, code, status, message = answer
        if code == "E051":  # the engine's position is in the canonical text: tell it in the client's
            message = engine_message(message, plan.text, tokenize(text, base=base_iri, prefixes=PREFIX_IRIS), text)
        raise QueryError(message, code=code, status=status)
    _, media, body, rows = answer
    return QueryResult(form=plan.form, media_type=media, body=body, rows=rows)


def _content(store: ox.Store, name: str) -> list[ox.Triple] | None:
    """A graph's triples in a store, or None when the store has no such graph."""
    node = ox.NamedNode(name)
    if not store.contains_named_graph(node):
        return None
    return [q.triple for q in store.quads_for_pattern(None, None, None, node)]


def _rdflib_graph(triples: Iterable[ox.Triple]) -> Graph:
    graph = Graph()
    for t in triples:
        graph.add((to_rdflib(t.subject), to_rdflib(t.predicate), to_rdflib(t.object)))  # type: ignore[arg-type]
    return graph


class _Scratch:
    """A private, writable copy of the store to try an update on.

    On disk it is a RocksDB checkpoint (cheap: hard links); in memory a dump; for other
    stores (remote) a copy of every named graph.
    """

    def __init__(self, store: GraphStore) -> None:
        self.source = store
        self.dir: tempfile.TemporaryDirectory[str] | None = None
        self.store: ox.Store = ox.Store()

    def __enter__(self) -> _Scratch:
        source = self.source
        if isinstance(source, EmbeddedStore) and source.path is not None:
            self.dir = tempfile.TemporaryDirectory(prefix="conflictkg-scratch-", dir=source.path.parent)
            path = Path(self.dir.name) / "store"
            source.oxigraph.backup(str(path))
            self.store = ox.Store(str(path))
        elif isinstance(source, EmbeddedStore):
            self.store.bulk_load(source.oxigraph.dump(format=ox.RdfFormat.N_QUADS), format=ox.RdfFormat.N_QUADS)
            for graph in source.oxigraph.named_graphs():  # empty graphs too
                self.store.add_graph(graph)
        else:
            for name in source.named_graphs():
                graph = ox.NamedNode(str(name))
                self.store.add_graph(graph)
                self.store.extend(ox.Quad(t.subject, t.predicate, t.object, graph) for t in source.triples(name))
        return self

    def __exit__(self, *exc: Any) -> None:
        del self.store  # the last reference: RocksDB closes its files before the folder goes
        gc.collect()
        if self.dir is not None:
            self.dir.cleanup()
