"""The benchmark suite behind ``python -m benchmarks``: generate data, run every benchmark, write ``BENCHMARKS.md``.

Each section is printed to standard output as soon as it is measured, and the file is exactly
those sections put together: the numbers in the file are the numbers the command printed.
Progress goes to standard error. Every alternative engine has a time cap; what does not finish
within it is reported as such. The targets are judged in :mod:`.targets`, the tables written
in :mod:`.report`; generated data and stores are cached in ``benchmarks/out/`` (:mod:`.datasets`).

    python -m benchmarks                       # full run (sizes 100k, 1M, 10M; under 30 min on 2 cores)
    python -m benchmarks --quick --out /tmp/B.md   # tiny sizes, a few seconds (the smoke test)
    python -m benchmarks --sizes 100000,1000000
"""

from __future__ import annotations

import argparse
import datetime as dt
import math
import multiprocessing as mp
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import export as export_bench
from . import ingest as ingest_bench
from . import load as load_bench
from . import report as fmt
from . import validation as validation_bench
from . import virtuoso as virtuoso_bench
from .client import Client, ClientError
from .datasets import Artefact, checkpoint, nquads_file, oxigraph_store
from .loadgen import run_load
from .queries import ChildEngine, EngineRun, HttpEngine, QuerySpec, Timing, query_set, round_trip
from .queries import Settings as QuerySettings
from .servers import BARE_PATH, ROOT, start_bare, start_conflictkg, start_rdflib_endpoint
from .targets import CKG, DIRECT, PEER, PEER_GEOMEAN, evaluate

SECTIONS = ("Machine", "Targets", "Data", "Bulk load", "Query latency", "Concurrent clients", "Reads under writes",
            "Virtuoso", "Extraction and ingest", "SHACL validation", "Export", "Reproduce")

DISK_LOAD = "pyoxigraph bulk_load, the union default graph, then optimize (on disk)"
"""How the store the server and pyoxigraph direct read is made (compacted, like a store in service)."""
GRAPH_NEIGHBOURS = "/graph/nodes/actor.a20/neighbours"
"""The ``/graph`` request of the concurrency benchmark (a dictionary actor that exists at every size)."""


@dataclass
class Plan:
    sizes: list[int]
    repeats: int
    fast_repeats: int
    """Timed runs of a query whose warm-up took under 20 ms (cheap; their medians need more runs)."""
    budget: float
    """Seconds of timed runs per query and engine (slow queries get fewer runs)."""
    cap: float
    """Seconds one query run may take before the engine is stopped."""
    decisive_cap: float
    """The most a run of rdflib-endpoint may take when deciding the 10x target needs longer than ``cap``."""
    load_cap: float
    rdflib_max: int
    """Largest size rdflib and rdflib-endpoint are loaded at (beyond: extrapolated load time)."""
    concurrency_size: int
    clients: tuple[int, ...]
    workers: tuple[int, ...]
    """Server processes compared by the concurrency benchmark (target 4: 1 and 2)."""
    load_seconds: float
    bare_repeats: int
    ingest_sizes: list[int]
    ingest_count: int
    ingest_profile: int
    validation_triples: int
    validation_samples: int
    validation_repeats: int
    full_validation_triples: int
    full_validation_cap: float
    export_edges: int
    export_cap: float
    virtuoso_sizes: list[int]
    """Sizes Virtuoso (and conflictkg --backend remote on it) runs at in this run (``python -m
    benchmarks.virtuoso`` runs it alone)."""
    endpoint_restarts: int = 3
    """Times rdflib-endpoint is restarted after a query passes the cap (each restart reloads the data)."""
    total_budget: float = 1320.0
    """Seconds after which the remaining query-benchmark steps are skipped (reported as not run)."""
    virtuoso_budget: float = 300.0
    """Seconds Virtuoso may start after ``total_budget`` (it runs after ingest, validation and export)."""
    load_triples: int = 300_000
    """Store size of the reads-under-writes load test (``benchmarks/load.py``: /graph readers, one write per second)."""
    load_clients: int = 32
    load_duration: float = 30.0
    seed: int = 1
    reuse: bool = True
    """Reuse cached data files, stores and Virtuoso databases (``--fresh``: rebuild them)."""

    @classmethod
    def full(cls) -> Plan:
        return cls(sizes=[100_000, 1_000_000, 10_000_000], repeats=10, fast_repeats=40, budget=5.0, cap=20.0,
                   decisive_cap=150.0, load_cap=400.0, rdflib_max=1_000_000, concurrency_size=1_000_000,
                   clients=(1, 8, 32), workers=(1, 2), load_seconds=5.0, bare_repeats=200,
                   ingest_sizes=[0, 100_000, 1_000_000], ingest_count=30, ingest_profile=8,
                   validation_triples=1_000_000, validation_samples=5, validation_repeats=3,
                   full_validation_triples=50_000, full_validation_cap=120.0, export_edges=1_000_000,
                   export_cap=600.0, virtuoso_sizes=[1_000_000])

    @classmethod
    def quick(cls) -> Plan:
        return cls(sizes=[6_000], repeats=3, fast_repeats=5, budget=0.5, cap=30.0, decisive_cap=30.0, load_cap=60.0,
                   rdflib_max=6_000, concurrency_size=6_000, clients=(1, 4), workers=(1, 2), load_seconds=0.3,
                   bare_repeats=20, ingest_sizes=[0, 6_000], ingest_count=2, ingest_profile=1,
                   validation_triples=6_000, validation_samples=1, validation_repeats=1,
                   full_validation_triples=6_000, full_validation_cap=60.0, export_edges=1_000, export_cap=60.0,
                   virtuoso_sizes=[6_000], total_budget=600.0, load_triples=6_000, load_clients=4,
                   load_duration=2.0)


