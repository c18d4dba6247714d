"""The performance targets of issue 17, each judged PASS or FAIL from one run's measurements.

1. **No query slower than the peer** (at ``REFERENCE_SIZE``): every analyst query and shape is at
   least as fast through conflictkg's HTTP API as through rdflib-endpoint, and the geometric mean
   of rdflib-endpoint / conflictkg over the analyst queries is at least ``PEER_GEOMEAN``.
2. **Close to the floor** (at ``REFERENCE_SIZE``): (a) conflictkg's server-side time
   (``Server-Timing``) for each analyst query is within ``SERVER_RATIO`` x + ``SERVER_SLACK`` of
   pyoxigraph called directly; (b) the full HTTP overhead, conflictkg's round trip minus
   pyoxigraph direct minus the round trip of a bare FastAPI + uvicorn route doing nothing (same
   client, same run), is under ``HTTP_OVERHEAD`` at the median, for every query with a small
   result (``SMALL_ROWS`` rows or fewer, ``SMALL_DIRECT`` or less direct: above that the noise of
   a shared machine is larger than the target).
3. **10 million triples**: (a) every analyst query answers with p95 under ``LARGE_P95`` at
   ``LARGE_SIZE``; (b) ingest keeps at least ``INGEST_RATE`` articles/s on a store of 1M.
4. **Throughput scales with cores**: ``/graph`` neighbours and ``/sparql`` point lookups reach
   ``SCALING`` x the single-worker throughput with 2 workers, at 8 and 32 clients, without errors.
5. Virtuoso: no target; reported beside.

A verdict is PASS, FAIL, or NOT SHOWN / NOT MEASURED (said why) when the run could not decide:
e.g. a peer that did not finish gives only a lower bound on a ratio.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from .numbers import human, ms, times

__all__ = ["Verdict", "evaluate"]

REFERENCE_SIZE = 1_000_000
LARGE_SIZE = 10_000_000
PEER_GEOMEAN = 10.0
SERVER_RATIO = 1.2
SERVER_SLACK = 0.0005
HTTP_OVERHEAD = 0.001
SMALL_ROWS = 100
SMALL_DIRECT = 0.010
LARGE_P95 = 1.0
INGEST_RATE = 20.0
INGEST_STORE = 900_000
"""A store of at least this many triples counts as "1M" for the ingest target."""
SCALING = 1.6
SCALING_CLIENTS = (8, 32)

CKG = "conflictkg"
DIRECT = "pyoxigraph direct"
PEER = "rdflib-endpoint"


@dataclass(frozen=True)
class Verdict:
    target: str
    measured: str
    result: str
    """PASS, FAIL, NOT SHOWN (...) or NOT MEASURED (...)."""

    def row(self) -> str:
        return f"| {self.target} | {self.measured} | **{self.result}** |"


def peer_ratio(peer: Any, ours: Any, cap: float) -> tuple[float | None, bool]:
    """(rdflib-endpoint / conflictkg, whether it is only a lower bound: the peer did not finish)."""
    if ours is None or not ours.ok:
        return None, False
    if peer is not None and peer.ok:
        return peer.median / ours.median, False
    if peer is not None and peer.status.startswith("did not finish"):
        return cap / ours.median, True
    return None, False


def target_peer(run: Any) -> Verdict:
    """Target 1 on the reference size's :class:`SizeRun`."""
    name = (f"1. every analyst query and shape at {human(run.size)} at least as fast through conflictkg's HTTP API as "
            f"through rdflib-endpoint, and geometric mean of rdflib-endpoint / conflictkg over the analyst queries "
            f">= {PEER_GEOMEAN:.0f}x")
    if CKG not in run.engines or PEER not in run.engines:
        return Verdict(name, "conflictkg or rdflib-endpoint not run", "NOT MEASURED")
    slower, unknown, parts, named = [], [], [], []
    bounded = False
    for spec in run.specs:
        ours, peer = run.engines[CKG].timings.get(spec.name), run.engines[PEER].timings.get(spec.name)
        x, lower = peer_ratio(peer, ours, run.caps.get(spec.name, run.cap))
        if x is None and peer is not None and peer.ok:  # conflictkg did not answer what the peer did
            slower.append(spec.name)
            parts.append(f"{spec.name}: conflictkg {ours.status if ours is not None else 'not run'}")
            continue
        if x is None:
            unknown.append(spec.name)
            parts.append(f"{spec.name} not measured")
            continue
        parts.append(f"{spec.name} {'>' if lower else ''}{times(x)}")
        if x < 1 and not lower:
            slower.append(spec.name)
        if spec.kind == "named":
            named.append(x)
            bounded = bounded or lower
    geo = math.exp(sum(math.log(x) for x in named) / len(named)) if named else None
    measured = ", ".join(parts) + (f"; geometric mean over analyst queries {'>' if bounded else ''}{times(geo)}"
                                   if geo is not None else "")
    if slower or (geo is not None and geo < PEER_GEOMEAN and not bounded):
        result = "FAIL" + (f" (slower: {', '.join(slower)})" if slower else "")
    elif unknown:
        result = f"NOT MEASURED ({', '.join(unknown)})"
    elif geo is not None and geo < PEER_GEOMEAN:
        result = "NOT SHOWN (rdflib-endpoint did not finish: only a lower bound)"
    else:
        result = "PASS"
    return Verdict(name, measured, result)


