"""The graph face of the service (``service.network``): projections, graph queries, contested figures, exports.

:class:`NetworkViews` builds the networkx projections of :mod:`conflictkg.projection` from
the store (a few bulk SELECTs) and keeps them until the store changes (its write generation,
or for a remote store its triple count). Every method returns plain JSON-ready dicts; the
HTTP routes type them with Pydantic and the CLI prints or writes them. Unknown ids raise
:class:`~conflictkg.errors.NotFound`, bad parameters :class:`~conflictkg.errors.BadParameter`.

**Writes do not stall reads.** Building a projection reads the whole store (seconds at a few
hundred thousand triples), so it never happens on a reader's request once a projection exists:
after a write, readers keep getting the projection they had while one background thread per
view has the next one built, and the new one replaces the old when it is complete. Writes
arriving during a build do not start builds of their own (rebuilds never queue up): the builder
looks again when it finishes and builds once more if the store changed meanwhile, after resting
as long as the build took, so steady writes cost at most about half a core. Only the very first
request for a view waits (it builds in this process), and concurrent first requests share one
build. No reader's request does projection work, so a reader who goes away leaves nothing behind.

Rebuilds of an embedded store run in a separate, confined process (``python -m
conflictkg.network``, see :class:`_Builder`) that reads a read-only snapshot of the store taken
for the write generation (:class:`conflictkg.sparql.snapshot.Snapshots`) and sends the finished
networkx graph back: the build competes with request handling for neither the interpreter lock
nor memory. A remote store's projections are rebuilt in the background thread itself.
"""

from __future__ import annotations

import gc
import os
import subprocess
import sys
import threading
import time
import weakref
from collections import deque
from collections.abc import Iterator, Sequence
from itertools import islice
from typing import IO, TYPE_CHECKING, Any

import networkx as nx

from . import contested
from .claim_records import load_claims
from .config import (
    DEFAULT_MAX_PATHS,
    DEFAULT_NEIGHBOUR_DEPTH,
    DEFAULT_TOP_K,
    MAX_NEIGHBOUR_DEPTH,
    MAX_PATHS,
    MAX_TOP_K,
)
from .errors import BadParameter, NotFound
from .exports import FORMATS, export_chunks
from .namespaces import CKGID
from .projection import NODE_TYPES, VIEWS, node_id, project
from .store import EmbeddedStore

if TYPE_CHECKING:  # pragma: no cover
    from .service import GraphService

__all__ = ["NetworkViews", "CENTRALITY_MEASURES", "DIRECTIONS"]

CENTRALITY_MEASURES = ("degree", "betweenness", "pagerank")
DIRECTIONS = ("both", "out", "in")
_SUMMARY = ("label", "node_type", "subtype")
PAGERANK_DAMPING = 0.85
PAGERANK_TOLERANCE = 1.0e-10
PAGERANK_MAX_ITER = 200
SCORE_DIGITS = 6
#: After a background rebuild that found the store changed again, the builder rests this many
#: times the build's duration before the next one (about half a core at most under steady writes).
REBUILD_REST = 1.0


def check_choice(name: str, value: str, allowed: Sequence[str]) -> str:
    if value not in allowed:
        raise BadParameter(f"{name} must be one of {', '.join(allowed)}; got {value!r}")
    return value


def check_range(name: str, value: int, low: int, high: int) -> int:
    if not low <= value <= high:
        raise BadParameter(f"{name} must be between {low} and {high}; got {value}")
    return value


def check_types(types: Sequence[str] | None) -> list[str]:
    found = []
    for item in types or ():
        for t in item.split(","):
            if t.strip():
                found.append(check_choice("node type", t.strip(), NODE_TYPES))
    return sorted(set(found))


