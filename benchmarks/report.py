"""The Markdown of ``BENCHMARKS.md``: number formats and the tables, from the measurements of one run."""

from __future__ import annotations

import datetime as dt
import os
import platform
from collections.abc import Mapping, Sequence
from importlib import metadata
from pathlib import Path
from typing import Any

from .numbers import human, ms, times
from .queries import Timing
from .targets import CKG, DIRECT, PEER, overheads, peer_ratio

__all__ = ["bulk_table", "cell", "concurrency_table", "human", "machine", "ms", "query_tables", "times",
           "virtuoso_section"]  # human, ms, times: from .numbers

ENGINES = (DIRECT, CKG, "rdflib Graph", PEER)


def cell(t: Timing | None) -> str:
    if t is None:
        return "not run"
    if not t.ok:
        return t.status
    if t.cold:
        return f"{ms(t.median)} (one cold run)"
    spread = f"p95 {ms(t.p95)}" if len(t.samples) >= 5 else f"{ms(min(t.samples))}-{ms(max(t.samples))}"
    return f"{ms(t.median)} ({spread}; n={len(t.samples)})"


def versions() -> str:
    names = ["pyoxigraph", "rdflib", "rdflib-endpoint", "pyshacl", "fastapi", "uvicorn", "httptools", "uvloop",
             "networkx"]
    out = []
    for n in names:
        try:
            out.append(f"{n} {metadata.version(n)}")
        except metadata.PackageNotFoundError:
            out.append(f"{n} (not installed)")
    return ", ".join(out)


def machine(virtuoso_version: str | None) -> str:
    cpu = platform.processor() or "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        import psutil

        ram = f"{psutil.virtual_memory().total / 2**30:.1f} GiB"
        load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    except Exception:  # noqa: BLE001
        ram, load = "unknown", "unknown"
    return "\n".join([
        "| | |", "|---|---|",
        f"| CPU | {cpu} |",
        f"| cores | {os.cpu_count()} |",
        f"| RAM | {ram} |",
        f"| OS | {platform.system()} {platform.release()} |",
        f"| Python | {platform.python_version()} ({platform.python_implementation()}) |",
        f"| libraries | {versions()} |",
        f"| Virtuoso | {virtuoso_version or 'not installed'} |",
        f"| load average at start | {load} (the machine is shared; ratios are measured side by side in one run) |",
    ])


def data_text(runs: Sequence[Any], seed: int) -> str:
    lines = [(f"Synthetic graphs from `benchmarks/generator.py` (seed {seed}), following docs/model.md: one "
              "named graph per article with its claims, figures, evidence spans, events and actors, and a dictionary "
              "graph; Zipf-skewed claimants and places, about three reports per event. Written as N-Quads and "
              "cached in `benchmarks/out/` by generator version, seed and size (`benchmarks/datasets.py`).\n"),
             "| requested | quads written | N-Quads size | generation time |", "|---:|---:|---:|---:|"]
    for r in runs:
        size = r.nquads.path.stat().st_size if r.nquads.path.exists() else 0
        lines.append(f"| {r.size:,} | {r.nquads.quads:,} | {size / 2**20:,.0f} MiB | {r.nquads.seconds:.1f} s "
                     f"({r.nquads.note()}) |")
    return "\n".join(lines)


def bulk_table(runs: Sequence[Any], rdflib_max: int, virtuoso: Sequence[Any] = ()) -> str:
    lines = ["| triples (quads) | engine | load time | peak RSS of the loading process | load rate |",
             "|---|---|---:|---:|---:|"]
    rdflib_rate: float | None = None
    loaded = {v.size: v.database for v in virtuoso if v.database is not None}
    for r in runs:
        rows: list[tuple[str, Any]] = list(r.loads.items())
        for name in ("rdflib Graph", PEER):
            e = r.engines.get(name)
            if e is not None and e.load_s is not None:
                rows.append((f"{name}: `Dataset.parse` (N-Quads)", (e.load_s, e.max_rss_mib or float("nan"), r.quads)))
                rdflib_rate = r.quads / e.load_s
            elif r.size > rdflib_max and name == "rdflib Graph":
                est = f"not run (> {rdflib_max:,} triples)"
                if rdflib_rate:
                    est += f"; at the smaller size's rate about {r.quads / rdflib_rate:,.0f} s"
                rows.append((f"{name}: `Dataset.parse`", est))
        if r.size in loaded:
            db = loaded[r.size]
            when = f"cached, loaded {db.built} UTC" if db.cached else "loaded in this run"
            rows.append((f"Virtuoso bulk loader (`ld_dir` + 2 x `rdf_loader_run`, checkpoint; {when})",
                         (db.seconds, float("nan"), db.quads)))
        for name, v in rows:
            if isinstance(v, str):
                lines.append(f"| {r.quads:,} | {name} | {v} | | |")
            else:
                secs, rss, n = v
                rss_text = "" if rss != rss else f"{rss:,.0f} MiB"  # NaN: not measured
                lines.append(f"| {r.quads:,} | {name} | {secs:,.1f} s | {rss_text} | {n / secs:,.0f} quads/s |")
    return "\n".join(lines)


