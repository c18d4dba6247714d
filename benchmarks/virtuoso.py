"""Virtuoso, the server users would pick instead: the same synthetic graphs, the same queries, the same client.

Debian's ``virtuoso-opensource-7`` (installed by ``.ci/virtuoso.sh``) is started here on its
own scratch database and free loopback ports (never the test suite's 18890), in the
foreground so that it can be stopped and measured like the other servers:

- **load**: the cached N-Quads file (:mod:`.datasets`) is split into parts and loaded with
  Virtuoso's bulk loader (``ld_dir`` + two ``rdf_loader_run()`` in parallel, one per core),
  then ``checkpoint``; the quads keep their named graphs. The loaded database is kept under
  ``benchmarks/out/`` keyed by generator version, seed, size and Virtuoso version, with its load
  time in a sidecar, and reused by later runs;
- **queries**: the analyst queries (parameters inlined as a ``VALUES`` block: the protocol has
  no bindings) and the shapes, at Virtuoso's ``/sparql`` (default graph: the union of every
  graph), timed by the same keep-alive client as the other HTTP engines. A partial answer at
  Virtuoso's own time limit (``X-SQL-State: S1TAT``) counts as not finished, never as a result;
- **conflictkg --backend remote**: ``conflictkg serve`` with that Virtuoso as its store, the
  same requests as the embedded server (``/queries/{name}``, ``/sparql``).

Memory: ``NumberOfBuffers`` is sized for the graph (``buffers_for``), as Virtuoso's ini advises
(about 8.5 KiB each). ``ResultSetMaxRows`` is raised so a large answer is not cut silently.

    python -m benchmarks.virtuoso --sizes 1000000              # Markdown on standard output
    python -m benchmarks.virtuoso --sizes 1000000,10000000 --out /tmp/virtuoso.md
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .datasets import OUT, Artefact, nquads_file
from .servers import free_port

__all__ = ["Virtuoso", "VirtuosoDatabase", "available", "load", "start", "version"]

LOAD_GRAPH = "urn:conflictkg:bench:unused"
"""``ld_dir``'s graph argument: unused for N-Quads (every quad names its graph)."""
LOAD_PARTS = 8
"""The N-Quads file is split into this many parts, so that two loaders work in parallel."""
LOADERS = 2
"""Parallel ``rdf_loader_run()`` sessions (one per core on the benchmark machine)."""
LOAD_ROUNDS = 4
"""Rounds of the loader: files that failed (deadlocks between parallel loaders) are loaded again."""
QUERY_TIME_LIMIT = 25
"""Virtuoso's ``MaxQueryExecutionTime`` (seconds): a little over the benchmarks' 20 s cap, so that Virtuoso
stops a query the client gave up on, never one the client still waits for."""


def available() -> bool:
    return shutil.which("virtuoso-t") is not None and shutil.which("isql-vt") is not None


def version() -> str:
    """e.g. ``7.2.5.3229``."""
    out = subprocess.run(["virtuoso-t", "-?"], capture_output=True, text=True, check=False)
    found = re.search(r"Version (\S+)", out.stdout + out.stderr)
    return found.group(1).split("-")[0] if found else "unknown"


def _template() -> Path:
    listing = subprocess.run(["dpkg", "-L", "virtuoso-opensource-7"], capture_output=True, text=True, check=False)
    for line in listing.stdout.splitlines():
        if line.endswith("/virtuoso.ini"):
            return Path(line)
    candidate = Path("/usr/share/virtuoso-opensource-7/virtuoso.ini")
    if candidate.exists():
        return candidate
    raise FileNotFoundError("virtuoso.ini of virtuoso-opensource-7 not found")


