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
import re
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

from ..config import NAMED_QUERY_PAGE, Settings
from ..errors import NotFound, QueryError, ValidationFailed
from ..namespaces import DICTIONARY_GRAPH, ONTOLOGY_GRAPH, PREFIXES
from ..store import EmbeddedStore, GraphContent, GraphStore, to_oxigraph, to_rdflib
from .formats import DEFAULT_GRAPH_TYPE, negotiate, offers_for, serialize_triples
from .lexer import engine_message, join, tokenize
from .named import PAGING_PARAMS, NamedQuery, load_named_queries
from .pool import WorkerPool
from .screen import (
    Operation,
    QueryPlan,
    UpdatePlan,
    bounded_text,
    screen_query,
    screen_update,
    screened_query,
    select_modifiers,
)
from .snapshot import SnapshotSource, close_snapshots, snapshots_of
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
PAGE_LIMIT, PAGE_OFFSET = PAGING_PARAMS
#: Media type negotiations remembered (distinct Accept headers are few in practice; past this, none are added).
_NEGOTIATIONS = 256
_ERROR_AT = re.compile(r"error at 1:(\d+)")
#: Graphs no request may change: the ontology and the curated dictionaries are the build's, not the API's.
PROTECTED_GRAPHS = frozenset({str(ONTOLOGY_GRAPH), str(DICTIONARY_GRAPH)})


