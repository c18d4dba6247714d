"""Where a request's time goes in conflictkg's HTTP path: cProfile of the server's event loop, per request.

The server (the unchanged app over a checkpoint of the cached store, uvicorn with the settings
of ``conflictkg serve``) runs in a child process with cProfile on its main thread, which is
where the event loop runs routing, screening, the hand-off to the query worker and the
response. A client sends ``--requests`` GETs of one query back to back; then the profile is
grouped by where the code lives (uvicorn/httptools, starlette/fastapi, conflictkg's API,
screening, the worker pool, ...) and printed as microseconds per request. Time the loop spends
waiting for the worker is ``select``/``epoll``, reported apart. The query worker's own share
(pyoxigraph, then conflictkg's Python JSON encoding) is measured in-process with
``conflictkg.sparql.worker.run_task`` against pyoxigraph's native serializer.

cProfile times with ``time.thread_time``: CPU time of the server's main thread, so another
program's load on a shared machine does not show up as our time (with a wall clock, a write to
the socket that lets the client run first looked like 300 us of ``send``). cProfile slows Python
code down (roughly 2-3x with this timer), so the shares matter, not the totals; the client's round
trip and ``Server-Timing`` are measured without the profiler first. ``--queries`` takes names of
the benchmark's queries or paths of the app (``/graph/nodes/actor.a20/neighbours``), separated by ``|``.

    python -m benchmarks.httpprofile --triples 1000000 --requests 2000 --queries "casualty-figures|/graph/nodes/actor.a20/neighbours"
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from .client import Client
from .datasets import checkpoint, nquads_file, oxigraph_store
from .queries import QuerySpec, query_set
from .servers import ROOT, _env, _wait_ready, free_port, Server, start_bare, BARE_PATH

__all__ = ["main"]

#: (label, substring of the code's file path), first match wins; the rest is "other".
GROUPS = (
    ("waiting for the worker or the socket (epoll/select)", "{method 'poll'"),
    ("waiting (epoll)", "select.epoll"),
    ("conflictkg: query screen", "conflictkg/sparql/screen.py"),
    ("conflictkg: worker pool (pipe, pickle)", "conflictkg/sparql/pool.py"),
    ("conflictkg: engine (task, snapshot)", "conflictkg/sparql/engine.py"),
    ("conflictkg: snapshots", "conflictkg/sparql/snapshot.py"),
    ("conflictkg: named queries (binding)", "conflictkg/sparql/named.py"),
    ("conflictkg: formats/negotiation", "conflictkg/sparql/formats.py"),
    ("conflictkg: API routes", "conflictkg/api/"),
    ("rdflib (parsing, terms)", "rdflib/"),
    ("pickle / multiprocessing.connection", "multiprocessing/"),
    ("fastapi", "fastapi/"),
    ("starlette", "starlette/"),
    ("pydantic", "pydantic"),
    ("uvicorn (protocol, httptools)", "uvicorn/"),
    ("asyncio / uvloop", "asyncio/"),
)


def _serve(store: str, port: int, out: str) -> None:  # pragma: no cover - child process
    import uvicorn

    from conflictkg.api.app import create_app
    from conflictkg.config import Settings
    from conflictkg.service import GraphService

    settings = Settings.from_env(store=Path(store), query_timeout=60.0, max_rows=1_000_000, host="127.0.0.1",
                                 port=port)
    with GraphService(settings=settings) as service:
        app = create_app(service)
        config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", access_log=False,
                                http="httptools", loop="auto")
        server = uvicorn.Server(config)
        state: dict[str, Any] = {"n": 0, "profile": None}

        def start(*_: object) -> None:
            state["profile"] = cProfile.Profile(time.thread_time)  # CPU, not wall: the machine is shared
            state["profile"].enable()

        def stop(*_: object) -> None:
            state["profile"].disable()
            state["profile"].dump_stats(f"{out}.{state['n']}")
            state["n"] += 1

        signal.signal(signal.SIGUSR1, start)
        signal.signal(signal.SIGUSR2, stop)
        server.run()


def _group(stats: pstats.Stats, requests: int) -> list[tuple[str, float]]:
    totals: dict[str, float] = {}
    for (file, _line, func), (_cc, _nc, tottime, _ct, _callers) in stats.stats.items():  # type: ignore[attr-defined]
        where = f"{file}:{func}"
        label = next((g for g, needle in GROUPS if needle in where), "other (stdlib, builtins)")
        totals[label] = totals.get(label, 0.0) + tottime
    return sorted(((k, 1e6 * v / requests) for k, v in totals.items()), key=lambda kv: -kv[1])


def _tables(stats: pstats.Stats, requests: int) -> list[str]:
    lines = ["Server main thread under cProfile, CPU microseconds per request (`time.thread_time`):\n", "| where | us per request |",
             "|---|---:|"]
    lines += [f"| {label} | {us:.0f} |" for label, us in _group(stats, requests)]
    lines += ["", "Top functions by own time:\n", "| function | calls per request | own us per request |",
              "|---|---:|---:|"]
    top = sorted(stats.stats.items(), key=lambda kv: -kv[1][2])[:20]  # type: ignore[attr-defined]
    for (file, line, func), (_cc, nc, tottime, _ct, _callers) in top:
        short = file.split("site-packages/")[-1].split("/src/")[-1]
        lines.append(f"| `{short}:{line}({func})` | {nc / requests:.1f} | {1e6 * tottime / requests:.1f} |")
    return lines + [""]


def _worker_share(store_path: Path, spec: QuerySpec, runs: int) -> dict[str, float]:
    """Median microseconds: pyoxigraph query + native JSON; the worker's ``run_task`` on the text the
    screen writes (its outermost LIMIT within the row cap); the same with the rows counted in Python."""
    import pyoxigraph as ox

    from conflictkg.config import DEFAULT_MAX_ROWS
    from conflictkg.sparql.screen import screen_query
    from conflictkg.sparql.worker import Task, run_task

    store = ox.Store.read_only(str(store_path))
    subs = {ox.Variable(k): ox.NamedNode(v) for k, v in spec.bindings.items()} or None
    text, check = screen_query(spec.text, ()).to_run(DEFAULT_MAX_ROWS)
    task = Task(None, text, "application/sparql-results+json", DEFAULT_MAX_ROWS, check,
                substitutions={k: ox.NamedNode(v) for k, v in spec.bindings.items()} or None)
    native, worker, counted = [], [], []
    for _ in range(runs):
        t = time.perf_counter()
        store.query(spec.text, substitutions=subs).serialize(format=ox.QueryResultsFormat.JSON)  # type: ignore[union-attr]
        native.append(time.perf_counter() - t)
        t = time.perf_counter()
        answer = run_task(store, task)
        worker.append(time.perf_counter() - t)
        assert answer[0] == "ok", answer
        t = time.perf_counter()
        answer = run_task(store, task._replace(check="stream"))
        counted.append(time.perf_counter() - t)
    return {"pyoxigraph query + native JSON": 1e6 * statistics.median(native),
            f"worker run_task ({check})": 1e6 * statistics.median(worker),
            "worker run_task (rows counted, Python JSON)": 1e6 * statistics.median(counted)}


def profile(size: int, names: list[str], requests: int, seed: int = 1) -> str:
    stored = oxigraph_store(nquads_file(size, seed))
    assert not isinstance(stored, str), stored
    specs = {s.name: s for s in query_set(size, seed)}
    lines = [f"Store of {stored.quads:,} quads; {requests} requests per query, one keep-alive client.\n"]
    with tempfile.TemporaryDirectory(prefix="ckg-prof-") as tmp:
        work = Path(tmp)
        store_path = checkpoint(stored, work / "store")
        port = free_port()
        out = work / "server.prof"
        proc = subprocess.Popen([sys.executable, "-m", "benchmarks.httpprofile", "--serve", str(store_path), str(port),
                                 str(out)], env=_env(), cwd=str(ROOT))
        server = Server("conflictkg (profiled)", proc, f"http://127.0.0.1:{port}", work / "log")
        _wait_ready(server, "/sparql?query=ASK%7B%7D", 300)
        bare = start_bare(work)
        try:
            with Client(bare.base, timeout=30) as c:
                for _ in range(50):
                    c.get(BARE_PATH)
                rt = []
                for _ in range(300):
                    t = time.perf_counter()
                    c.get(BARE_PATH)
                    rt.append(time.perf_counter() - t)
            lines.append(f"Bare FastAPI route round trip: {1e6 * statistics.median(rt):.0f} us.\n")
            names_done: list[str] = []
            for name in names:
                spec = specs.get(name)
                if spec is None:  # a path of the app as it is (e.g. the /graph request of the concurrency benchmark)
                    path, params = name, {}
                else:
                    path, params = ((f"/queries/{spec.query}", dict(spec.bindings)) if spec.kind == "named"
                                    else ("/sparql", {"query": spec.text}))
                with Client(server.base, timeout=60, headers={"Accept": "application/sparql-results+json"}) as c:
                    for _ in range(50):
                        c.get(path, params=params)
                    rt, st = [], []
                    for _ in range(min(requests, 500)):
                        t = time.perf_counter()
                        r = c.get(path, params=params)
                        rt.append(time.perf_counter() - t)
                        st.append((r.server_ms() or 0) / 1000)
                    os.kill(proc.pid, signal.SIGUSR1)
                    time.sleep(0.2)
                    for _ in range(requests):
                        c.get(path, params=params)
                    os.kill(proc.pid, signal.SIGUSR2)
                    time.sleep(0.2)
                share = _worker_share(stored.path, spec, 50) if spec is not None else {}
                lines.append(f"### {name}\n\nWithout the profiler: round trip {1e6 * statistics.median(rt):.0f} us, "
                             f"`Server-Timing` {1e6 * statistics.median(st):.0f} us; "
                             + "; ".join(f"{k} {v:.0f} us" for k, v in share.items()) + ".\n")
                lines += _tables(pstats.Stats(f"{out}.{len(names_done)}"), requests)
                names_done.append(name)
        finally:
            bare.stop()
            proc.send_signal(signal.SIGINT)
            proc.wait(timeout=60)
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    if argv is None and len(sys.argv) == 5 and sys.argv[1] == "--serve":
        _serve(sys.argv[2], int(sys.argv[3]), sys.argv[4])
        return 0
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--triples", type=int, default=1_000_000)
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--queries", default="point lookup|casualty-figures|contested-figures",
                        help="names of the benchmark's queries, or paths of the app (/graph/...), separated by |")
    args = parser.parse_args(argv)
    print(profile(args.triples, [q.strip() for q in args.queries.split("|")], args.requests))
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