def buffers_for(quads: int) -> int:
    """``NumberOfBuffers``: about 250 bytes of cache per quad, at least Virtuoso's default, at most 3 GiB."""
    return max(10_000, min(370_000, quads // 32))


def write_ini(folder: Path, *, sql_port: int, http_port: int, buffers: int, dirs: list[Path]) -> Path:
    """The package's ini with files in ``folder``, loopback ports, memory and limits set."""
    files = {"DatabaseFile": "virtuoso.db", "ErrorLogFile": "virtuoso.log", "TransactionFile": "virtuoso.trx",
             "xa_persistent_file": "virtuoso.pxa", "LockFile": "virtuoso.lck"}
    section = None
    out = []
    for line in _template().read_text(encoding="utf-8").splitlines():
        stripped = line.strip()
        if stripped.startswith("[") and stripped.endswith("]"):
            section = stripped[1:-1]
        key = stripped.split("=", 1)[0].strip() if "=" in stripped and not stripped.startswith(";") else None
        if key in files and section in ("Database", "TempDatabase"):
            line = f"{key} = {folder}/{'temp-' if section == 'TempDatabase' else ''}{files[key]}"
        elif key == "ServerPort" and section == "Parameters":
            line = f"ServerPort = 127.0.0.1:{sql_port}"
        elif key == "ServerPort" and section == "HTTPServer":
            line = f"ServerPort = 127.0.0.1:{http_port}"
        elif key == "DirsAllowed":
            line = "DirsAllowed = ., " + ", ".join(str(d) for d in dirs)
        elif key == "NumberOfBuffers":
            line = f"NumberOfBuffers = {buffers}"
        elif key == "MaxDirtyBuffers":
            line = f"MaxDirtyBuffers = {buffers * 3 // 4}"
        elif key == "ResultSetMaxRows":
            line = "ResultSetMaxRows = 1000000"
        elif key == "MaxQueryCostEstimationTime":
            line = "MaxQueryCostEstimationTime = 0"  # never refuse a query by its estimate
        elif key == "MaxQueryExecutionTime":
            line = f"MaxQueryExecutionTime = {QUERY_TIME_LIMIT}"
        elif key in ("MaxClientConnections", "ServerThreads", "MaxKeepAlives") and section == "HTTPServer":
            line = f"{key} = 40"  # room for the concurrent clients
        out.append(line)
    ini = folder / "virtuoso.ini"
    ini.write_text("\n".join(out) + "\n", encoding="utf-8")
    return ini


@dataclass
class Virtuoso:
    folder: Path
    process: subprocess.Popen[bytes]
    sql_port: int
    http_port: int

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.http_port}"

    @property
    def endpoint(self) -> str:
        return self.base + "/sparql"

    def isql(self, statements: str, *, timeout: float = 3600.0) -> str:
        out = subprocess.run(["isql-vt", f"127.0.0.1:{self.sql_port}", "dba", "dba", f"exec={statements}"],
                             capture_output=True, text=True, timeout=timeout, check=False)
        if out.returncode != 0 or "*** Error" in out.stdout + out.stderr:
            raise RuntimeError(f"isql: {(out.stdout + out.stderr).strip()[-500:]}")
        return out.stdout

    def rss_mib(self) -> float | None:
        try:
            import psutil

            return float(psutil.Process(self.process.pid).memory_info().rss) / 2**20
        except Exception:  # noqa: BLE001 - the process may have gone
            return None

    def stop(self) -> None:
        if self.process.poll() is None:
            try:
                subprocess.run(["isql-vt", f"127.0.0.1:{self.sql_port}", "dba", "dba", "-K"], capture_output=True,
                               timeout=60, check=False)
                self.process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)


def start(folder: Path, *, buffers: int, dirs: list[Path], ready_timeout: float = 120.0) -> Virtuoso:
    """Virtuoso in the foreground over the database in ``folder`` (created when missing)."""
    folder.mkdir(parents=True, exist_ok=True)
    sql_port, http_port = free_port(), free_port()
    ini = write_ini(folder, sql_port=sql_port, http_port=http_port, buffers=buffers, dirs=[folder, *dirs])
    log = open(folder / "foreground.log", "ab")  # noqa: SIM115 - kept open for the process's life
    proc = subprocess.Popen(["virtuoso-t", "+configfile", str(ini), "+foreground"], cwd=str(folder),
                            stdout=log, stderr=subprocess.STDOUT)
    server = Virtuoso(folder, proc, sql_port, http_port)
    deadline = time.monotonic() + ready_timeout
    import httpx

    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"Virtuoso exited (code {proc.returncode}); see {folder}/virtuoso.log")
        try:
            if httpx.get(server.endpoint, params={"query": "ASK {}"}, timeout=2.0).status_code == 200:
                return server
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    server.stop()
    raise TimeoutError(f"Virtuoso not ready within {ready_timeout:.0f} s; see {folder}/virtuoso.log")