class Report:
    """Sections printed as they are measured; the file is their concatenation."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.t0 = time.perf_counter()

    def log(self, msg: str) -> None:
        print(f"[{time.perf_counter() - self.t0:7.1f} s] {msg}", file=sys.stderr, flush=True)

    def section(self, title: str, body: str) -> None:
        text = f"## {title}\n\n{body.strip()}\n"
        self.parts.append(text)
        print(text, flush=True)

    def text(self, header: str) -> str:
        return header + "\n" + "\n".join(self.parts)


# --- bulk loads in child processes (clean peak memory) -----------------------------------------


def _load_child(kind: str, nquads: str, target: str | None, queue: Any) -> None:  # pragma: no cover - child
    import pyoxigraph as ox

    start = time.perf_counter()
    if kind == "oxigraph-memory":
        store = ox.Store()
        store.bulk_load(path=nquads, format=ox.RdfFormat.N_QUADS)
        n = len(store)
    else:
        from rdflib import Dataset

        ds = Dataset(default_union=True)
        ds.parse(nquads, format="nquads")
        n = sum(1 for _ in ds.quads((None, None, None, None)))
    queue.put((time.perf_counter() - start, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, n))


def child_load(kind: str, nquads: Path, target: Path | None, cap: float) -> tuple[float, float, int] | str:
    ctx = mp.get_context("spawn")
    queue = ctx.Queue()
    proc = ctx.Process(target=_load_child, args=(kind, str(nquads), str(target) if target else None, queue))
    proc.start()
    proc.join(cap)
    if proc.is_alive():
        proc.kill()
        proc.join()
        return f"did not finish within {cap:.0f} s"
    if queue.empty():
        return f"failed (exit code {proc.exitcode})"
    return queue.get()  # type: ignore[no-any-return]


# --- the query benchmarks --------------------------------------------------------------------------


@dataclass
class SizeRun:
    size: int
    nquads: Artefact
    loads: dict[str, tuple[float, float, int] | str]
    engines: dict[str, EngineRun]
    specs: list[QuerySpec]
    cap: float
    caps: dict[str, float] = field(default_factory=dict)
    """Per query, rdflib-endpoint's cap when longer than the plan's (see :func:`decisive_cap`)."""
    bare: Timing | None = None
    """Round trip of the bare FastAPI route, measured around conflictkg's queries."""
    export: tuple[float, int] | str | None = None
    """The full export of the stored contradictions (``conflictkg contradictions``): (seconds, pairs) or why not."""

    @property
    def quads(self) -> int:
        return self.nquads.quads


