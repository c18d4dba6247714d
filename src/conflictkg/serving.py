"""``conflictkg serve --workers N``: N server processes on one port, one writer and N-1 readers.

One server process holds one interpreter lock, so whatever a request costs in Python (routing,
the ``/graph`` projection, JSON) caps the throughput of one process whatever the cores. With
``--workers N`` (``CONFLICTKG_WORKERS``, default 1):

* **The writer** is the process ``conflictkg serve`` starts. It opens the store read-write as one
  process does, serves the app, and does every write (SPARQL Update, Graph Store, adding
  articles) behind the write lock and the SHACL gate. After each write it takes the new
  generation's snapshot (a RocksDB checkpoint, :class:`.sparql.snapshot.Snapshots`) and
  *publishes* it, by replacing ``<store>-snapshots/CURRENT``, before the write is answered:
  a client that got its 201 and then reads sees its write in every process. Its own query
  workers read the same published checkpoints.
* **Readers** (processes 1..N-1, started and restarted by the writer, fresh interpreters) never
  open the live store. Their store (:class:`ReaderStore`) is the published checkpoint, opened
  read-only; each request first checks ``CURRENT`` (one ``stat``) and moves to a newer
  generation when there is one. Their query workers and projection builder read the published
  checkpoints too. A write request that reaches a reader is forwarded as it is to the writer over
  a private Unix socket (``<store>-snapshots/writer.sock``), where the writer serves the same app.
* Every process binds the port with ``SO_REUSEPORT``, so the kernel spreads connections over
  them; the writer binds first, so a port in use is reported once (E113).
* Each process keeps its own screen cache, ``/graph`` projections (memory x N) and query workers
  (``--query-workers`` per process); the per-client limits are per process.
* Published checkpoints stay for the time limit of a query after they are superseded (a reader's
  query may still read one), then the writer deletes them.

Every response says which process answered (``X-Conflictkg-Process: i/N``), so a test can show
that a write through one process is seen through every other.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import AsyncIterator
from dataclasses import fields
from pathlib import Path

import httpx
import pyoxigraph as ox
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .config import ENV_PREFIX, Settings
from .errors import ConfigError, QueryError
from .service import GraphService
from .sparql.pool import RETRY_AFTER
from .sparql.snapshot import CURRENT_FILE, PublishedSnapshots, Snapshots, read_current
from .store import EmbeddedStore
from .store_access import ReadOnlyStore, ServerRecord

__all__ = ["ReaderStore", "ProcessApp", "serve_processes", "PROCESS_HEADER", "WRITER_SOCKET", "SNAPSHOTS_NAME"]

#: The response header naming the process that answered (``i/N``; 0 is the writer).
PROCESS_HEADER = "x-conflictkg-process"
#: The published snapshots' folder is ``<store>-`` this; the writer's private socket is in it.
SNAPSHOTS_NAME = "snapshots"
WRITER_SOCKET = "writer.sock"
#: Seconds a superseded snapshot stays beyond the query time limit (a reader's query may still read it).
_RETAIN_MARGIN = 30.0
#: Requests a reader answers itself although their method is not GET or HEAD (they only read).
_LOCAL_POSTS = frozenset({"/sparql", "/api/labels", "/api/extract"})
_HOP_BY_HOP = frozenset({b"connection", b"keep-alive", b"transfer-encoding", b"te", b"upgrade",
                         b"proxy-authenticate", b"proxy-authorization", b"trailer"})
#: Seconds a reader may take to start (open the snapshot, start its query workers) before the writer
#: serves without waiting for it.
_READER_START = 120.0
#: Seconds between restarts of a reader that keeps dying (doubling up to the maximum).
_RESTART_BACKOFF = (0.5, 30.0)


# --- the readers' store -------------------------------------------------------------------------


class ReaderStore(ReadOnlyStore):
    """A reader process's store: the snapshot the writer published last, opened read-only
    (:meth:`refresh` moves to a newer one). Its query workers and projection builder read the same
    published snapshots (:attr:`shared_snapshots`); a write reaching it is refused (E112): readers
    forward writes to the writer before they reach the store."""

    def __init__(self, root: Path, holder: ServerRecord | None = None) -> None:  # noqa: D107 - see ReadOnlyStore
        self.path = None
        self.location = root
        self.holder = holder
        self.generation = -1
        self.union_default_graph = True
        self._write_lock = threading.Lock()
        self._refresh_lock = threading.Lock()
        self._stamp: tuple[int, int, int] | None = None
        self._current: tuple[str, str, int] | None = None
        self.shared_snapshots = PublishedSnapshots(root, self.snapshot)
        if not self.refresh():
            raise ConfigError(f"no published snapshot in {root}: start readers through `conflictkg serve --workers N`",
                              code="E141")

    def snapshot(self) -> tuple[str, str, int]:
        """(kind, path, generation) of the snapshot this store has open."""
        assert self._current is not None
        return self._current

    def refresh(self) -> bool:
        """Open the newest published snapshot if it is not the one open (one ``stat`` when it is);
        False when none was ever published."""
        try:
            st = os.stat(self.location / CURRENT_FILE)
        except OSError:
            return self._current is not None
        stamp = (st.st_ino, st.st_mtime_ns, st.st_size)
        if stamp == self._stamp:
            return True
        with self._refresh_lock:
            if stamp == self._stamp:
                return True
            record = read_current(self.location)
            if record is None:
                return self._current is not None
            generation = int(record["generation"])
            if generation != self.generation:
                path = self.location / str(record["path"])
                try:
                    store = ox.Store.read_only(str(path))
                except OSError:  # deleted under us: a newer one is published (the next request opens it)
                    return self._current is not None
                self._store = store
                self._current = ("rocksdb", str(path), generation)
                self.union_default_graph = bool(record.get("union", True))
                self.generation = generation
            self._stamp = stamp
            return True


# --- every process's app ------------------------------------------------------------------------


class ProcessApp:
    """The app as one of N processes serves it: every response names the process (:data:`PROCESS_HEADER`);
    in a reader, each request first moves the store to the newest published snapshot, and writes are
    forwarded to the writer's private socket, as they came, and its answer sent back as it goes."""

    def __init__(self, app: ASGIApp, index: int, count: int, store: ReaderStore | None = None,
                 writer: Path | None = None) -> None:
        self.app = app
        self.store = store
        self.writer = writer
        self.tag = (PROCESS_HEADER.encode(), f"{index}/{count}".encode())
        self._client: httpx.AsyncClient | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        tag = self.tag

        async def tagged(message: Message) -> None:
            if message["type"] == "http.response.start":
                message = {**message, "headers": [*message.get("headers", []), tag]}
            await send(message)

        if self.store is not None:
            self.store.refresh()
            method = scope["method"]
            if method not in ("GET", "HEAD", "OPTIONS") and not (method == "POST" and scope["path"] in _LOCAL_POSTS):
                await self._forward(scope, receive, tagged)
                return
        await self.app(scope, receive, tagged)

    async def _forward(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Send the request to the writer and its answer back (503, E141, when the writer cannot be reached)."""
        assert self.writer is not None
        if self._client is None:
            self._client = httpx.AsyncClient(transport=httpx.AsyncHTTPTransport(uds=str(self.writer)), timeout=None)

        async def body() -> AsyncIterator[bytes]:
            while True:
                message = await receive()
                if message["type"] != "http.request":
                    return
                yield message.get("body", b"")
                if not message.get("more_body", False):
                    return

        target = scope.get("raw_path") or scope["path"].encode()
        if scope.get("query_string"):
            target += b"?" + scope["query_string"]
        headers = [(k, v) for k, v in scope["headers"] if k.lower() not in _HOP_BY_HOP]
        try:
            request = self._client.build_request(scope["method"], "http://conflictkg-writer" + target.decode("latin-1"),
                                                 headers=headers, content=body())
            response = await self._client.send(request, stream=True)
        except httpx.HTTPError as exc:
            error = QueryError(f"the writer process cannot be reached ({type(exc).__name__}); try again shortly",
                               code="E141", status=503, retry_after=RETRY_AFTER)
            await send({"type": "http.response.start", "status": 503, "headers": [
                (b"content-type", b"application/json"), (b"retry-after", str(RETRY_AFTER).encode())]})
            await send({"type": "http.response.body", "body": json.dumps(error.to_dict()).encode()})
            return
        try:
            await send({"type": "http.response.start", "status": response.status_code,
                        "headers": [(k, v) for k, v in response.headers.raw
                                    if k.lower() not in _HOP_BY_HOP and k.lower() != self.tag[0]]})
            async for chunk in response.aiter_raw():
                await send({"type": "http.response.body", "body": chunk, "more_body": True})
            await send({"type": "http.response.body", "body": b""})
        finally:
            await response.aclose()


# --- the writer and the readers it starts -------------------------------------------------------


def _listen(host: str, port: int) -> socket.socket:
    """A listening socket on ``host:port`` that the other server processes may bind too (``SO_REUSEPORT``)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        raise ConfigError(f"cannot listen on {host}:{port}: {exc.strerror or exc}", code="E113") from None
    sock.listen(2048)
    sock.set_inheritable(False)
    return sock


def _settings_env(settings: Settings) -> dict[str, str]:
    """The environment of a reader: every setting as its ``CONFLICTKG_`` variable."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(ENV_PREFIX)}
    for f in fields(settings):
        value = getattr(settings, f.name)
        if f.name == "extra" or value is None:
            continue
        env[ENV_PREFIX + f.name.upper()] = ("true" if value else "false") if isinstance(value, bool) else str(value)
    return env


class _Readers:
    """The reader processes: started, watched, restarted when one dies, stopped with the writer."""

    def __init__(self, settings: Settings, root: Path, count: int) -> None:
        self.settings = settings
        self.root = root
        self.count = count
        self.processes: dict[int, subprocess.Popen[bytes]] = {}
        self._stopping = threading.Event()
        self._env = _settings_env(settings)

    def _spawn(self, index: int) -> tuple[subprocess.Popen[bytes], int]:
        ready_r, ready_w = os.pipe()
        process = subprocess.Popen(
            [sys.executable, "-m", "conflictkg.serving", "--root", str(self.root), "--index", str(index),
             "--count", str(self.count + 1), "--ready-fd", str(ready_w), "--parent", str(os.getpid())],
            env=self._env, pass_fds=(ready_w,), close_fds=True)
        os.close(ready_w)
        self.processes[index] = process
        return process, ready_r

    def start(self) -> None:
        """Start every reader and wait until each listens (or has had :data:`_READER_START` seconds)."""
        pending = [(index, *self._spawn(index)) for index in range(1, self.count + 1)]
        for index, process, ready in pending:
            _wait_ready(ready, process, index)
        threading.Thread(target=self._watch, daemon=True, name="conflictkg-readers").start()

    def _watch(self) -> None:
        delays = {index: _RESTART_BACKOFF[0] for index in self.processes}
        while not self._stopping.wait(0.5):
            for index, process in list(self.processes.items()):
                code = process.poll()
                if code is None or self._stopping.is_set():
                    continue
                print(f"conflictkg: server process {index} exited (status {code}); starting it again in "
                      f"{delays[index]:g} s", file=sys.stderr)
                if self._stopping.wait(delays[index]):
                    return
                delays[index] = min(delays[index] * 2, _RESTART_BACKOFF[1])
                process, ready = self._spawn(index)
                _wait_ready(ready, process, index)

    def stop(self) -> None:
        self._stopping.set()
        for process in self.processes.values():
            if process.poll() is None:
                process.terminate()
        deadline = time.monotonic() + 10
        for process in self.processes.values():
            try:
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _wait_ready(fd: int, process: subprocess.Popen[bytes], index: int) -> None:
    """Wait for reader ``index`` to say it listens (a line on its ready pipe), its exit, or the start time."""
    import select

    try:
        readable, _, _ = select.select([fd], [], [], _READER_START)
        said = os.read(fd, 64) if readable else b""
    finally:
        os.close(fd)
    if not said:
        state = "exited" if process.poll() is not None else f"did not start within {_READER_START:g} s"
        print(f"conflictkg: server process {index} {state}; the others serve meanwhile", file=sys.stderr)


def serve_processes(service: GraphService, app: ASGIApp, count: int) -> None:
    """Serve ``app`` from ``count`` processes: this one the writer (it holds ``service``'s embedded
    store), and ``count - 1`` readers it starts (see the module's doc). Returns when the server stops."""
    import uvicorn

    settings = service.settings
    store = service.store
    if not isinstance(store, EmbeddedStore) or store.path is None or getattr(store, "read_only", False):
        raise ConfigError("--workers above 1 needs the embedded store on disk (--store PATH, --backend embedded)",
                          code="E140")
    snapshots = Snapshots(store.oxigraph, store.path, lambda: store.generation, name=SNAPSHOTS_NAME,
                          retain=settings.query_timeout + _RETAIN_MARGIN)
    store.shared_snapshots = snapshots
    store.after_write = lambda: snapshots.publish(store.union_default_graph) and None
    snapshots.publish(store.union_default_graph)
    tcp = _listen(settings.host, settings.port)
    private = snapshots.root / WRITER_SOCKET
    uds = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    uds.bind(str(private))
    os.chmod(private, 0o600)
    uds.listen(256)
    readers = _Readers(settings, snapshots.root, count - 1)
    readers.start()
    print(f"conflictkg: {count} server processes (1 writer, {count - 1} readers) on port {settings.port}",
          file=sys.stderr)
    config = uvicorn.Config(ProcessApp(app, 0, count), log_level="info", access_log=settings.access_log,
                            http="httptools", loop="auto")
    try:
        uvicorn.Server(config).run(sockets=[tcp, uds])
    finally:
        readers.stop()
        private.unlink(missing_ok=True)


# --- a reader process ---------------------------------------------------------------------------


def _reader(root: Path, index: int, count: int, ready_fd: int, parent: int) -> None:  # pragma: no cover - child process
    import uvicorn

    from .api.app import create_app
    from .store_access import ServerRecord as Record

    settings = Settings.from_env()
    holder = Record.read(Path(settings.store)) if settings.store is not None else None
    store = ReaderStore(root, holder)
    service = GraphService(settings=settings, store=store, writes=False)
    app = ProcessApp(create_app(service), index, count, store, root / WRITER_SOCKET)
    sock = _listen(settings.host, settings.port)
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", access_log=settings.access_log,
                                           http="httptools", loop="auto"))

    def watch() -> None:  # say when listening; stop when the writer has gone
        while not server.started:
            time.sleep(0.05)
        os.write(ready_fd, b"ready\n")
        os.close(ready_fd)
        while os.getppid() == parent:
            time.sleep(1.0)
        os.kill(os.getpid(), signal.SIGTERM)

    threading.Thread(target=watch, daemon=True, name="conflictkg-reader-watch").start()
    try:
        server.run(sockets=[sock])
    finally:
        service.close()


def main(argv: list[str] | None = None) -> None:  # pragma: no cover - child process
    import argparse

    parser = argparse.ArgumentParser(description="A reader process of `conflictkg serve --workers N` (started by it).")
    parser.add_argument("--root", type=Path, required=True)
    parser.add_argument("--index", type=int, required=True)
    parser.add_argument("--count", type=int, required=True)
    parser.add_argument("--ready-fd", type=int, required=True)
    parser.add_argument("--parent", type=int, required=True)
    args = parser.parse_args(argv)
    _reader(args.root, args.index, args.count, args.ready_fd, args.parent)


if __name__ == "__main__":  # pragma: no cover
    main()