@dataclass(frozen=True)
class VirtuosoDatabase:
    folder: Path
    quads: int
    """Quads in the conflictkg graphs (Virtuoso's own system graphs not counted)."""
    seconds: float
    """Load time: splitting the file, the bulk loaders, the checkpoint."""
    built: str
    cached: bool
    buffers: int


def _count(server: Virtuoso) -> int:
    """Quads in the database (Virtuoso's own system graphs included: count before loading too)."""
    out = server.isql("SELECT COUNT(*) FROM DB.DBA.RDF_QUAD;")
    numbers = [int(x) for x in re.findall(r"^\s*(\d+)\s*$", out, flags=re.M)]
    return numbers[0] if numbers else 0


def load(source: Artefact, *, out: Path | None = None, reuse: bool = True,
         log: Callable[[str], None] = lambda _m: None) -> VirtuosoDatabase:
    """The Virtuoso database of ``source`` (loaded unless cached), stopped."""
    folder = (out or OUT) / (source.path.name.removesuffix(".nq").replace("kg-", "virtuoso-", 1) + f"-v{version()}")
    meta = folder.with_name(folder.name + ".json")
    if reuse and meta.exists() and (folder / "virtuoso.db").exists():
        m = json.loads(meta.read_text(encoding="utf-8"))
        return VirtuosoDatabase(folder, m["quads"], m["seconds"], m["built"], True, m["buffers"])
    shutil.rmtree(folder, ignore_errors=True)
    meta.unlink(missing_ok=True)
    parts = folder / "load"
    parts.mkdir(parents=True)
    buffers = buffers_for(source.quads)
    server = start(folder, buffers=buffers, dirs=[parts])
    try:
        system = _count(server)
        start_time = time.perf_counter()
        subprocess.run(["split", "-n", f"l/{LOAD_PARTS}", "--additional-suffix=.nq", str(source.path),
                        str(parts / "part-")], check=True)
        server.isql(f"ld_dir('{parts}', '*.nq', '{LOAD_GRAPH}');")
        errors = ""
        for round_ in range(LOAD_ROUNDS):
            # Parallel loaders can deadlock on N-Quads (Virtuoso marks the file failed): the files that
            # failed are loaded again by one loader (quads already in are not duplicated).
            n = LOADERS if round_ == 0 else 1
            loaders = [subprocess.Popen(["isql-vt", f"127.0.0.1:{server.sql_port}", "dba", "dba",
                                         "exec=rdf_loader_run();"], stdout=subprocess.PIPE,
                                        stderr=subprocess.STDOUT) for _ in range(n)]
            for p in loaders:
                p.communicate()
            errors = server.isql("SELECT ll_file, ll_error FROM DB.DBA.load_list WHERE ll_error IS NOT NULL;")
            if "0 Rows." in errors:
                break
            failed = errors.count("deadlock")
            log(f"  virtuoso: {failed} part(s) failed (deadlock), loading them again")
            server.isql("UPDATE DB.DBA.load_list SET ll_state = 0, ll_error = NULL WHERE ll_error IS NOT NULL;")
        server.isql("checkpoint;")
        seconds = time.perf_counter() - start_time
        if "0 Rows." not in errors:
            raise RuntimeError(f"Virtuoso's loader reported errors: {errors.strip()[-500:]}")
        quads = _count(server) - system
        log(f"  virtuoso: {quads:,} quads loaded in {seconds:.1f} s")
    finally:
        server.stop()
        shutil.rmtree(parts, ignore_errors=True)
    built = time.strftime("%Y-%m-%d %H:%M", time.gmtime())
    meta.write_text(json.dumps({"quads": quads, "seconds": seconds, "built": built, "buffers": buffers}),
                    encoding="utf-8")
    return VirtuosoDatabase(folder, quads, seconds, built, False, buffers)


# --- the benchmark -------------------------------------------------------------------------------


@dataclass
class VirtuosoRun:
    size: int
    database: VirtuosoDatabase | None
    engines: dict[str, Any] = field(default_factory=dict)
    """``virtuoso`` and ``conflictkg --backend remote`` -> :class:`.queries.EngineRun`."""
    status: str = "ok"
    rss_mib: float | None = None