@dataclass
class Concurrency:
    quads: int | None = None
    rows: dict[int, list[tuple[str, Any]]] = field(default_factory=dict)
    """Workers -> (endpoint label, :class:`.loadgen.LoadResult` or why not)."""


def decisive_cap(ours: Timing | None, spec: QuerySpec, plan: Plan) -> float | None:
    """rdflib-endpoint's cap for ``spec`` when the plan's is too short to decide target 1: a run stopped
    at its cap shows a speed-up of at least cap / conflictkg's median, so an analyst query gets
    PEER_GEOMEAN x conflictkg's median (5% more, at most ``plan.decisive_cap``) when that is more than
    ``plan.cap``."""
    if spec.kind == "named" and ours is not None and ours.ok and PEER_GEOMEAN * ours.median * 1.05 > plan.cap:
        return float(min(plan.decisive_cap, math.ceil(PEER_GEOMEAN * ours.median * 1.05)))
    return None


def run_size(size: int, plan: Plan, work: Path, report: Report, deadline: float,
             concurrency: Concurrency) -> SizeRun:
    """Every query benchmark at one size; steps that would pass ``deadline`` (monotonic) are skipped and said so.

    Every engine is started first (the loads run in parallel), then each query is timed on every
    engine in turn before the next query: on a shared machine the load drifts, and engines
    compared query by query should see the same drift.
    """
    def left() -> float:
        return deadline - time.monotonic()

    skipped = "not run: the run's time budget was used up"
    report.log(f"size {size:,}: N-Quads")
    nquads = nquads_file(size, plan.seed, reuse=plan.reuse)
    report.log(f"size {size:,}: {nquads.quads:,} quads ({nquads.note()}); on-disk store")
    specs = query_set(size, plan.seed)
    out = SizeRun(size, nquads, {}, {}, specs, plan.cap)
    stored = oxigraph_store(nquads, reuse=plan.reuse, cap=max(1.0, min(plan.load_cap, left())))
    if isinstance(stored, str):
        out.loads[DISK_LOAD] = stored
        report.log(f"size {size:,}: no store: {stored}")
        return out
    out.loads[DISK_LOAD + ("" if not stored.cached else f"; cached, built {stored.built} UTC")] = \
        (stored.seconds, stored.max_rss_mib or float("nan"), stored.quads)
    with_rdflib = size <= plan.rdflib_max
    if with_rdflib:  # beside rdflib's parse; at larger sizes only the store the server needs
        out.loads["pyoxigraph bulk_load (in memory)"] = child_load("oxigraph-memory", nquads.path, None,
                                                                   max(1.0, min(plan.load_cap, left())))
    store_path = checkpoint(stored, work / f"store-{size}")  # the server's (it opens it read-write)
    direct_path = checkpoint(stored, work / f"store-{size}-direct")
    settings = QuerySettings(repeats=plan.repeats, fast_repeats=plan.fast_repeats, budget=plan.budget, cap=plan.cap,
                             deadline=deadline)
    if left() <= 0:
        for name in (DIRECT, CKG) + (("rdflib Graph", PEER) if with_rdflib else ()):
            out.engines[name] = EngineRun(status=skipped, timings={s.name: Timing(status=skipped) for s in specs})
        return out
    report.log(f"size {size:,}: starting every engine")
    servers: list[Any] = []
    endpoints: list[Any] = []
    children: list[ChildEngine] = []
    http: list[HttpEngine] = []
    try:
        children.append(ChildEngine("direct", direct_path, settings, load_cap=plan.load_cap, log=report.log))
        if with_rdflib:
            children.append(ChildEngine("rdflib", nquads.path, settings, load_cap=plan.load_cap, log=report.log))
        bare = start_bare(work)
        servers.append(bare)
        server = start_conflictkg(store_path, work, query_timeout=plan.cap, ready_timeout=plan.load_cap)
        servers.append(server)
        if with_rdflib:
            try:
                endpoints.append(start_rdflib_endpoint(nquads.path, work, ready_timeout=plan.load_cap))
            except (RuntimeError, TimeoutError) as exc:
                out.engines[PEER] = EngineRun(status=str(exc),
                                              timings={s.name: Timing(status=f"not run: {exc}") for s in specs})

        def restart() -> str:
            endpoints[-1].stop()
            endpoints.append(start_rdflib_endpoint(nquads.path, work, ready_timeout=plan.load_cap))
            return str(endpoints[-1].base)

        ckg = HttpEngine("conflictkg", server.base, settings, log=report.log)
        http.append(ckg)
        peer = None
        if endpoints:
            peer = HttpEngine("rdflib-endpoint", endpoints[0].base, settings, log=report.log, restart=restart,
                              restarts=plan.endpoint_restarts)
            http.append(peer)
        bare_times: list[Timing] = []
        for spec in specs:
            report.log(f"size {size:,}: {spec.name}")
            children[0].measure(spec)
            ckg.measure(spec)
            bare_times.append(round_trip(bare.base, BARE_PATH, repeats=plan.bare_repeats, budget=plan.budget))
            if with_rdflib:
                children[1].measure(spec)
            if peer is not None:
                cap = decisive_cap(ckg.run.timings.get(spec.name), spec, plan)
                if cap is not None:
                    out.caps[spec.name] = cap
                peer.measure(spec, cap, last=spec is specs[-1])
        out.engines[DIRECT] = children[0].run
        out.engines[CKG] = ckg.run
        out.engines[CKG].max_rss_mib = server.rss_mib()
        if with_rdflib:
            out.engines["rdflib Graph"] = children[1].run
        if peer is not None:
            out.engines[PEER] = peer.run
            out.engines[PEER].load_s = endpoints[0].info.get("load_s")
            out.engines[PEER].max_rss_mib = endpoints[0].info.get("max_rss_mib")
        out.bare = Timing([x for t in bare_times if t.ok for x in t.samples], 0)
        for engine in children:
            engine.close()
        for ep in endpoints:
            ep.stop()
        if left() > 0:
            report.log(f"size {size:,}: conflictkg contradictions (the full export)")
            out.export = export_contradictions(direct_path, work, plan.load_cap)
        if size == plan.concurrency_size and 1 in plan.workers and left() > 0:
            concurrency.quads = out.quads
            concurrency.rows[1] = run_concurrency(server.base, specs, plan, report, workers=1)
    finally:
        for engine in children:
            engine.close()
        for h in http:
            h.close()
        for srv in servers + endpoints:
            srv.stop()
    for workers in (w for w in plan.workers if w > 1 and size == plan.concurrency_size and left() > 0):
        report.log(f"concurrency: {workers} server processes")
        try:
            many = start_conflictkg(store_path, work, query_timeout=plan.cap, workers=workers,
                                    ready_timeout=plan.load_cap)
        except (RuntimeError, TimeoutError) as exc:
            concurrency.rows[workers] = [("all", f"the server did not start: {exc}")]
            continue
        try:
            concurrency.rows[workers] = run_concurrency(many.base, specs, plan, report, workers=workers)
        finally:
            many.stop()
    for path in (store_path, direct_path, work / f"store-{size}-snapshots"):
        shutil.rmtree(path, ignore_errors=True)
    return out