class _Builder:
    """The projection builder process: ``python -m conflictkg.network`` builds projections from store
    snapshots and sends them back (pickles over its stdin and stdout, like the query workers).

    It confines itself before its first build (:func:`conflictkg.sparql.sandbox.confine`: no
    network, read-only access to the snapshots). One build at a time; started on first use and
    again after it dies.
    """

    def __init__(self, readable: str) -> None:
        self.readable = readable
        self._lock = threading.Lock()
        self._process: subprocess.Popen[bytes] | None = None
        self._send: Any = None
        self._recv: Any = None

    def build(self, snapshot: tuple[str, str, int], view: str, union: bool) -> nx.MultiDiGraph:
        """Projection ``view`` of ``snapshot``; ``union``: its default graph holds the union of its named graphs."""
        from multiprocessing.connection import Connection

        with self._lock:
            if self._process is None or self._process.poll() is not None:
                self._process = subprocess.Popen([sys.executable, "-m", "conflictkg.network"], stdin=subprocess.PIPE,
                                                 stdout=subprocess.PIPE, close_fds=True)
                assert self._process.stdin is not None and self._process.stdout is not None
                self._send = Connection(os.dup(self._process.stdin.fileno()), readable=False)
                self._recv = Connection(os.dup(self._process.stdout.fileno()), writable=False)
                self._process.stdin.close()
                self._process.stdout.close()
                self._send.send({"readable": [self.readable]})
            try:
                self._send.send((snapshot, view, union))
                kind, payload = self._recv.recv()
            except (EOFError, OSError) as exc:
                self._stop()
                raise RuntimeError(f"the projection builder process died ({exc})") from None
        if kind != "ok":
            raise RuntimeError(f"the projection builder failed: {payload}")
        return payload  # type: ignore[no-any-return]

    def _stop(self) -> None:
        if self._process is not None:
            if self._process.poll() is None:
                self._process.kill()
            self._process.wait(timeout=5)
            self._send.close()
            self._recv.close()
            self._process = None

    def close(self) -> None:
        with self._lock:
            self._stop()


def _serve_builds() -> None:  # pragma: no cover - runs in the builder process
    """The builder process's loop: a config, then ``(snapshot, view, union)`` requests, each answered with
    ``("ok", projection)`` or ``("error", message)``."""
    from multiprocessing.connection import Connection

    from .sparql.sandbox import confine
    from .sparql.worker import open_snapshot

    recv = Connection(os.dup(0), writable=False)
    send = Connection(os.dup(1), readable=False)
    os.dup2(2, 1)  # stray prints go to stderr, never into the answer stream
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)
    try:
        config = recv.recv()
    except (EOFError, OSError):
        return
    confine(readable=config["readable"], memory_limit=None)
    opened: tuple[int, EmbeddedStore] | None = None
    while True:
        try:
            (kind, path, generation), view, union = recv.recv()
        except (EOFError, OSError):
            return
        try:
            if opened is None or opened[0] != generation:
                opened = None
                gc.collect()  # close the previous snapshot before opening the next
                opened = (generation, EmbeddedStore.over(open_snapshot(kind, path), union_default_graph=union))
            answer: tuple[str, Any] = ("ok", project(opened[1], view))
        except Exception as exc:  # noqa: BLE001 - reported to the server, which keeps the old projection
            answer = ("error", f"{type(exc).__name__}: {exc}")
        send.send(answer)


def _close_builder(snapshots: Any, builder: _Builder) -> None:
    builder.close()
    if snapshots is not None:  # None: the store's shared snapshots, closed by their owner
        snapshots.close()


