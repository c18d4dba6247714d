"""Load test: many clients reading ``/graph`` while one client writes an article per second.

Issue 11, point 6: every write used to throw away the networkx projection and the next read
rebuilt it while every other read waited, so one write per second collapsed ``/graph``. Here a
``conflictkg serve`` over an on-disk store of synthetic articles (``benchmarks/generator.py``)
gets ``clients`` connections sending ``/graph`` neighbour requests back to back (the actor-event
view, through the suite's load generator, :mod:`benchmarks.loadgen`) and one writer that ingests a
fresh article (its graph and its event's graph, as the pipeline writes them) with one SPARQL
``INSERT DATA`` (token, SHACL gate, atomic commit) every ``write_interval`` seconds. Every non-200 answer, and every request without an answer within
the client timeout, is an error.

After the load, the time until the last write shows in ``/graph`` is measured (the projection is
rebuilt in the background while the old one keeps answering).

    python -m benchmarks.load --triples 300000 --clients 32 --seconds 30
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import Graph, URIRef
from rdflib.namespace import RDF

from .client import Client, ClientError
from .datasets import checkpoint, nquads_file, oxigraph_store
from .generator import GeneratorConfig, _articles_for, article_graphs
from .loadgen import run_load
from .servers import start_conflictkg

__all__ = ["LoadResult", "run", "markdown", "main"]

TOKEN = "benchmark-load-token"
#: What the readers ask for (the neighbourhood the suite's concurrency benchmark reads too).
READ_PATH = "/graph/nodes/actor.a20/neighbours"
#: Seconds a request may take before the client counts it as an error.
CLIENT_TIMEOUT = 60.0
#: Seconds to wait, after the load, for the last write to show in /graph.
FRESHNESS_CAP = 120.0
CKG = "https://w3id.org/conflictkg/ontology#"


@dataclass
class LoadResult:
    triples: int
    clients: int
    seconds: float
    write_interval: float
    requests: int = 0
    errors: int = 0
    latencies: list[float] = field(default_factory=list)
    writes: int = 0
    write_errors: int = 0
    write_latencies: list[float] = field(default_factory=list)
    visible_after: float | None = None
    """Seconds from the end of the load until the last write showed in /graph (None: not within the cap)."""
    error_samples: list[str] = field(default_factory=list)

    @property
    def throughput(self) -> float:
        """Successful reads per second."""
        return (self.requests - self.errors) / self.seconds if self.seconds else 0.0

    @staticmethod
    def percentile(values: list[float], q: float) -> float:
        s = sorted(values)
        return s[min(len(s) - 1, round(q * (len(s) - 1)))] if s else float("nan")


def _store(work: Path, triples: int, seed: int, reuse: bool) -> Path:
    """A private copy of the cached benchmark store of ``triples`` (the load test writes into it)."""
    store = oxigraph_store(nquads_file(triples, seed, reuse=reuse), reuse=reuse)
    if isinstance(store, str):
        raise RuntimeError(f"no store of {triples:,} triples: {store}")
    return checkpoint(store, work / f"load-store-{triples}")


def _insert_data(graphs: dict[URIRef, Graph]) -> bytes:
    """One SPARQL ``INSERT DATA`` writing every graph of an ingest at once (one atomic, validated write)."""
    blocks = "".join(f"GRAPH <{name}> {{\n{graph.serialize(format='nt')}}}\n" for name, graph in graphs.items())
    return f"INSERT DATA {{\n{blocks}}}\n".encode("utf-8")


def _claim_edges(graph: Graph) -> tuple[str, set[str]]:
    """An event the article reports (its node id) and the slugs of its claims about it (the ``claim``
    attribute of their edges in the actor-event view; see conflictkg.projection)."""
    from conflictkg.projection import node_id

    claims = set(graph.subjects(RDF.type, URIRef(CKG + "Claim")))
    event = sorted(str(e) for c in claims for e in graph.objects(c, URIRef(CKG + "about")))[0]
    return node_id(event), {node_id(str(c)) for c in claims if (c, URIRef(CKG + "about"), URIRef(event)) in graph}


def run(triples: int, *, clients: int = 32, seconds: float = 30.0, write_interval: float = 1.0, seed: int = 1,
        workdir: Path | None = None, reuse: bool = True, log: Callable[[str], None] = print) -> LoadResult:
    """Build the store, start the server, run the load, and measure; the server is stopped at the end."""
    result = LoadResult(triples, clients, seconds, write_interval)
    with tempfile.TemporaryDirectory(prefix="ckg-load-", dir=workdir) as tmp:
        work = Path(tmp)
        log(f"load: a store of {triples:,} triples")
        store = _store(work, triples, seed, reuse)
        stored = _articles_for(triples, GeneratorConfig())
        writes_needed = int(seconds / write_interval) + 2
        fresh = list(article_graphs(triples, seed, range(stored, stored + writes_needed)))
        server = start_conflictkg(store, work, query_timeout=CLIENT_TIMEOUT, token=TOKEN)
        try:
            base = server.base
            with Client(base, timeout=600.0) as warm:  # the first read builds the projection
                status = warm.get(READ_PATH, params={"view": "actor-event"}).status_code
                if status != 200:
                    raise RuntimeError(f"warm-up read answered {status}")
            log(f"load: {clients} readers and one write every {write_interval:g} s for {seconds:g} s")
            _load(base, fresh, result)
            result.visible_after = _visible_after(base, next(iter(fresh[result.writes - 1].values())) if result.writes else None)
        finally:
            server.stop()
    return result


def _load(base: str, fresh: list[dict[URIRef, Graph]], result: LoadResult) -> None:
    """The readers (the load generator, in this thread) and the writer (its own thread) at once."""
    started = threading.Event()
    stop = threading.Event()

    def writer() -> None:
        headers = {"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/sparql-update"}
        with Client(base, timeout=CLIENT_TIMEOUT) as c:
            started.wait()
            start = time.perf_counter()
            for graphs in fresh:
                name = next(iter(graphs))
                due = start + result.writes * result.write_interval
                if stop.wait(max(0.0, due - time.perf_counter())):
                    break
                begin = time.perf_counter()
                try:
                    answer = c.request("POST", "/update", body=_insert_data(graphs), headers=headers)
                    ok = answer.status_code in (200, 201, 204)
                    if not ok and len(result.error_samples) < 5:
                        result.error_samples.append(f"INSERT DATA {name}: {answer.status_code} {answer.text[:300]}")
                except ClientError as exc:
                    ok = False
                    if len(result.error_samples) < 5:
                        result.error_samples.append(f"INSERT DATA {name}: {exc}")
                result.write_latencies.append(time.perf_counter() - begin)
                result.writes += 1
                result.write_errors += not ok

    thread = threading.Thread(target=writer)
    thread.start()
    started.set()
    try:
        readers = run_load(base, READ_PATH, {"view": "actor-event"}, clients=result.clients, seconds=result.seconds,
                           timeout=CLIENT_TIMEOUT)
    finally:
        stop.set()
        thread.join()
    result.seconds = readers.seconds
    result.requests = readers.requests
    result.errors = readers.errors
    result.latencies = readers.latencies
    if readers.first_error:
        result.error_samples.insert(0, f"GET {READ_PATH}: {readers.first_error}")


def _visible_after(base: str, last: Graph | None) -> float | None:
    """Seconds until the claims of the last written article are edges of the actor-event view."""
    if last is None:
        return None
    event, wanted = _claim_edges(last)
    start = time.perf_counter()
    with Client(base, timeout=CLIENT_TIMEOUT) as c:
        while time.perf_counter() - start < FRESHNESS_CAP:
            try:
                answer = c.get(f"/graph/nodes/{event}/neighbours", params={"view": "actor-event"})
            except ClientError:
                continue
            if answer.status_code == 200 and wanted <= {e["attributes"].get("claim") for e in answer.json()["edges"]}:
                return time.perf_counter() - start
            time.sleep(0.1)
    return None


def _ms(seconds: float) -> str:
    v = 1000 * seconds
    return f"{v:,.0f} ms" if v >= 100 else f"{v:.1f} ms"


def markdown(results: list[LoadResult]) -> str:
    lines = [
        "`benchmarks/load.py`: `conflictkg serve` over an on-disk store of synthetic articles; reader connections "
        f"(the suite's load generator) send `GET {READ_PATH}` (actor-event view) back to back while one writer ingests a fresh article (its graph and its event's graph in one SPARQL INSERT DATA: token, SHACL gate, "
        "atomic commit) once per interval. Errors: any non-200 read, failed write, or request without an answer "
        f"within {CLIENT_TIMEOUT:.0f} s. 'Last write visible' is the time, after the load stopped, until the last "
        "article's claims were edges of `/graph` (the projection is rebuilt in the background while the old one "
        "answers).\n",
        "| triples | readers | writes | read requests | read errors | write errors | throughput | median | p95 | "
        "p99 | write p50 | write p99 | last write visible |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        visible = "not within the cap" if r.visible_after is None else f"after {r.visible_after:.1f} s"
        lines.append(
            f"| {r.triples:,} | {r.clients} | {r.writes} (1 per {r.write_interval:g} s) | {r.requests:,} | {r.errors} | "
            f"{r.write_errors} | {r.throughput:,.1f} req/s | {_ms(r.percentile(r.latencies, 0.5))} | "
            f"{_ms(r.percentile(r.latencies, 0.95))} | {_ms(r.percentile(r.latencies, 0.99))} | "
            f"{_ms(r.percentile(r.write_latencies, 0.5))} | {_ms(r.percentile(r.write_latencies, 0.99))} | {visible} |")
    samples = [s for r in results for s in r.error_samples]
    if samples:
        lines.append("")
        lines.append("First errors: " + "; ".join(f"`{s}`" for s in samples[:5]))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.load", description=__doc__.split("\n\n")[0])
    parser.add_argument("--triples", type=int, default=300_000)
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--write-interval", type=float, default=1.0)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    result = run(args.triples, clients=args.clients, seconds=args.seconds, write_interval=args.write_interval,
                 seed=args.seed, log=lambda m: print(m, file=sys.stderr, flush=True))
    print("## Load: /graph reads under one write per second\n\n" + markdown([result]))
    return 0 if not (result.errors or result.write_errors) else 1


if __name__ == "__main__":
    raise SystemExit(main())