def export_contradictions(store: Path, work: Path, cap: float) -> tuple[float, int] | str:
    """``conflictkg contradictions -o FILE`` on ``store`` in a fresh process (its start included): every stored
    contradiction and revision, the export the paged ``contradictions`` query leaves to the command line."""
    out = work / "contradictions.jsonl"
    env = {k: v for k, v in os.environ.items() if not k.startswith("CONFLICTKG_")}
    start = time.perf_counter()
    try:
        proc = subprocess.run([sys.executable, "-m", "conflictkg.cli", "--store", str(store), "--turtle-dir",
                               str(work / "no-turtle"), "contradictions", "-o", str(out)], cwd=str(work), env=env,
                              capture_output=True, text=True, timeout=cap, check=False)
    except subprocess.TimeoutExpired:
        return f"did not finish within {cap:.0f} s"
    seconds = time.perf_counter() - start
    if proc.returncode != 0:
        return f"failed: {proc.stderr.strip()[-300:]}"
    with open(out, encoding="utf-8") as fh:
        pairs = sum(1 for _ in fh)
    out.unlink()
    return seconds, pairs


def run_concurrency(base: str, specs: list[QuerySpec], plan: Plan, report: Report, *,
                    workers: int) -> list[tuple[str, Any]]:
    point = next(s for s in specs if s.name == "point lookup")
    targets = [("/sparql (point lookup)", "/sparql", {"query": point.text}),
               ("/graph neighbours (actor-event view)", GRAPH_NEIGHBOURS, {})]
    report.log(f"concurrency x{workers}: warming up (each process starts its query workers and builds its "
               "projection on first use)")
    warm: dict[str, int | str] = {}
    # Fresh connections land on any of the processes: enough of them reach every one.
    for _ in range(8 * workers):
        for label, path, params in targets:
            try:
                with Client(base, timeout=plan.load_cap) as client:
                    warm[label] = client.get(path, params=params).status_code
            except ClientError as exc:
                warm[label] = str(exc)
    out: list[tuple[str, Any]] = []
    for label, path, params in targets:
        if warm.get(label) != 200:
            out.append((label, f"warm-up failed: {warm.get(label)}"))
            continue
        for clients in plan.clients:
            res = run_load(base, path, params, clients=clients, seconds=plan.load_seconds, timeout=plan.cap)
            report.log(f"concurrency x{workers} {label} x{clients}: {res.throughput:.0f} req/s, {res.errors} errors")
            out.append((label, res))
    return out