class NetworkViews:
    """Projections of the store's graph and the analyses over them."""

    def __init__(self, service: GraphService) -> None:
        self.service = service
        self._cache: dict[str, tuple[int, nx.MultiDiGraph]] = {}
        self._building: set[str] = set()
        self._failed: dict[str, BaseException] = {}
        self._changed = threading.Condition(threading.Lock())
        self._process: tuple[Any, _Builder] | None = None
        self._process_lock = threading.Lock()

    # --- projections --------------------------------------------------------------------------

    def _stamp(self) -> int:
        store = self.service.store
        # The store's write counter when it has one (counting the triples of an on-disk store
        # reads all of it: a second per million triples, on every request); else the count.
        generation = getattr(store, "generation", None)
        return generation if generation is not None else store.triple_count()  # type: ignore[no-any-return]

    def graph(self, view: str, *, fresh: bool = False) -> nx.MultiDiGraph:
        """Projection ``view`` (``actor-event`` or ``claims``): the newest one built.

        When the store has changed since, a rebuild starts in the background (unless one is
        running) and this one is returned meanwhile; only a view never built yet is waited for,
        or, with ``fresh``, one that does not hold every write made so far. Treat the result as
        read-only: it is shared between requests.
        """
        check_choice("view", view, VIEWS)
        while True:
            stamp = self._stamp()
            with self._changed:
                cached = self._cache.get(view)
                if cached is not None and cached[0] == stamp:
                    return cached[1]
                if view not in self._building:
                    self._building.add(view)
                    self._failed.pop(view, None)
                    threading.Thread(target=self._rebuild, args=(view,), daemon=True,
                                     name=f"conflictkg-projection-{view}").start()
                if cached is not None and not fresh:
                    return cached[1]
                self._changed.wait_for(lambda: view in self._failed or self._cache.get(view) is not cached)
                if view in self._failed:
                    raise self._failed[view]

    def current(self, view: str) -> tuple[int, nx.MultiDiGraph] | None:
        """The newest projection of ``view`` built, and the store stamp it reflects, without ever
        waiting (None when none is built yet); like :meth:`graph`, a stale one starts a rebuild."""
        check_choice("view", view, VIEWS)
        stamp = self._stamp()
        with self._changed:
            cached = self._cache.get(view)
            if (cached is None or cached[0] != stamp) and view not in self._building:
                self._building.add(view)
                self._failed.pop(view, None)
                threading.Thread(target=self._rebuild, args=(view,), daemon=True,
                                 name=f"conflictkg-projection-{view}").start()
            return cached

    def _rebuild(self, view: str) -> None:
        """The background builder of ``view``: build, publish, and again while the store keeps changing."""
        try:
            while True:
                started = time.monotonic()
                stamp, g = self._build(view, cold=view not in self._cache)
                took = time.monotonic() - started
                with self._changed:
                    self._cache[view] = (stamp, g)
                    self._changed.notify_all()
                if self._stamp() == stamp:
                    break
                time.sleep(took * REBUILD_REST)
        except BaseException as exc:  # the store failed or was closed: readers waiting get the error
            with self._changed:
                self._failed[view] = exc
        finally:
            with self._changed:
                self._building.discard(view)
                self._changed.notify_all()

    def _build(self, view: str, *, cold: bool) -> tuple[int, nx.MultiDiGraph]:
        """One build of ``view`` and the store stamp it reflects: a first build here (someone is
        waiting for it), a rebuild of an embedded store in the builder process."""
        store = self.service.store
        if cold or not isinstance(store, EmbeddedStore):
            stamp = self._stamp()
            return stamp, project(store, view)
        snapshots, builder = self._builder(store)
        snapshot = snapshots.acquire()
        try:
            return snapshot[2], builder.build(snapshot, view, store.union_default_graph)
        finally:
            snapshots.release(snapshot[2], tuple)

    def _builder(self, store: EmbeddedStore) -> tuple[Any, _Builder]:
        from .sparql.snapshot import snapshots_of

        with self._process_lock:
            if self._process is None:
                snapshots = snapshots_of(store, "projection-snapshots")
                builder = _Builder(str(snapshots.root))
                self._process = (snapshots, builder)
                # also when the service is dropped without close(): no stray process or snapshot folder
                own = snapshots is not getattr(store, "shared_snapshots", None)
                self._finalizer = weakref.finalize(self, _close_builder, snapshots if own else None, builder)
            return self._process

    def close(self) -> None:
        """Stop the builder process and remove its snapshots."""
        with self._process_lock:
            if self._process is not None:
                self._finalizer()
                self._process = None

    def resolve(self, ident: str, view: str, *, expect: str | None = None, graph: nx.MultiDiGraph | None = None) -> str:
        """The node id for ``ident``: a node id (slug), a full IRI, or a ``ckgid:``-relative path
        (in ``graph``, by default the current projection of ``view``)."""
        g = self.graph(view) if graph is None else graph
        candidates = [ident]
        if ident.startswith(("http://", "https://", "urn:")):
            candidates.append(node_id(ident))
        elif "/" in ident:
            candidates.append(node_id(str(CKGID[ident])))
        if expect == "Event":
            candidates.append(node_id(str(CKGID[f"event/{ident}"])))
        for c in candidates:
            if c in g and (expect is None or g.nodes[c].get("node_type") == expect):
                return c
        what = expect.lower() if expect else "node"
        raise NotFound(f"no {what} {ident!r} in the {view} view", code="E061")

    def summary(self, g: nx.MultiDiGraph, n: str) -> dict[str, Any]:
        data = g.nodes[n]
        return {"id": n, **{k: data.get(k) for k in _SUMMARY}}

    @staticmethod
    def edge(u: str, v: str, key: str, data: dict[str, Any]) -> dict[str, Any]:
        attributes = {k: val for k, val in data.items() if k not in ("relation",)}
        return {"id": key, "source": u, "target": v, "relation": data.get("relation"), "attributes": attributes}

    # --- graph queries ------------------------------------------------------------------------

    def node(self, ident: str, *, view: str = "claims") -> dict[str, Any]:
        """A node with all its attributes and its degrees."""
        g = self.graph(view)
        n = self.resolve(ident, view, graph=g)
        data = g.nodes[n]
        attributes = {k: v for k, v in data.items() if k not in (*_SUMMARY, "iri")}
        return {**self.summary(g, n), "iri": data["iri"], "view": view, "attributes": attributes,
                "in_degree": g.in_degree(n), "out_degree": g.out_degree(n)}

    def neighbours(self, ident: str, *, depth: int = DEFAULT_NEIGHBOUR_DEPTH, types: Sequence[str] | None = None,
                   direction: str = "both", view: str = "actor-event",
                   graph: nx.MultiDiGraph | None = None) -> dict[str, Any]:
        """Nodes within ``depth`` hops (following edges ``out``, ``in`` or ``both`` ways).

        ``types`` keeps only nodes of those ``node_type``s in the answer (the walk passes
        through every node); edges are those among the nodes answered. ``graph``: the projection
        of ``view`` to read (by default the newest, :meth:`graph`).
        """
        check_range("depth", depth, 1, MAX_NEIGHBOUR_DEPTH)
        check_choice("direction", direction, DIRECTIONS)
        wanted = check_types(types)
        g = self.graph(view) if graph is None else graph
        start = self.resolve(ident, view, graph=g)
        dist = {start: 0}
        queue = deque([start])
        while queue:
            n = queue.popleft()
            if dist[n] == depth:
                continue
            nxt: set[str] = set()
            if direction in ("both", "out"):
                nxt.update(g.successors(n))
            if direction in ("both", "in"):
                nxt.update(g.predecessors(n))
            for m in sorted(nxt):
                if m not in dist:
                    dist[m] = dist[n] + 1
                    queue.append(m)
        keep = {n for n in dist if n == start or not wanted or g.nodes[n].get("node_type") in wanted}
        nodes = [{**self.summary(g, n), "distance": dist[n]}
                 for n in sorted(keep - {start}, key=lambda n: (dist[n], n))]
        edges = [self.edge(u, v, k, d) for n in keep for u, v, k, d in g.out_edges(n, keys=True, data=True)
                 if v in keep]
        edges.sort(key=lambda e: e["id"])
        return {"center": self.summary(g, start), "view": view, "depth": depth, "direction": direction,
                "types": wanted, "nodes": nodes, "edges": edges}

    def paths(self, source: str, target: str, *, view: str = "actor-event",
              limit: int = DEFAULT_MAX_PATHS) -> dict[str, Any]:
        """Shortest paths between two nodes, ignoring edge direction (at most ``limit``, in id order)."""
        check_range("limit", limit, 1, MAX_PATHS)
        g = self.graph(view)
        s, t = self.resolve(source, view, graph=g), self.resolve(target, view, graph=g)
        simple = nx.Graph(g.to_undirected(as_view=True))
        try:
            found = sorted(islice(nx.all_shortest_paths(simple, s, t), MAX_PATHS * 10))[:limit]
        except nx.NetworkXNoPath:
            found = []
        out = []
        for path in found:
            edges = []
            for a, b in zip(path, path[1:]):
                for u, v in ((a, b), (b, a)):
                    for k, d in sorted(g.get_edge_data(u, v, default={}).items()):
                        edges.append(self.edge(u, v, k, d))
            out.append({"nodes": [self.summary(g, n) for n in path], "edges": edges})
        return {"source": s, "target": t, "view": view, "length": len(found[0]) - 1 if found else None,
                "paths": out}

    def centrality(self, *, measure: str = "degree", top: int = DEFAULT_TOP_K, types: Sequence[str] | None = None,
                   view: str = "actor-event") -> dict[str, Any]:
        """The ``top`` nodes by degree centrality, betweenness (undirected, normalised) or PageRank."""
        check_choice("measure", measure, CENTRALITY_MEASURES)
        check_range("top", top, 1, MAX_TOP_K)
        wanted = check_types(types)
        g = self.graph(view)
        if measure == "degree":
            scores = nx.degree_centrality(g) if len(g) > 1 else {n: 0.0 for n in g}
        elif measure == "betweenness":
            scores = nx.betweenness_centrality(nx.Graph(g.to_undirected(as_view=True)), normalized=True)
        else:
            scores = pagerank(g)
        ranked = sorted(((round(v, SCORE_DIGITS), n) for n, v in scores.items()
                         if not wanted or g.nodes[n].get("node_type") in wanted), key=lambda x: (-x[0], x[1]))
        return {"measure": measure, "view": view, "types": wanted,
                "scores": [{**self.summary(g, n), "score": v} for v, n in ranked[:top]]}

    # --- claims -------------------------------------------------------------------------------

    def _label(self, iri: str) -> str:
        g = self.graph("claims")
        n = node_id(iri)
        return str(g.nodes[n].get("label")) if n in g else iri

    def _article(self, iri: str) -> dict[str, Any]:
        g = self.graph("claims")
        data = g.nodes[node_id(iri)] if node_id(iri) in g else {}
        return {"headline": data.get("label"), "published": data.get("datePublished"), "url": data.get("url")}

    def contested_figures(self, event: str) -> dict[str, Any]:
        """Every figure claimed about an event, by measure and claim date, with conflicting pairs flagged."""
        g = self.graph("claims")
        n = self.resolve(event, "claims", expect="Event", graph=g)
        iri = g.nodes[n]["iri"]
        claims = load_claims(self.service.store, focus=iri, focus_kind="event")
        pairs = contested.stored_pairs(self.service.store, iri)
        return contested.contested_figures(self.summary(g, n), claims, pairs, label=self._label,
                                           article=self._article)

    def figure_summary(self, event: str) -> dict[str, Any]:
        """Low, best and high estimates per measure and population of an event, with the claims behind each."""
        g = self.graph("claims")
        n = self.resolve(event, "claims", expect="Event")
        iri = g.nodes[n]["iri"]
        claims = {c.iri: c for c in load_claims(self.service.store, focus=iri, focus_kind="event")}

        def claim_ref(claim: str) -> dict[str, Any]:
            c = claims.get(claim)
            return {"id": node_id(claim), "claimant": None if c is None else {"id": node_id(c.claimant),
                                                                              "label": self._label(c.claimant)},
                    "date": None if c is None else c.date}

        return {"event": self.summary(g, n),
                "summaries": contested.figure_summaries(self.service.store, iri, claim_ref=claim_ref)}

    def statements(self, actor: str) -> dict[str, Any]:
        """What an actor said (or was said on its behalf) over time."""
        g = self.graph("claims")
        n = self.resolve(actor, "claims", expect="Actor", graph=g)
        iri = g.nodes[n]["iri"]
        claims = load_claims(self.service.store, focus=iri, focus_kind="actor", spans=True)
        return contested.statements(self.summary(g, n), iri, claims, label=self._label, article=self._article)

    # --- exports ------------------------------------------------------------------------------

    def export(self, fmt: str, view: str) -> Iterator[bytes]:
        """The export of ``view`` in ``fmt`` (graphml, gexf, json) as byte chunks."""
        check_choice("format", fmt, tuple(FORMATS))
        return export_chunks(self.graph(view), fmt)

    def write(self, fmt: str, view: str, out: IO[bytes]) -> int:
        """Write the export to a binary file; return the bytes written."""
        total = 0
        for chunk in self.export(fmt, view):
            out.write(chunk)
            total += len(chunk)
        return total