def run(size: int, specs: list[Any], *, seed: int, repeats: int, budget: float, cap: float, work: Path,
        log: Callable[[str], None], deadline: float = float("inf"), reuse: bool = True,
        remote: bool = True, fast_repeats: int = 0) -> VirtuosoRun:
    """Load (or reuse) the graph of ``size``, time every spec on Virtuoso, then through conflictkg on it."""
    from .queries import run_http
    from .servers import start_conflictkg

    if not available():
        return VirtuosoRun(size, None, status="not run: virtuoso-opensource-7 is not installed (.ci/virtuoso.sh)")
    source = nquads_file(size, seed, reuse=reuse)
    log(f"virtuoso {size:,}: loading" + (" (cached database)" if reuse else ""))
    database = load(source, reuse=reuse, log=log)
    result = VirtuosoRun(size, database)
    server = start(database.folder, buffers=database.buffers, dirs=[])
    try:
        kw: dict[str, Any] = {"repeats": repeats, "fast_repeats": fast_repeats, "budget": budget, "cap": cap,
                              "deadline": deadline, "log": log}
        result.engines["Virtuoso"] = run_http("virtuoso", server.base, specs, **kw)
        result.rss_mib = server.rss_mib()
        if remote and time.monotonic() < deadline:
            log(f"virtuoso {size:,}: conflictkg --backend remote")
            try:
                ckg = start_conflictkg(None, work, query_timeout=cap, remote=server.endpoint, ready_timeout=600)
            except (RuntimeError, TimeoutError) as exc:
                result.status = f"conflictkg --backend remote did not start: {exc}"
            else:
                try:
                    result.engines["conflictkg --backend remote"] = run_http("conflictkg", ckg.base, specs, **kw)
                finally:
                    ckg.stop()
    finally:
        server.stop()
    return result


def _embedded(size: int, specs: list[Any], *, seed: int, work: Path, reuse: bool, **kw: Any) -> Any:
    """conflictkg over the embedded store of the same graph, for the ratio column (when run alone)."""
    from types import SimpleNamespace

    from .datasets import checkpoint, oxigraph_store
    from .queries import run_http
    from .servers import start_conflictkg

    stored = oxigraph_store(nquads_file(size, seed, reuse=reuse), reuse=reuse)
    if isinstance(stored, str):
        return None
    store = checkpoint(stored, work / f"store-{size}")
    server = start_conflictkg(store, work, query_timeout=kw["cap"], ready_timeout=600)
    try:
        kw["log"](f"conflictkg embedded {size:,}")
        return SimpleNamespace(engines={"conflictkg": run_http("conflictkg", server.base, specs, **kw)})
    finally:
        server.stop()
        shutil.rmtree(store, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    from .queries import query_set
    from .report import virtuoso_section

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1000000")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeats", type=int, default=10)
    parser.add_argument("--fast-repeats", type=int, default=40, help="timed runs of queries under 20 ms")
    parser.add_argument("--budget", type=float, default=5.0, help="seconds of timed runs per query")
    parser.add_argument("--cap", type=float, default=20.0, help="seconds one run may take")
    parser.add_argument("--fresh", action="store_true", help="reload even when a loaded database is cached")
    parser.add_argument("--no-remote", action="store_true", help="skip conflictkg --backend remote")
    parser.add_argument("--no-embedded", action="store_true",
                        help="skip conflictkg on its embedded store (the ratio column stays empty)")
    parser.add_argument("--out", default=None, help="also write the Markdown here")
    args = parser.parse_args(argv)
    import tempfile

    t0 = time.perf_counter()

    def log(msg: str) -> None:
        print(f"[{time.perf_counter() - t0:7.1f} s] {msg}", file=sys.stderr, flush=True)

    runs, embedded = [], {}
    with tempfile.TemporaryDirectory(prefix="ckg-virtuoso-") as tmp:
        for size in (int(x) for x in args.sizes.replace("_", "").split(",") if x):
            specs = query_set(size, args.seed)
            kw: dict[str, Any] = {"repeats": args.repeats, "fast_repeats": args.fast_repeats, "budget": args.budget,
                                  "cap": args.cap, "log": log}
            if not args.no_embedded:
                embedded[size] = _embedded(size, specs, seed=args.seed, work=Path(tmp), reuse=not args.fresh, **kw)
            runs.append(run(size, specs, seed=args.seed, work=Path(tmp), reuse=not args.fresh,
                            remote=not args.no_remote, **kw))
    text = virtuoso_section(runs, embedded=embedded)
    print(text)
    if args.out:
        Path(args.out).write_text(text + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