def run_virtuoso(plan: Plan, work: Path, report: Report, deadline: float) -> list[virtuoso_bench.VirtuosoRun]:
    runs = []
    for size in plan.virtuoso_sizes:
        if time.monotonic() > deadline:
            runs.append(virtuoso_bench.VirtuosoRun(size, None, status="not run: the run's time budget was used up"))
            continue
        runs.append(virtuoso_bench.run(size, query_set(size, plan.seed), seed=plan.seed, repeats=plan.repeats,
                                       budget=plan.budget, cap=plan.cap, work=work, log=report.log,
                                       deadline=deadline, reuse=plan.reuse, fast_repeats=plan.fast_repeats))
    return runs


# --- ingest, validation, export ----------------------------------------------------------------


def run_ingest(plan: Plan, work: Path, report: Report) -> tuple[str, list[ingest_bench.IngestResult]]:
    results = []
    for size in plan.ingest_sizes:
        nquads = nquads_file(size, plan.seed, reuse=plan.reuse).path if size else None
        report.log(f"ingest: store of {size:,} triples")
        label = "empty (dictionary only)" if not size else f"{size:,} synthetic triples + dictionary"
        prof = plan.ingest_profile if size == max(plan.ingest_sizes) else 0
        results.append(ingest_bench.run(label, nquads, count=plan.ingest_count, seed=plan.seed, profile=prof,
                                        workdir=work))
        report.log(f"ingest: {results[-1].rate:.1f} articles/s")
    body = [ingest_bench.markdown(results), ""]
    last = results[-1]
    if last.profile:
        body.append(f"Where the time goes at {last.triples_before:,} triples (cProfile over {plan.ingest_profile} more "
                    f"articles, {last.profile_total:.1f} s in all, profiler overhead included; phases are cumulative "
                    "times of the Builder steps):\n")
        body.append("| phase | seconds | share |")
        body.append("|---|---:|---:|")
        for phase, cum in last.profile:
            body.append(f"| {phase} | {cum:.2f} | {100 * cum / last.profile_total:.0f}% |")
    return "\n".join(body), results


def _export_child(edges: int, queue: Any) -> None:  # pragma: no cover - child process
    import psutil

    from conflictkg.exports import FORMATS, write_export

    proc = psutil.Process()
    start = time.perf_counter()
    g = export_bench.synthetic_graph(edges)
    build = time.perf_counter() - start
    rows = []
    with tempfile.TemporaryDirectory(prefix="ckg-export-") as tmp:
        for fmt in ("graphml", "gexf"):
            before = proc.memory_info().rss
            peak = [before]
            done = threading.Event()

            def sample(done: threading.Event = done, peak: list[int] = peak) -> None:
                while not done.wait(0.05):
                    peak[0] = max(peak[0], proc.memory_info().rss)

            sampler = threading.Thread(target=sample, daemon=True)
            sampler.start()
            path = Path(tmp) / f"bench{FORMATS[fmt].suffix}"
            start = time.perf_counter()
            with open(path, "wb") as fh:
                size = write_export(g, fmt, fh)
            seconds = time.perf_counter() - start
            done.set()
            sampler.join()
            peak[0] = max(peak[0], proc.memory_info().rss)
            rows.append((fmt, g.number_of_nodes(), g.number_of_edges(), size, seconds, (peak[0] - before) / 2**20,
                         before / 2**20))
            path.unlink()
    queue.put((build, rows))