@dataclass(frozen=True)
class QueryResult:
    """A finished query: the body in ``media_type``, and how many rows (or triples) it holds (None when
    they were not counted: a SELECT whose outermost LIMIT kept it within the row cap)."""

    form: str
    media_type: str
    body: bytes
    rows: int | None


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
        self._snapshots: SnapshotSource | None = None
        self._named: dict[str, NamedQuery] | None = None
        self._known: tuple[int, frozenset[str]] | None = None
        self._negotiated: dict[tuple[str, str | None, str | None], str] = {}

    # --- queries ------------------------------------------------------------------------

    @property
    def embedded(self) -> bool:
        return isinstance(self.store, EmbeddedStore)

    def known_graphs(self) -> frozenset[str]:
        """IRIs of the store's named graphs (empty ones too).

        Cached per write generation of the store (listing every graph costs milliseconds per
        thousand graphs, on every query); a remote store's generation moves on with every write
        through it and every new list of its graphs (``RemoteStore``).
        """
        if not self.embedded:
            self.store.named_graphs()  # a remote store re-reads its list when it is old: its generation follows
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
        page: tuple[int, int] | None = None,
    ) -> QueryResult:
        """Screen and run one query; the body is in ``media_type`` or the best match for ``accept``.
        ``client`` names the caller for the pool's fairness limits (:mod:`.pool`); ``page`` is
        ``(limit, offset)`` of a named query (:meth:`run_named`)."""
        plan = self.screen(text, default_graph_uris=default_graph_uris, named_graph_uris=named_graph_uris,
                           base_iri=base_iri)
        task = self._task(plan, text, accept, media_type, default_graph_uris, named_graph_uris, substitutions,
                          base_iri, page)
        timeout = self.settings.query_timeout
        deadline = time.monotonic() + timeout
        if self.embedded:
            pool, snapshots = self._workers()
            snapshot = snapshots.acquire()
            try:
                answer = pool.run(task._replace(snapshot=snapshot), deadline, timeout, client=client)
            finally:
                snapshots.release(snapshot[2], pool.generations_in_use)
        else:
            answer = self.store.run_query(task, timeout=timeout)  # type: ignore[attr-defined]
        return _result(plan, answer, text, base_iri, task.query)

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
        page: tuple[int, int] | None = None,
    ) -> QueryResult:
        """:meth:`query` for the event loop: the same answers, errors and limits.

        Whatever might block (screening a text not seen before, starting the workers, taking a
        snapshot after a write) runs in a thread; the query itself is handed to a worker from the
        event loop and its answer awaited there (:meth:`.WorkerPool.run_async`), so a request
        cancelled because its client went away leaves the queue or stops its worker.
        """
        if not self.embedded:
            return await asyncio.to_thread(functools.partial(
                self.query, text, accept=accept, media_type=media_type, default_graph_uris=default_graph_uris,
                named_graph_uris=named_graph_uris, substitutions=substitutions, base_iri=base_iri, client=client,
                page=page))
        pool, snapshots, known = self._pool, self._snapshots, self._known
        if pool is None or snapshots is None:
            pool, snapshots = await asyncio.to_thread(self._workers)
        plan = None
        if known is not None and known[0] == self.store.generation:  # type: ignore[attr-defined]
            plan = screened_query(text, known[1], default_graph_uris=default_graph_uris,
                                  named_graph_uris=named_graph_uris, base_iri=base_iri,
                                  max_bytes=self.settings.max_query_bytes)
        if plan is None:
            plan = await asyncio.to_thread(functools.partial(self.screen, text, default_graph_uris=default_graph_uris,
                                                             named_graph_uris=named_graph_uris, base_iri=base_iri))
        task = self._task(plan, text, accept, media_type, default_graph_uris, named_graph_uris, substitutions,
                          base_iri, page)
        snapshot = snapshots.acquire_current() or await asyncio.to_thread(snapshots.acquire)
        try:
            timeout = self.settings.query_timeout
            answer = await pool.run_async(task._replace(snapshot=snapshot), time.monotonic() + timeout, timeout,
                                          client=client)
        finally:
            snapshots.release(snapshot[2], pool.generations_in_use)
        return _result(plan, answer, text, base_iri, task.query)

    def _media(self, form: str, accept: str | None, media_type: str | None) -> str:
        """The media type to answer a ``form`` query in (``media_type`` if it can, else the best match for
        ``accept``); negotiations are remembered per (form, Accept header)."""
        key = (form, accept, media_type)
        chosen = self._negotiated.get(key)
        if chosen is None:
            offers = offers_for(form)
            chosen = media_type if media_type in offers else negotiate(accept, offers)
            if chosen is None:
                raise QueryError(
                    f"cannot answer this {form} query in any type the request accepts ({accept}); "
                    f"available: {', '.join(offers)}", code="E059", status=406)
            if len(self._negotiated) < _NEGOTIATIONS:
                self._negotiated[key] = chosen
        return chosen

    def _task(self, plan: QueryPlan, raw: str, accept: str | None, media_type: str | None,
              default_graph_uris: Sequence[str], named_graph_uris: Sequence[str],
              substitutions: Mapping[str, Node] | None, base_iri: str | None,
              page: tuple[int, int] | None = None) -> Task:
        """What a worker (or the remote store) needs to answer a screened query: its canonical text, with
        the outermost LIMIT (and a page's OFFSET) the screen writes (:meth:`.QueryPlan.to_run`)."""
        chosen = self._media(plan.form, accept, media_type)
        protocol_dataset = bool(default_graph_uris or named_graph_uris)
        max_rows = self.settings.max_rows
        if self.embedded:
            text, check = plan.to_run(max_rows, page)
        else:  # the same tokens, IRIs written without escapes (Virtuoso does not read them); the remote
            # store pages and counts the rows it reads (RemoteStore.run_query)
            text, modifiers = select_modifiers(tokenize(raw, base=base_iri, prefixes=PREFIX_IRIS).tokens,
                                               plain_iris=True)
            text, check = bounded_text(text, modifiers, max_rows, page, write_limit=False)
        return Task(
            snapshot=None,
            query=text,
            media_type=chosen,
            max_rows=max_rows,
            check=check,
            # the store's own default graph is the union (conflictkg.store); else pyoxigraph's union view
            union=not protocol_dataset and not plan.has_dataset_clause
            and not getattr(self.store, "union_default_graph", False),
            default_graph=list(default_graph_uris) if protocol_dataset else None,
            named_graphs=list(named_graph_uris) if protocol_dataset else None,
            substitutions={k: to_oxigraph(v) for k, v in substitutions.items()} if substitutions else None,
            base_iri=base_iri,
            graph_iris=plan.graph_iris,
            page=None if self.embedded else page,
        )

    def _workers(self) -> tuple[WorkerPool, SnapshotSource]:
        with self._start_lock:
            if self._pool is None or self._snapshots is None:
                store: EmbeddedStore = self.store  # type: ignore[assignment]
                self._snapshots = snapshots_of(store, "snapshots")
                s = self.settings
                self._pool = WorkerPool(s.query_workers, reserved=s.reserved_workers,
                                        short_timeout=s.short_query_timeout, client_limit=s.client_queries,
                                        queue_limit=s.query_queue, memory_limit=s.worker_memory * 2**20,
                                        recycle_bytes=s.worker_recycle * 2**20, readable=[str(self._snapshots.root)],
                                        prefixes=PREFIX_IRIS)
            return self._pool, self._snapshots

    # --- named queries ------------------------------------------------------------------

    def named_queries(self) -> dict[str, NamedQuery]:
        """The analyst queries shipped in ``api/queries/*.rq``, by name."""
        if self._named is None:
            self._named = load_named_queries()
        return self._named

    def run_named(self, name: str, params: Mapping[str, str], *, accept: str | None = None,
                  media_type: str | None = None, client: str = LOCAL_CLIENT) -> QueryResult:
        """Run a named query with its parameters bound as RDF terms (never spliced into the text), one
        page of its answer: ``limit`` (default :data:`~conflictkg.config.NAMED_QUERY_PAGE`) rows from
        ``offset`` (default 0), in a deterministic order (see :meth:`_named_query`)."""
        query, bindings, page = self._named_query(name, params)
        return self.query(query.text, accept=accept, media_type=media_type, substitutions=bindings, client=client,
                          page=page)

    async def run_named_async(self, name: str, params: Mapping[str, str], *, accept: str | None = None,
                              media_type: str | None = None, client: str = LOCAL_CLIENT) -> QueryResult:
        """:meth:`run_named` for the event loop (see :meth:`query_async`)."""
        query, bindings, page = self._named_query(name, params)
        return await self.query_async(query.text, accept=accept, media_type=media_type, substitutions=bindings,
                                      client=client, page=page)

    def _named_query(self, name: str, params: Mapping[str, str]) -> tuple[NamedQuery, dict[str, Node], tuple[int, int]]:
        """The query, its bindings and its page. Every named query is paged: ``limit`` and ``offset`` are
        written as the outermost LIMIT and OFFSET by the screen, and a query without an ORDER BY of its own
        is ordered by the variables it projects, so the pages of one store state never overlap."""
        query = self.named_queries().get(name)
        if query is None:
            raise NotFound(f"no named query {name!r}; see /queries", code="E061")
        values = dict(params)
        page = _page(values.pop(PAGE_LIMIT, None), values.pop(PAGE_OFFSET, None), self.settings.max_rows)
        return query, query.bind(values), page

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
                close_snapshots(self.store, self._snapshots)
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