def query_intro(plan: Any) -> str:
    return (
        "Median latency, with p95 when there are at least 5 timed runs (else min-max), and n the number of timed "
        f"runs after one warm-up run that is not counted. Up to {plan.repeats} timed runs per query and engine "
        f"({plan.fast_repeats} when the warm-up took under 20 ms), fewer when runs are slow (about {plan.budget:.0f} s "
        f"of timed runs per query). A query whose first run takes more than {plan.budget:.0f} s is not repeated: "
        f"*one cold run* is that first run, caches cold. A run longer than {plan.cap:.0f} s is stopped and reported "
        f"as not finished (rdflib in-process; rdflib-endpoint's server is restarted, at most {plan.endpoint_restarts} "
        f"times; conflictkg's own time limit is set to {plan.cap:.0f} s). What is timed is producing the SPARQL JSON "
        "result (in-process engines) or receiving all of it (HTTP engines), not parsing it. "
        "Each query is timed on every engine in turn before the next query (the loads of a shared machine "
        "drift; engines compared query by query see the same drift). "
        "Engines: **pyoxigraph direct** (a checkpoint of the same on-disk store opened read-only, as conflictkg's "
        "query workers do, queried in-process over its default graph (the union of the named graphs, stored as "
        "conflictkg keeps it) with the parameters as "
        "`substitutions`, results serialised to SPARQL JSON by pyoxigraph: the floor); **conflictkg** (real HTTP "
        "to `conflictkg serve` on loopback: analyst queries at `/queries/{name}?event=...`, shapes at "
        "`/sparql?query=...`); **rdflib Graph** (an in-memory rdflib `Dataset` with the union default graph, "
        "parameters as `initBindings`); **rdflib-endpoint** (its own uvicorn server over the same data, parameters "
        "inlined as a `VALUES` block). Every HTTP engine is timed through the same client: one keep-alive connection "
        "of Python's standard `http.client` (`benchmarks/client.py`). *server-side* is the median time conflictkg's "
        "app reports for the same requests in its `Server-Timing` header (from the request reaching the app to the "
        "response start, so without HTTP parsing and the socket). *overhead* is conflictkg - pyoxigraph direct - "
        "the round trip of a bare FastAPI + uvicorn route that does nothing (`benchmarks/servers.py`, the same "
        "client and server settings, measured in the same run). Analyst queries are bound to an event and an actor "
        "that exist at every size; `contradictions` runs over all events and, as *one event*, bound to the same "
        "event. When conflictkg takes long enough that a "
        f"{plan.cap:.0f} s cap could not show a 10x speed-up, rdflib-endpoint gets 10x conflictkg's median (at most "
        f"{plan.decisive_cap:.0f} s) for that query instead. Rows: result rows (per engine if they differ).")