def run_export(plan: Plan, report: Report) -> str:
    report.log(f"export: {plan.export_edges:,} edges")
    ctx = mp.get_context("spawn")
    queue = ctx.Queue()
    proc = ctx.Process(target=_export_child, args=(plan.export_edges, queue))
    proc.start()
    deadline = time.monotonic() + plan.export_cap
    result = None
    while time.monotonic() < deadline and result is None:
        try:
            result = queue.get(timeout=1.0)
        except Exception:  # noqa: BLE001 - queue.Empty
            if not proc.is_alive() and queue.empty():
                break
    if result is None:
        proc.kill()
        proc.join()
        return f"Export of {plan.export_edges:,} edges did not finish within {plan.export_cap:.0f} s."
    proc.join()
    build, rows = result
    lines = [(f"Synthetic actor-event multigraph (`benchmarks/export.py`), built in {build:.1f} s; one timed write "
              "per format, with the process's RSS sampled every 50 ms during the write.\n"),
             "| format | nodes | edges | file size | export time | edges/s | RSS growth during the write | RSS before (graph in memory) |",
             "|---|---:|---:|---:|---:|---:|---:|---:|"]
    for fmt, nodes, edges, size, secs, growth, before in rows:
        lines.append(f"| {fmt} | {nodes:,} | {edges:,} | {size / 2**20:,.0f} MiB | {secs:,.1f} s | {edges / secs:,.0f} | "
                     f"{growth:,.0f} MiB | {before:,.0f} MiB |")
    return "\n".join(lines)


def run_validation(plan: Plan, report: Report) -> str:
    report.log(f"validation: per article against {plan.validation_triples:,} triples")
    per = validation_bench.run(plan.validation_triples, seed=plan.seed, samples=plan.validation_samples,
                               repeats=plan.validation_repeats, full=False, log=report.log)
    report.log(f"validation: whole store of {plan.full_validation_triples:,} triples (cap {plan.full_validation_cap:.0f} s)")
    full = validation_bench.run(plan.full_validation_triples, seed=plan.seed, samples=1, repeats=1,
                                full_timeout=plan.full_validation_cap, full=True, log=report.log)
    whole = (f"{full.full_seconds:.1f} s, {full.full_status}" if full.full_seconds is not None else full.full_status)
    return "\n".join([
        (f"Per-article SHACL gate (`validate_delta`: the article's graph plus the context it links to) against an "
         f"empty store and against {per.triples_large:,} triples; median of {plan.validation_samples} fresh articles "
         f"x {plan.validation_repeats} runs (`benchmarks/validation.py`).\n"),
        per.markdown(samples=plan.validation_samples, repeats=plan.validation_repeats, timeout=0).rsplit("\n", 2)[0],
        "",
        (f"Whole-store validation (`validate_store`: rdflib copy of the store, then pySHACL over everything) of "
         f"{full.triples_large:,} triples, capped at {plan.full_validation_cap:.0f} s: **{whole}**."),
    ]), per


# --- main ---------------------------------------------------------------------------------------