def target_server_side(run: Any) -> Verdict:
    """Target 2a."""
    name = (f"2a. conflictkg's server-side time (`Server-Timing`) for each analyst query within {SERVER_RATIO}x + "
            f"{SERVER_SLACK * 1000:.1f} ms of pyoxigraph direct, {human(run.size)}")
    if CKG not in run.engines or DIRECT not in run.engines:
        return Verdict(name, "not run", "NOT MEASURED")
    parts, over, unknown = [], [], []
    for spec in run.specs:
        if spec.kind != "named":
            continue
        server = run.engines[CKG].server.get(spec.name)
        direct = run.engines[DIRECT].timings.get(spec.name)
        if server is None or direct is None or not direct.ok:
            unknown.append(spec.name)
            continue
        allowed = SERVER_RATIO * direct.median + SERVER_SLACK
        parts.append(f"{spec.name} {ms(server)} (allowed {ms(allowed)})")
        if server > allowed:
            over.append(spec.name)
    result = ("FAIL" if over else f"NOT MEASURED ({', '.join(unknown)})" if unknown or not parts else "PASS")
    return Verdict(name, ", ".join(parts) or "nothing measured", result)


def overheads(run: Any) -> list[tuple[Any, float, int]]:
    """(spec, conflictkg - direct - bare route, rows) for the small-result queries of ``run``."""
    out = []
    bare = run.bare
    if bare is None or not bare.ok or CKG not in run.engines or DIRECT not in run.engines:
        return out
    for spec in run.specs:
        ours, direct = run.engines[CKG].timings.get(spec.name), run.engines[DIRECT].timings.get(spec.name)
        if ours is None or direct is None or not ours.ok or not direct.ok or direct.cold:
            continue
        if (ours.rows or 0) <= SMALL_ROWS and direct.median <= SMALL_DIRECT:
            out.append((spec, ours.median - direct.median - bare.median, ours.rows or 0))
    return out


def target_overhead(run: Any) -> Verdict:
    """Target 2b."""
    name = (f"2b. full HTTP overhead over a bare FastAPI + uvicorn route (conflictkg - pyoxigraph direct - bare route, "
            f"same client) under {HTTP_OVERHEAD * 1000:.0f} ms at the median, queries with <= {SMALL_ROWS} rows "
            f"and <= {SMALL_DIRECT * 1000:.0f} ms direct, {human(run.size)}")
    rows = overheads(run)
    if not rows:
        return Verdict(name, "not measured", "NOT MEASURED")
    measured = (f"bare route {ms(run.bare.median)}; " +
                ", ".join(f"{s.name} ({n} rows) {ms(o)}" for s, o, n in rows))
    return Verdict(name, measured, "PASS" if max(o for _s, o, _n in rows) < HTTP_OVERHEAD else "FAIL")