def _page(limit: str | None, offset: str | None, max_rows: int) -> tuple[int, int]:
    """A named query's page from its URL parameters (E054, 422, for anything but whole numbers in range)."""
    problems = []
    values = []
    for name, raw, default, low, high in ((PAGE_LIMIT, limit, min(NAMED_QUERY_PAGE, max_rows), 1, max_rows),
                                          (PAGE_OFFSET, offset, 0, 0, None)):
        if raw is None or raw == "":
            values.append(default)
            continue
        if not raw.strip().isdigit() or int(raw) < low or (high is not None and int(raw) > high):
            problems.append(f"parameter {name!r}: {raw!r} is not a whole number from {low}"
                            + (f" to {high} (--max-rows)" if high is not None else ""))
            continue
        values.append(int(raw))
    if problems:
        raise QueryError("bad paging: " + "; ".join(problems), code="E054", status=422)
    return values[0], values[1]


def _result(plan: QueryPlan, answer: tuple[Any, ...], text: str, base_iri: str | None, ran: str) -> QueryResult:
    if answer[0] == "error":
        _, code, status, message = answer
        if code == "E051":  # the engine's position is in the text it ran: tell it in the client's
            message = engine_message(_canonical_position(message, ran, plan), plan.text,
                                     tokenize(text, base=base_iri, prefixes=PREFIX_IRIS), text)
        raise QueryError(message, code=code, status=status)
    _, media, body, rows = answer
    return QueryResult(form=plan.form, media_type=media, body=body, rows=rows)


def _canonical_position(message: str, ran: str, plan: QueryPlan) -> str:
    """pyoxigraph's ``error at 1:COLUMN`` in the text it ran, as a column of the canonical text (the text the
    screen wrote differs from it only from the outermost LIMIT on)."""
    m = _ERROR_AT.search(message)
    if m is None or ran == plan.text or plan.modifiers is None:
        return message
    column = int(m.group(1))
    if column > plan.modifiers.start:
        column = max(plan.modifiers.start + 1, column - (len(ran) - len(plan.text)))
    return message[:m.start(1)] + str(column) + message[m.end(1):]


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