def query_tables(runs: Sequence[Any], rdflib_max: int) -> str:
    out: list[str] = []
    for r in runs:
        out.append(f"### {r.quads:,} triples\n")
        out.append("| query | rows | " + " | ".join(ENGINES) + " | rdflib-endpoint / conflictkg | conflictkg server-side "
                   "| server-side / direct | overhead over the bare route |")
        out.append("|---|---:|" + "---:|" * len(ENGINES) + "---:|---:|---:|---:|")
        over = {s.name: o for s, o, _n in overheads(r)}
        for spec in r.specs:
            ts = {name: r.engines[name].timings.get(spec.name) if name in r.engines else None for name in ENGINES}
            rows = {name: t.rows for name, t in ts.items() if t is not None and t.ok}
            row_cell = str(rows.get(CKG, rows.get(DIRECT, "")))
            if len(set(rows.values())) > 1:
                row_cell += " (" + ", ".join(f"{k.split()[0]} {v}" for k, v in rows.items()) + ")"
            cells = [cell(ts[name]) if name in r.engines else
                     (f"not run (> {rdflib_max:,} triples)" if name.startswith("rdflib") else "not run")
                     for name in ENGINES]
            x, lower = peer_ratio(ts[PEER], ts[CKG], r.caps.get(spec.name, r.cap))
            ratio = "" if x is None else (">" if lower else "") + times(x)
            server = r.engines[CKG].server.get(spec.name) if CKG in r.engines else None
            d = ts[DIRECT]
            vs_direct = times(server / d.median) if server is not None and d is not None and d.ok else ""
            label = f"{spec.name} (analyst query)" if spec.kind == "named" else spec.name
            out.append(f"| {label} | {row_cell} | " + " | ".join(cells) + f" | {ratio} | "
                       f"{'' if server is None else ms(server)} | {vs_direct} | "
                       f"{ms(over[spec.name]) if spec.name in over else ''} |")
        out.append("")
        mem = [f"{n}: {r.engines[n].max_rss_mib:,.0f} MiB" for n in ENGINES
               if n in r.engines and r.engines[n].max_rss_mib]
        notes = [f"{n}: {r.engines[n].status}" for n in ENGINES if n in r.engines and r.engines[n].status != "ok"]
        if mem:
            out.append("Memory (peak RSS of the engine's process; conflictkg: server plus query workers): "
                       + "; ".join(mem) + ".")
        if notes:
            out.append("Notes: " + "; ".join(notes) + ".")
        if r.bare is not None:
            out.append(f"Round trip of the bare FastAPI + uvicorn route (`GET /nothing`, same client): {cell(r.bare)}.")
        if isinstance(r.export, tuple):
            out.append(f"Every stored contradiction and revision, exported by `conflictkg contradictions -o FILE` "
                       f"(a fresh process, its start included; no target): {r.export[1]:,} pairs in "
                       f"{r.export[0]:,.1f} s. The `contradictions` query above answers its first page "
                       "(`/queries/{name}` pages with `limit`/`offset`, 1,000 rows by default).")
        elif r.export:
            out.append(f"`conflictkg contradictions -o FILE`: {r.export}.")
        out.append("")
    return "\n".join(out)