def ingest_intro(plan: Plan) -> str:
    return (
        f"Synthetic articles from `benchmarks/articles.py` (sentence templates written for the benchmark: attributed "
        "casualty claims with figures, hedges, denials, accusations relayed by agencies, spokespeople, dates; names "
        "from the curated dictionary) through `service.builder.ingest`: extraction, linking to stored events, the "
        f"SHACL gate and the store write, on on-disk pyoxigraph stores. {plan.ingest_count} articles timed one by one "
        "after one warm-up article; articles/s = articles / total time.")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="tiny sizes, a few seconds (smoke test)")
    parser.add_argument("--sizes", default=None, help="comma-separated triple counts for the query benchmarks")
    parser.add_argument("--virtuoso-sizes", default=None,
                        help="comma-separated sizes for Virtuoso in this run ('' for none; default 1M, or the tiny size "
                             "with --quick)")
    parser.add_argument("--out", default=str(ROOT / "BENCHMARKS.md"), help="the Markdown file to write")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--fresh", action="store_true", help="rebuild cached data, stores and Virtuoso databases")
    parser.add_argument("--workdir", default=None, help="where scratch files go (default: a temporary folder)")
    args = parser.parse_args(argv)
    plan = Plan.quick() if args.quick else Plan.full()
    plan.seed = args.seed
    plan.reuse = not args.fresh
    if args.sizes:
        plan.sizes = sorted(int(x) for x in args.sizes.replace("_", "").split(",") if x)
        if plan.concurrency_size not in plan.sizes:
            plan.concurrency_size = plan.sizes[min(1, len(plan.sizes) - 1)]
    if args.virtuoso_sizes is not None:
        plan.virtuoso_sizes = [int(x) for x in args.virtuoso_sizes.replace("_", "").split(",") if x]
    report = Report()
    started = dt.datetime.now(dt.UTC)
    if args.workdir:
        Path(args.workdir).mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="ckg-bench-", dir=args.workdir))
    command = ("python -m benchmarks" + (" --quick" if args.quick else "") + (f" --sizes {args.sizes}" if args.sizes else "")
               + (f" --virtuoso-sizes '{args.virtuoso_sizes}'" if args.virtuoso_sizes is not None else ""))
    try:
        report.section("Machine", fmt.machine(virtuoso_bench.version() if virtuoso_bench.available() else None))
        deadline = time.monotonic() + plan.total_budget
        concurrency = Concurrency()
        # Smallest sizes first: what the time budget does not allow is reported as not run.
        runs = [run_size(size, plan, work, report, deadline, concurrency) for size in sorted(plan.sizes)]
        ingest_text, ingest_results = run_ingest(plan, work, report)
        validation_text, _ = run_validation(plan, report)
        export_text = run_export(plan, report)
        report.log(f"load: {plan.load_clients} /graph readers, one write per second, {plan.load_triples:,} triples")
        load_result = load_bench.run(plan.load_triples, clients=plan.load_clients, seconds=plan.load_duration,
                                     seed=plan.seed, workdir=work, reuse=plan.reuse, log=report.log)
        virtuoso_runs = run_virtuoso(plan, work, report, deadline + plan.virtuoso_budget)
        verdicts = evaluate(runs, ingest_results, concurrency.rows, plan.concurrency_size)
        report.section("Targets", "\n".join(["| target | measured | result |", "|---|---|---|"]
                                            + [v.row() for v in verdicts]
                                            + ["| 5. Virtuoso beside conflictkg (no target) | see *Virtuoso* below | "
                                               "reported |"]))
        report.section("Data", fmt.data_text(runs, plan.seed))
        report.section("Bulk load", fmt.bulk_table(runs, plan.rdflib_max, virtuoso_runs))
        report.section("Query latency", fmt.query_intro(plan) + "\n\n" + fmt.query_tables(runs, plan.rdflib_max))
        report.section("Concurrent clients", fmt.concurrency_table(concurrency.rows, concurrency.quads))
        report.section("Reads under writes", load_bench.markdown([load_result]))
        report.section("Virtuoso", fmt.virtuoso_section(virtuoso_runs, {r.size: r for r in runs})
                       if virtuoso_runs else "Not run in this run: `python -m benchmarks.virtuoso`.")
        report.section("Extraction and ingest", ingest_intro(plan) + "\n\n" + ingest_text)
        report.section("SHACL validation", validation_text)
        report.section("Export", export_text)
        elapsed = time.perf_counter() - report.t0
        report.section("Reproduce", fmt.reproduce_text(command, started, elapsed))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    header = ("# conflictkg benchmarks\n\n"
              f"Written by `{command}` on {started:%Y-%m-%d %H:%M} UTC. Every number below is the one the "
              "command printed in that run; nothing was edited by hand.\n")
    Path(args.out).write_text(report.text(header), encoding="utf-8")
    report.log(f"wrote {args.out}")
    return 0