def target_large(run: Any | None) -> Verdict:
    """Target 3a on the large size's run."""
    name = f"3a. every analyst query at {human(LARGE_SIZE)} triples: p95 under {LARGE_P95:.0f} s through conflictkg"
    if run is None or CKG not in run.engines:
        return Verdict(name, "not run", "NOT MEASURED")
    parts, over = [], []
    for spec in run.specs:
        if spec.kind != "named":
            continue
        t = run.engines[CKG].timings.get(spec.name)
        if t is None or not t.ok:
            parts.append(f"{spec.name}: {t.status if t is not None else 'not run'}")
            over.append(spec.name)
            continue
        parts.append(f"{spec.name} {ms(t.p95)}" + (" (one cold run)" if t.cold else f" (n={len(t.samples)})"))
        if t.p95 >= LARGE_P95:
            over.append(spec.name)
    return Verdict(name + f" ({run.quads:,} quads)", ", ".join(parts), "FAIL" if over else "PASS")


def target_ingest(results: Sequence[Any]) -> Verdict:
    name = f"3b. ingest at least {INGEST_RATE:.0f} articles/s including validation on a store of 1M triples"
    big = [r for r in results if r.triples_before >= INGEST_STORE]
    if not big:
        last = results[-1] if results else None
        return Verdict(name, f"{last.rate:.1f} articles/s on {last.triples_before:,} triples" if last else "not run",
                       "NOT MEASURED at 1M")
    r = big[-1]
    return Verdict(name, f"{r.rate:.1f} articles/s on {r.triples_before:,} triples",
                   "PASS" if r.rate >= INGEST_RATE and not r.failures else "FAIL")


def target_scaling(concurrency: Mapping[int, Sequence[tuple[str, Any]]], size: int) -> Verdict:
    """Target 4: ``concurrency`` maps workers (1, 2) to (endpoint label, LoadResult or reason) rows."""
    name = (f"4. `/graph` neighbours and `/sparql` point lookups with 2 workers at least {SCALING}x the single-worker "
            f"throughput at {' and '.join(map(str, SCALING_CLIENTS))} clients, {human(size)}")
    one, two = concurrency.get(1), concurrency.get(2)
    if not one or not two:
        return Verdict(name, "not run", "NOT MEASURED")

    def table(rows: Sequence[tuple[str, Any]]) -> dict[tuple[str, int], Any]:
        return {(label, r.clients): r for label, r in rows if not isinstance(r, str)}

    a, b = table(one), table(two)
    parts, failed = [], False
    for label in dict.fromkeys(label for label, _r in one):
        for clients in SCALING_CLIENTS:
            x, y = a.get((label, clients)), b.get((label, clients))
            if x is None or y is None or not x.throughput:
                parts.append(f"{label} x{clients}: not measured")
                failed = True
                continue
            ratio = y.throughput / x.throughput
            parts.append(f"{label} x{clients}: {ratio:.2f}x ({x.throughput:,.0f} -> {y.throughput:,.0f} req/s)")
            failed = failed or ratio < SCALING or bool(x.errors) or bool(y.errors)
    return Verdict(name, "; ".join(parts), "FAIL" if failed else "PASS")


def evaluate(runs: Sequence[Any], ingest: Sequence[Any], concurrency: Mapping[int, Sequence[tuple[str, Any]]],
             concurrency_size: int) -> list[Verdict]:
    by_size = {r.size: r for r in runs}
    ref = by_size.get(REFERENCE_SIZE) or (max(runs, key=lambda r: r.size) if runs else None)
    large = by_size.get(LARGE_SIZE)
    out: list[Verdict] = []
    if ref is not None:
        out += [target_peer(ref), target_server_side(ref), target_overhead(ref)]
    out.append(target_large(large))
    out.append(target_ingest(ingest))
    out.append(target_scaling(concurrency, concurrency_size))
    return out
