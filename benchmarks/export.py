"""Export benchmark: time and peak memory of the GraphML and GEXF writers on a synthetic graph.

The graph imitates the actor-event projection at scale: actors and events as nodes, and
edges that are mostly collapsed claims (with stance, dates, figures) plus some
participation and affiliation edges, parallel edges included. It is built directly with
networkx (deterministically, from ``--seed``), so the benchmark measures the writers alone.

For each format the export is run twice: once timed, once under :mod:`tracemalloc`, whose
peak counts only what the writer allocates (the graph is built before tracing starts). This
shows that memory stays bounded: it does not grow with the size of the output file.

    python -m benchmarks.export --edges 1000000
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Sequence
from pathlib import Path

import networkx as nx

from conflictkg.exports import FORMATS, UNIQUE_EDGE_IDS, write_export

DEFAULT_EDGES = 1_000_000
EDGES_PER_NODE = 10
STANCES = ("Asserts", "Denies", "Accuses", "ClaimsResponsibility", "Confirms")
MEASURES = ("Killed", "Wounded", "Attackers")
ACTOR_TYPES = ("Ministry", "ArmedGroup", "Person", "Government", "UnnamedSource")


def synthetic_graph(edges: int, *, seed: int = 7) -> nx.MultiDiGraph:
    """A deterministic actor-event-like MultiDiGraph with about ``edges`` edges."""
    rng = random.Random(seed)
    n_nodes = max(4, edges // EDGES_PER_NODE)
    n_events = max(2, n_nodes // 4)
    g = nx.MultiDiGraph()
    g.graph[UNIQUE_EDGE_IDS] = True  # as in the projections: every key below is a distinct slug
    actors = [f"actor.org.a{i}" for i in range(n_nodes - n_events)]
    events = [f"event.2018-{1 + i % 12:02d}-{1 + i % 28:02d}-place-{i}-attack" for i in range(n_events)]
    for i, a in enumerate(actors):
        g.add_node(a, label=f"Actor {i} <&> \u00e9", iri=f"https://w3id.org/conflictkg/id/{a.replace('.', '/')}",
                   node_type="Actor", subtype=ACTOR_TYPES[i % len(ACTOR_TYPES)])
    for e in events:
        date = e[6:16]
        g.add_node(e, label=f"Attack, {date}", iri=f"https://w3id.org/conflictkg/id/{e.replace('.', '/', 1)}",
                   node_type="Event", subtype="Attack", date=date, start=date)
    for i in range(edges):
        kind = rng.random()
        if kind < 0.1:
            e, a = rng.choice(events), rng.choice(actors)
            g.add_edge(e, a, key=f"hasActor-{i}", relation="hasActor", label="hasActor", edge_class="participation",
                       weight=1.0)
        elif kind < 0.15:
            a, b = rng.choice(actors), rng.choice(actors)
            g.add_edge(a, b, key=f"affiliatedWith-{i}", relation="affiliatedWith", label="affiliatedWith",
                       edge_class="affiliation", weight=1.0)
        else:
            a, e = rng.choice(actors), rng.choice(events)
            low = rng.randrange(0, 500)
            date = f"2018-{rng.randrange(1, 13):02d}-{rng.randrange(1, 29):02d}"
            g.add_edge(a, e, key=f"claim.{i:016x}-{i % 4096:012x}", relation="claim", label="claim",
                       edge_class="claim", weight=1.0, stance=STANCES[i % len(STANCES)], certainty="certain",
                       date=date, start=date, end=date, measure=MEASURES[i % len(MEASURES)], low=low,
                       surface=f"more than {low}", figures=f"Killed: more than {low}",
                       source_article=f"article.{i % 997:016x}")
    return g


def _rss_mib() -> float:
    # ru_maxrss is in KiB on Linux
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def measure(g: nx.MultiDiGraph, fmt: str, out_dir: Path, *, trace: bool = True) -> dict[str, float]:
    """Seconds to write ``g`` as ``fmt``, bytes written and the writer's peak traced allocation (MiB)."""
    path = out_dir / f"bench{FORMATS[fmt].suffix}"
    start = time.perf_counter()
    with open(path, "wb") as f:
        size = write_export(g, fmt, f)
    seconds = time.perf_counter() - start
    peak = float("nan")
    if trace:
        tracemalloc.start()
        with open(path, "wb") as f:
            write_export(g, fmt, f)
        peak = tracemalloc.get_traced_memory()[1] / 2**20
        tracemalloc.stop()
    path.unlink()
    return {"seconds": seconds, "bytes": size, "peak_mib": peak}


def run(edges: int, formats: Sequence[str], *, seed: int = 7, trace: bool = True) -> list[dict[str, object]]:
    t0 = time.perf_counter()
    g = synthetic_graph(edges, seed=seed)
    build = time.perf_counter() - t0
    rows: list[dict[str, object]] = []
    with tempfile.TemporaryDirectory(prefix="ckg-bench-") as tmp:
        for fmt in formats:
            result = measure(g, fmt, Path(tmp), trace=trace)
            rows.append({"format": fmt, "nodes": g.number_of_nodes(), "edges": g.number_of_edges(),
                         "build_s": build, **result, "rss_mib": _rss_mib()})
    return rows


def markdown(rows: list[dict[str, object]]) -> str:
    lines = [
        "| format | nodes | edges | file MiB | export s | edges/s | writer peak MiB (tracemalloc) | process max RSS MiB |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        seconds = float(r["seconds"])  # type: ignore[arg-type]
        lines.append(
            f"| {r['format']} | {r['nodes']:,} | {r['edges']:,} | {int(r['bytes']) / 2**20:,.1f} | "  # type: ignore[call-overload]
            f"{seconds:,.2f} | {int(r['edges']) / seconds:,.0f} | {float(r['peak_mib']):,.1f} | "  # type: ignore[call-overload]
            f"{float(r['rss_mib']):,.0f} |"  # type: ignore[arg-type]
        )
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.export", description=__doc__.split("\n\n")[0])
    parser.add_argument("--edges", type=int, default=DEFAULT_EDGES, help="edges in the synthetic graph")
    parser.add_argument("--formats", default="graphml,gexf", help="comma-separated: graphml,gexf,json")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--no-trace", action="store_true", help="skip the tracemalloc run (time only)")
    args = parser.parse_args(argv)
    formats = [f for f in args.formats.split(",") if f]
    unknown = [f for f in formats if f not in FORMATS]
    if unknown or args.edges < 1:
        parser.error(f"unknown formats {unknown}" if unknown else "--edges must be positive")
    rows = run(args.edges, formats, seed=args.seed, trace=not args.no_trace)
    print(f"Export benchmark: synthetic actor-event graph, Python {sys.version.split()[0]}, "
          f"{os.cpu_count()} CPUs; graph built in {float(rows[0]['build_s']):.1f} s\n")  # type: ignore[arg-type]
    print(markdown(rows))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