def concurrency_table(concurrency: Mapping[int, Sequence[tuple[str, Any]]], quads: int | None) -> str:
    if not concurrency:
        return "Not run."
    lines = [f"conflictkg over {quads or 0:,} triples; every client is one keep-alive connection sending its next "
             "request as soon as the answer is in (`benchmarks/loadgen.py`: one asyncio loop on the same machine, "
             "sharing its cores with the server; *client CPU* is the CPU time the load generator itself used per "
             "request). Workers: `conflictkg serve --workers N` (one writer and N-1 readers of its published "
             "snapshots, one port, `SO_REUSEPORT`).\n",
             "| endpoint | workers | clients | requests | errors | throughput | median | p95 | p99 | client CPU |",
             "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for workers, rows in sorted(concurrency.items()):
        for label, res in rows:
            if isinstance(res, str):
                lines.append(f"| {label} | {workers} | | | | {res} | | | | |")
                continue
            err = f"{res.errors}" + (f" ({res.first_error})" if res.errors else "")
            lines.append(f"| {label} | {workers} | {res.clients} | {res.requests:,} | {err} | "
                         f"{res.throughput:,.0f} req/s | {ms(res.percentile(0.5))} | {ms(res.percentile(0.95))} | "
                         f"{ms(res.percentile(0.99))} | {res.client_cpu_us:.0f} us/req |")
    return "\n".join(lines)


def virtuoso_section(runs: Sequence[Any], embedded: Mapping[int, Any]) -> str:
    """Virtuoso beside conflictkg: ``runs`` are :class:`.virtuoso.VirtuosoRun`, ``embedded`` the main
    run's :class:`SizeRun` by size (for conflictkg's embedded numbers; may be empty)."""
    out = [("Virtuoso 7 (Debian's `virtuoso-opensource-7`) on its own scratch database, loaded from the same N-Quads "
            "file with its bulk loader (`benchmarks/virtuoso.py`); queried at its `/sparql` (default graph: every "
            "graph) with the parameters inlined as a `VALUES` block, through the same client. "
            "*conflictkg --backend remote*: `conflictkg serve` with that Virtuoso as its store (the same requests as "
            "the embedded server). Ratios: Virtuoso / conflictkg embedded (above 1: conflictkg is faster).\n")]
    for v in runs:
        if v.database is None:
            out.append(f"### {v.size:,} requested triples\n\n{v.status}\n")
            continue
        db = v.database
        out.append(f"### {db.quads:,} triples\n")
        out.append(f"Load: {db.seconds:,.1f} s ({'cached database, loaded ' + db.built + ' UTC' if db.cached else 'loaded in this run'}; "
                   f"{db.buffers:,} buffers of 8 KiB). Virtuoso's RSS after the queries: "
                   f"{'' if v.rss_mib is None else f'{v.rss_mib:,.0f} MiB'}.\n")
        base = embedded.get(v.size)
        cols = ["Virtuoso", "conflictkg --backend remote"]
        out.append("| query | rows | Virtuoso | conflictkg --backend remote | conflictkg embedded | "
                   "Virtuoso / conflictkg embedded |")
        out.append("|---|---:|---:|---:|---:|---:|")
        specs = next((e for e in v.engines.values()), None)
        names = list(specs.timings) if specs is not None else []
        for name in names:
            ts = {c: v.engines[c].timings.get(name) if c in v.engines else None for c in cols}
            ours = base.engines[CKG].timings.get(name) if base is not None and CKG in base.engines else None
            rows = {c: t.rows for c, t in ts.items() if t is not None and t.ok}
            if ours is not None and ours.ok:
                rows["embedded"] = ours.rows
            row_cell = str(rows.get("Virtuoso", ""))
            if len(set(rows.values())) > 1:
                row_cell += " (" + ", ".join(f"{k.split()[0]} {n}" for k, n in rows.items()) + ")"
            virt = ts["Virtuoso"]
            ratio = times(virt.median / ours.median) if virt is not None and virt.ok and ours is not None and ours.ok else ""
            out.append(f"| {name} | {row_cell} | {cell(virt)} | {cell(ts['conflictkg --backend remote'])} | "
                       f"{cell(ours) if base is not None else 'not in this run'} | {ratio} |")
        notes = [f"{c}: {v.engines[c].status}" for c in cols if c in v.engines and v.engines[c].status != "ok"]
        if v.status != "ok":
            notes.append(v.status)
        if notes:
            out.append("\nNotes: " + "; ".join(notes) + ".")
        out.append("")
    return "\n".join(out)


def reproduce_text(command: str, started: dt.datetime, elapsed: float) -> str:
    return "\n".join([
        f"This file: `{command}` (from the repository root, with the `test` extra installed: "
        "`pip install -e '.[test]'`); it took {:.0f} s, started {:%H:%M} UTC.".format(elapsed, started),
        "",
        "```",
        "python -m benchmarks                                  # everything, writes BENCHMARKS.md",
        "python -m benchmarks --quick --out /tmp/bench.md      # tiny sizes (the smoke test)",
        "python -m benchmarks --sizes 100000,1000000           # query benchmarks at chosen sizes",
        "python -m benchmarks.datasets --sizes 1000000,10000000      # build the cached data and stores",
        "python -m benchmarks.virtuoso --sizes 1000000,10000000      # Virtuoso alone (and conflictkg on it)",
        "python -m benchmarks.generator --triples 1000000 -o kg.nq   # the synthetic graph alone",
        "python -m benchmarks.loadgen 'http://127.0.0.1:8000/sparql?query=ASK%7B%7D' --clients 8",
        "python -m benchmarks.articles --count 3               # synthetic articles",
        "python -m benchmarks.ingest --triples 1000000 --count 40 --profile 10",
        "python -m benchmarks.validation --triples 1000000",
        "python -m benchmarks.export --edges 1000000",
        "```",
    ])
