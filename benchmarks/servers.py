"""HTTP servers for the benchmarks, each in its own subprocess on a free loopback port.

- :func:`start_conflictkg`: ``python -m conflictkg serve`` over an on-disk store (the product as
  deployed: worker processes, time limits, snapshots);
- :func:`start_rdflib_endpoint`: rdflib-endpoint (PyPI) over an rdflib ``Dataset`` parsed from
  the same N-Quads file (``python -m benchmarks.servers rdflib-endpoint FILE PORT``);
- :func:`start_bare`: a bare FastAPI app with one route that does nothing, served by uvicorn with
  the settings ``conflictkg serve`` uses (httptools, uvloop, no access log): the HTTP floor that
  any FastAPI service pays (``python -m benchmarks.servers bare PORT``).

Both are stopped with :meth:`Server.stop` (SIGTERM, then SIGKILL): rdflib-endpoint answers
queries on its event loop, so a stuck query makes it deaf to everything else.
"""

from __future__ import annotations

import json
import os
import resource
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

__all__ = ["BARE_PATH", "Server", "free_port", "start_bare", "start_conflictkg", "start_rdflib_endpoint"]

ROOT = Path(__file__).resolve().parents[1]
BARE_PATH = "/nothing"
"""The bare app's only route."""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Server:
    name: str
    process: subprocess.Popen[bytes]
    base: str
    log: Path
    info: dict[str, float] = field(default_factory=dict)

    def alive(self) -> bool:
        return self.process.poll() is None

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)

    def rss_mib(self) -> float | None:
        try:
            import psutil

            proc = psutil.Process(self.process.pid)
            return sum(p.memory_info().rss for p in [proc, *proc.children(recursive=True)]) / 2**20
        except Exception:  # noqa: BLE001 - the process may have gone
            return None


