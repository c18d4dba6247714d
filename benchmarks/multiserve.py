"""PROTOTYPE, for the benchmarks only: ``conflictkg serve`` as N server processes on one port.

``conflictkg serve`` is one process: one event loop, and whatever it does in Python (routing,
the ``/graph`` projection in networkx, JSON) holds one GIL, so its throughput cannot grow with
cores. Until the product has its own ``serve --workers N`` (see BENCHMARKS.md, target 4, for
the design), this launcher measures what N processes would give, read-only:

- every process binds its own listening socket on the same port with ``SO_REUSEPORT``, so the
  kernel spreads connections over the processes (no dispatcher in front, no extra hop);
- every process runs the unchanged app (``conflictkg.api.app.create_app`` over a
  ``GraphService``, with its own query worker pool) under uvicorn with the settings of
  ``conflictkg serve``;
- a RocksDB store can be opened read-write by one process only, so process ``i`` serves a
  checkpoint of the store (hard links: no copy of the data). That is why this is read-only and
  a prototype: the product needs one writer and readers that follow its snapshots.

    python -m benchmarks.multiserve --store STORE --port 8000 --workers 2

SIGTERM stops every process.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

__all__ = ["main"]


def _child(store: str, port: int, query_timeout: float, query_workers: int, max_rows: int,
           client_queries: int | None) -> None:  # pragma: no cover
    import uvicorn

    from conflictkg.api.app import create_app
    from conflictkg.config import Settings
    from conflictkg.service import GraphService

    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind(("127.0.0.1", port))
    extra = {"client_queries": client_queries} if client_queries is not None else {}
    settings = Settings.from_env(store=Path(store), query_timeout=query_timeout, query_workers=query_workers,
                                 max_rows=max_rows, host="127.0.0.1", port=port, **extra)
    with GraphService(settings=settings) as service:
        app = create_app(service)
        # The same server settings as ``conflictkg serve`` (src/conflictkg/cli.py).
        config = uvicorn.Config(app, log_level="warning", access_log=False, http="httptools", loop="auto")
        uvicorn.Server(config).run(sockets=[sock])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--store", required=True, type=Path)
    parser.add_argument("--port", required=True, type=int)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--query-timeout", type=float, default=30.0)
    parser.add_argument("--query-workers", type=int, default=2)
    parser.add_argument("--max-rows", type=int, default=100_000)
    parser.add_argument("--client-queries", type=int, default=None, help="the per-client limit, where the product has one")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:  # pragma: no cover - one server process
        _child(str(args.store), args.port, args.query_timeout, args.query_workers, args.max_rows, args.client_queries)
        return 0
    import pyoxigraph as ox

    copies = []
    for i in range(args.workers):
        copy = args.store.with_name(f"{args.store.name}-w{i}")
        shutil.rmtree(copy, ignore_errors=True)
        source = ox.Store.read_only(str(args.store))
        source.backup(str(copy))
        del source
        copies.append(copy)
    children = [subprocess.Popen([sys.executable, "-m", "benchmarks.multiserve", "--child", "--store", str(copy),
                                  "--port", str(args.port), "--query-timeout", str(args.query_timeout),
                                  "--query-workers", str(args.query_workers), "--max-rows", str(args.max_rows)]
                                 + ([] if args.client_queries is None else ["--client-queries", str(args.client_queries)]))
                for copy in copies]

    def stop(*_: object) -> None:
        for child in children:
            if child.poll() is None:
                child.terminate()
        deadline = time.monotonic() + 10
        for child in children:
            try:
                child.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                child.kill()
        for copy in copies:
            shutil.rmtree(copy, ignore_errors=True)
            shutil.rmtree(copy.with_name(copy.name + "-snapshots"), ignore_errors=True)
        os._exit(0)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    while all(child.poll() is None for child in children):
        time.sleep(0.5)
    stop()
    return 1  # pragma: no cover - stop() exits


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