def pagerank(g: nx.MultiDiGraph, *, damping: float = PAGERANK_DAMPING) -> dict[Any, float]:
    """PageRank by power iteration (parallel edges add up; dangling nodes spread evenly); no scipy needed."""
    nodes = list(g)
    if not nodes:
        return {}
    n = len(nodes)
    out_w: dict[Any, float] = {u: 0.0 for u in nodes}
    links: dict[Any, dict[Any, float]] = {u: {} for u in nodes}
    for u, v, d in g.edges(data=True):
        w = float(d.get("weight", 1.0) or 0.0)
        links[u][v] = links[u].get(v, 0.0) + w
        out_w[u] += w
    rank = {u: 1.0 / n for u in nodes}
    for _ in range(PAGERANK_MAX_ITER):
        dangling = damping * sum(rank[u] for u in nodes if out_w[u] == 0) / n
        new = {u: (1.0 - damping) / n + dangling for u in nodes}
        for u in nodes:
            if out_w[u]:
                share = damping * rank[u] / out_w[u]
                for v, w in links[u].items():
                    new[v] += share * w
        delta = sum(abs(new[u] - rank[u]) for u in nodes)
        rank = new
        if delta < n * PAGERANK_TOLERANCE:
            break
    return rank


if __name__ == "__main__":  # pragma: no cover - the builder process
    _serve_builds()