def _wait_ready(server: Server, probe: str, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not server.alive():
            try:
                lines = [line for line in server.log.read_text(errors="replace").splitlines() if line.strip()]
                tail = [line for line in lines if line.startswith("conflictkg:")][-1:] or lines[-1:]
            except OSError:
                tail = []
            raise RuntimeError(f"{server.name} exited (code {server.process.returncode})"
                               + (f": {tail[0].strip()[:300]}" if tail else f"; log: {server.log}"))
        try:
            if httpx.get(server.base + probe, timeout=2.0).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    server.stop()
    raise TimeoutError(f"{server.name} not ready within {timeout:.0f} s")


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    return env


def serve_flags() -> set[str]:
    """The options ``conflictkg serve`` has (the benchmarks run against whatever the product offers)."""
    from conflictkg.cli import build_parser

    sub = next(a for a in build_parser()._actions if a.dest == "command")  # noqa: SLF001 - argparse's own API
    serve = sub.choices["serve"]  # type: ignore[index]
    return {option for a in serve._actions for option in a.option_strings}  # noqa: SLF001


CLIENT_QUERIES = 64
"""``--client-queries`` when the server has a per-client limit: the benchmark's concurrent clients
share one loopback address but are distinct users."""


def start_conflictkg(store: Path | None, log_dir: Path, *, query_timeout: float, query_workers: int = 2,
                     workers: int = 1, remote: str | None = None, token: str | None = None,
                     ready_timeout: float = 300.0) -> Server:
    """``conflictkg serve`` over the store at ``store`` (filled beforehand, closed).

    ``workers`` > 1: that many server processes on one port (``serve --workers``). ``remote``: the
    SPARQL endpoint of ``--backend remote``
    (``store`` is then ignored). ``token`` allows writes.
    """
    port = free_port()
    log = log_dir / f"conflictkg-{port}.log"
    env = _env()
    flags = serve_flags()
    limits = ["--query-timeout", str(query_timeout), "--query-workers", str(query_workers), "--max-rows", "1000000"]
    if "--client-queries" in flags:
        limits += ["--client-queries", str(CLIENT_QUERIES)]
    cmd = [sys.executable, "-c", "from conflictkg.cli import main; raise SystemExit(main())"]
    if remote is not None:
        env.update({"CONFLICTKG_BACKEND": "remote", "CONFLICTKG_REMOTE_QUERY": remote})
        cmd += ["--store", str(log_dir / "unused-store")]
    else:
        cmd += ["--store", str(store)]
    cmd += ["serve", "--port", str(port), "--host", "127.0.0.1", *limits]
    if token:
        cmd += ["--token", token]
    if workers > 1:
        cmd += ["--workers", str(workers)]
    with open(log, "wb") as fh:
        proc = subprocess.Popen(cmd, stdout=fh, stderr=subprocess.STDOUT, env=env, cwd=str(log_dir))
    name = "conflictkg" + (f" x{workers}" if workers > 1 else "") + (" (remote)" if remote else "")
    server = Server(name, proc, f"http://127.0.0.1:{port}", log)
    start = time.perf_counter()
    _wait_ready(server, "/sparql?query=ASK%7B%7D", ready_timeout)
    server.info["ready_s"] = time.perf_counter() - start
    return server


def start_rdflib_endpoint(nquads: Path, log_dir: Path, *, ready_timeout: float) -> Server:
    """rdflib-endpoint over ``nquads``; ``info`` gets the parse time and the server's RSS."""
    port = free_port()
    log = log_dir / f"rdflib-endpoint-{port}.log"
    status = log_dir / f"rdflib-endpoint-{port}.json"
    cmd = [sys.executable, "-m", "benchmarks.servers", "rdflib-endpoint", str(nquads), str(port), str(status)]
    with open(log, "wb") as fh:
        proc = subprocess.Popen(cmd, stdout=fh, stderr=subprocess.STDOUT, env=_env(), cwd=str(ROOT))
    server = Server("rdflib-endpoint", proc, f"http://127.0.0.1:{port}", log)
    _wait_ready(server, "/sparql?query=ASK%7B%7D", ready_timeout)
    if status.exists():
        server.info.update(json.loads(status.read_text()))
    return server


def start_bare(log_dir: Path, *, ready_timeout: float = 60.0) -> Server:
    """The bare FastAPI + uvicorn server (see the module's docstring)."""
    port = free_port()
    log = log_dir / f"bare-{port}.log"
    cmd = [sys.executable, "-m", "benchmarks.servers", "bare", str(port)]
    with open(log, "wb") as fh:
        proc = subprocess.Popen(cmd, stdout=fh, stderr=subprocess.STDOUT, env=_env(), cwd=str(ROOT))
    server = Server("bare FastAPI", proc, f"http://127.0.0.1:{port}", log)
    _wait_ready(server, BARE_PATH, ready_timeout)
    return server


def _serve_bare(port: int) -> None:  # pragma: no cover - subprocess
    import uvicorn
    from fastapi import FastAPI
    from fastapi.responses import Response

    app = FastAPI()

    @app.get(BARE_PATH)
    async def nothing() -> Response:
        return Response(b"{}", media_type="application/json")

    # The same server settings as ``conflictkg serve`` (src/conflictkg/cli.py).
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", access_log=False, http="httptools",
                loop="auto")


def _serve_rdflib_endpoint(nquads: str, port: int, status: str) -> None:  # pragma: no cover - subprocess
    import uvicorn
    from rdflib import Dataset
    from rdflib_endpoint import SparqlEndpoint

    start = time.perf_counter()
    ds = Dataset(default_union=True)
    ds.parse(nquads, format="nquads")
    seconds = time.perf_counter() - start
    Path(status).write_text(json.dumps({"load_s": seconds, "triples": len(ds),
                                        "max_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
    app = SparqlEndpoint(graph=ds, path="/sparql", cors_enabled=False, public_url=f"http://127.0.0.1:{port}/sparql")
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning")


if __name__ == "__main__":  # pragma: no cover
    if len(sys.argv) == 5 and sys.argv[1] == "rdflib-endpoint":
        _serve_rdflib_endpoint(sys.argv[2], int(sys.argv[3]), sys.argv[4])
    elif len(sys.argv) == 3 and sys.argv[1] == "bare":
        _serve_bare(int(sys.argv[2]))
    else:
        raise SystemExit("usage: python -m benchmarks.servers rdflib-endpoint FILE.nq PORT STATUS.json\n"
                         "       python -m benchmarks.servers bare PORT")
