"""The graph face of the service (``service.network``): projections, graph queries, contested figures, exports.

:class:`NetworkViews` builds the networkx projections of :mod:`conflictkg.projection` from
the store (a few bulk SELECTs) and caches them until the store changes (judged by its
triple count). Every method returns plain JSON-ready dicts; the HTTP routes type them with
Pydantic and the CLI prints or writes them. Unknown ids raise :class:`~conflictkg.errors.NotFound`,
bad parameters :class:`~conflictkg.errors.BadParameter`.
"""

from __future__ import annotations

import threading
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


class NetworkViews:
    """Projections of the store's graph and the analyses over them."""

    def __init__(self, service: GraphService) -> None:
        self.service = service
        self._cache: dict[str, tuple[int, nx.MultiDiGraph]] = {}
        self._lock = threading.Lock()

    # --- projections --------------------------------------------------------------------------

    def graph(self, view: str) -> nx.MultiDiGraph:
        """Projection ``view`` (``actor-event`` or ``claims``), rebuilt when the store has changed.

        Treat the result as read-only: it is shared between requests.
        """
        check_choice("view", view, VIEWS)
        store = self.service.store
        # The store's write counter when it has one (counting the triples of an on-disk store
        # reads all of it: a second per million triples, on every request); else the count.
        generation = getattr(store, "generation", None)
        stamp = generation if generation is not None else store.triple_count()
        with self._lock:
            cached = self._cache.get(view)
            if cached is not None and cached[0] == stamp:
                return cached[1]
            g = project(store, view)
            self._cache[view] = (stamp, g)
            return g

    def resolve(self, ident: str, view: str, *, expect: str | None = None) -> str:
        """The node id for ``ident``: a node id (slug), a full IRI, or a ``ckgid:``-relative path."""
        g = self.graph(view)
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
        n = self.resolve(ident, view)
        data = g.nodes[n]
        attributes = {k: v for k, v in data.items() if k not in (*_SUMMARY, "iri")}
        return {**self.summary(g, n), "iri": data["iri"], "view": view, "attributes": attributes,
                "in_degree": g.in_degree(n), "out_degree": g.out_degree(n)}

    def neighbours(self, ident: str, *, depth: int = DEFAULT_NEIGHBOUR_DEPTH, types: Sequence[str] | None = None,
                   direction: str = "both", view: str = "actor-event") -> dict[str, Any]:
        """Nodes within ``depth`` hops (following edges ``out``, ``in`` or ``both`` ways).

        ``types`` keeps only nodes of those ``node_type``s in the answer (the walk passes
        through every node); edges are those among the nodes answered.
        """
        check_range("depth", depth, 1, MAX_NEIGHBOUR_DEPTH)
        check_choice("direction", direction, DIRECTIONS)
        wanted = check_types(types)
        g = self.graph(view)
        start = self.resolve(ident, view)
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
        s, t = self.resolve(source, view), self.resolve(target, view)
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
        n = self.resolve(event, "claims", expect="Event")
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
        n = self.resolve(actor, "claims", expect="Actor")
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
