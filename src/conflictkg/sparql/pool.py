"""A pool of confined query worker processes, with a hard time limit per query and fair scheduling.

**Time limit.** A query still running at its deadline is killed with its worker (SIGKILL:
pyoxigraph ignores everything gentler), a fresh worker is started in the background, and the
caller gets a 503 (E055): the client is told the truth, never handed a truncated 200.

**Fairness** (one heavy client cannot starve the others):

* ``size`` *general* workers answer any query, plus ``reserved`` workers kept for short
  queries: a query goes to a reserved worker only when every general one is busy, and may run
  there for ``short_timeout`` seconds at most. Past that it is stopped (the worker replaced) and
  waits, with its original deadline and its place in the queue, for a general worker. So two
  slow queries can take both general workers and a light query still answers.
* A client (the caller's key: the token's hash or the remote address) may have at most
  ``client_limit`` queries running or waiting; one more is refused at once with 503 (E101).
* At most ``queue_limit`` queries wait for a worker; one more is refused at once (E102).
* A free worker goes to the waiting query whose client has the fewest queries running, the
  oldest first among equals: a client with many queries waiting does not delay a client with one.
* A query whose caller goes away (the request is cancelled) leaves the queue, or, when it is
  running, its worker is killed: no work for clients that have gone away.

Every refusal is a :class:`QueryError` with status 503 and a ``retry_after`` (the API sends
``Retry-After``).

**Memory.** Each worker runs under an address-space cap (``memory_limit``); a query that needs
more kills its worker (pyoxigraph aborts on a failed allocation) and is answered with E100.
A worker whose peak memory grew by more than ``recycle_bytes`` while answering asks to be
replaced after it has answered (see :mod:`.worker`), so a heavy query's memory does not stay.

**Isolation.** Workers are fresh interpreters (``python -m conflictkg.sparql.worker``: forking a
threaded server is unsafe, and multiprocessing's ``spawn`` would re-import the caller's
``__main__``) that talk pickles over their stdin and stdout; each confines itself before its
first task (:mod:`.sandbox`: no network connections, read-only access to the snapshots). A
worker is only handed out once it has said it is ready and what confinement it applied
(:attr:`WorkerPool.confinement`); W035 is printed once when a layer is missing.

Two faces, one queue: :meth:`WorkerPool.run` blocks its thread (the CLI; the API's slow paths),
:meth:`WorkerPool.run_async` waits on the event loop for a worker and for its pipe to become
readable (no thread hop). A query that finds a worker idle and nobody waiting gets it at once.
"""

from __future__ import annotations

import asyncio
import itertools
import os
import pickle
import signal
import struct
import subprocess
import sys
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from typing import Any

from ..errors import QueryError, warning
from .worker import Task, WorkerConfig, out_of_memory

__all__ = ["WorkerPool", "RETRY_AFTER", "START_TIMEOUT"]

#: Seconds a client is told to wait (``Retry-After``) after a 503 from the pool.
RETRY_AFTER = 2
#: Seconds a new worker may take to start and confine itself.
START_TIMEOUT = 60.0
#: Seconds between attempts to start a worker that failed to start (doubling up to the maximum).
_RESTART_BACKOFF = (0.5, 30.0)


@dataclass(eq=False)
class _Worker:
    process: subprocess.Popen[bytes]
    send: Connection
    recv: Connection
    reserved: bool
    generation: int | None = None
    confinement: dict[str, Any] = field(default_factory=dict)

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait(timeout=5)
        self.send.close()
        self.recv.close()


@dataclass(eq=False)
class _Ticket:
    """One query's place in the queue; :meth:`grant` hands it a worker."""

    client: str
    seq: int
    general_only: bool = False
    worker: _Worker | None = None
    event: threading.Event | None = None
    future: asyncio.Future[None] | None = None
    loop: asyncio.AbstractEventLoop | None = None

    def grant(self, worker: _Worker) -> None:
        self.worker = worker
        if self.event is not None:
            self.event.set()
        if self.future is not None and self.loop is not None:
            future = self.future
            self.loop.call_soon_threadsafe(lambda: future.done() or future.set_result(None))


class _ShortOvertime(Exception):
    """A query outlived the reserved worker's short time limit: it waits for a general worker."""


class WorkerPool:
    """``size`` general plus ``reserved`` query workers. Thread-safe; :meth:`close` stops them all.

    ``readable`` are the folders the workers may read (the snapshots); ``confine=False`` (tests
    only) starts workers without their confinement.
    """

    def __init__(self, size: int, *, reserved: int = 0, short_timeout: float = 1.0, client_limit: int = 8,
                 queue_limit: int = 64, memory_limit: int | None = None, recycle_bytes: int = 256 * 2**20,
                 readable: Sequence[str] = (), confine: bool = True, prefixes: dict[str, str] | None = None) -> None:
        self.size = size
        self.reserved = reserved
        self.short_timeout = short_timeout
        self.client_limit = client_limit
        self.queue_limit = queue_limit
        self.config: WorkerConfig = {"readable": list(readable), "memory_limit": memory_limit,
                                     "recycle_bytes": recycle_bytes, "confine": confine, "prefixes": dict(prefixes or {})}
        self._lock = threading.Lock()
        self._all: set[_Worker] = set()
        self._idle: dict[bool, list[_Worker]] = {False: [], True: []}
        self._waiting: list[_Ticket] = []
        self._running: dict[str, int] = {}
        self._in_flight: dict[str, int] = {}
        self._seq = itertools.count()
        self._closed = False
        self._warned = False
        #: What the most recent worker reported it applied (see :class:`.sandbox.Confinement`).
        self.confinement: dict[str, Any] | None = None
        for i in range(size + reserved):
            self._spawn(reserved=i >= size)

    # --- workers --------------------------------------------------------------------------

    def _spawn(self, *, reserved: bool) -> None:
        """Start a worker in a background thread; it joins the idle workers once it is ready."""
        threading.Thread(target=self._start_until_ready, args=(reserved,), daemon=True,
                         name="conflictkg-worker-start").start()

    def _start_until_ready(self, reserved: bool) -> None:
        delay = _RESTART_BACKOFF[0]
        while not self._closed:
            worker = _start(self.config, reserved)
            try:
                if not worker.recv.poll(START_TIMEOUT):
                    raise TimeoutError("no ready message")
                kind, confinement = worker.recv.recv()
                if kind != "ready":
                    raise RuntimeError(f"unexpected first message {kind!r}")
            except (EOFError, OSError, TimeoutError, RuntimeError, ValueError) as exc:
                worker.kill()
                print(f"conflictkg: a query worker failed to start ({exc}); retrying in {delay:g} s",
                      file=sys.stderr)
                time.sleep(delay)
                delay = min(delay * 2, _RESTART_BACKOFF[1])
                continue
            worker.confinement = confinement
            self.confinement = confinement
            if confinement.get("missing") and not self._warned and self.config["confine"]:
                self._warned = True
                print("conflictkg: " + warning("W035", missing="; ".join(confinement["missing"])), file=sys.stderr)
            self._add(worker)
            return

    def _add(self, worker: _Worker) -> None:
        with self._lock:
            if self._closed:
                worker.kill()
                return
            self._all.add(worker)
            self._idle[worker.reserved].append(worker)
            self._dispatch()

    def _replace(self, worker: _Worker) -> None:
        """Kill ``worker`` (a query overran, it died, or it asked to be recycled) and start another."""
        with self._lock:
            self._all.discard(worker)
        worker.kill()
        if not self._closed:
            self._spawn(reserved=worker.reserved)

    def generations_in_use(self) -> set[int]:
        """Snapshot generations some worker still holds open."""
        with self._lock:
            return {w.generation for w in self._all if w.generation is not None}

    def status(self) -> dict[str, Any]:
        """Workers idle (general, reserved), queries waiting, and queries running per client."""
        with self._lock:
            return {"idle": len(self._idle[False]), "idle_reserved": len(self._idle[True]),
                    "waiting": len(self._waiting), "running": dict(self._running)}

    def pids(self) -> set[int]:
        """Process ids of the running workers (for tests and monitoring)."""
        with self._lock:
            return {w.process.pid for w in self._all}

    # --- the queue ------------------------------------------------------------------------

    def _enter(self, client: str) -> tuple[_Ticket, _Worker | None]:
        """Admit a query of ``client`` (or refuse it with a 503); with it, a worker at once when one is
        idle and no query waits (the common case: no queue, no wake-up), else None: queue the ticket."""
        with self._lock:
            if self._closed:
                raise QueryError("the query service is shutting down", code="E056", status=503,
                                 retry_after=RETRY_AFTER)
            if self._in_flight.get(client, 0) >= self.client_limit:
                raise QueryError(f"this client already has {self.client_limit} queries running or waiting "
                                 "(--client-queries); wait for their answers", code="E101", status=503,
                                 retry_after=RETRY_AFTER)
            idle = self._idle[False] or self._idle[True]
            if len(self._waiting) >= self.queue_limit and not idle:
                raise QueryError(f"the queue of queries waiting for a worker is full ({self.queue_limit}, "
                                 "--query-queue); try again later", code="E102", status=503, retry_after=RETRY_AFTER)
            self._in_flight[client] = self._in_flight.get(client, 0) + 1
            ticket = _Ticket(client, next(self._seq))
            if self._waiting or not idle:
                return ticket, None
            ticket.worker = idle.pop()
            self._running[client] = self._running.get(client, 0) + 1
            return ticket, ticket.worker

    def _queue(self, ticket: _Ticket) -> None:
        with self._lock:
            ticket.worker = None
            self._waiting.append(ticket)
            self._dispatch()

    def _dispatch(self) -> None:
        """Hand idle workers to waiting queries (caller holds the lock)."""
        while self._waiting and (self._idle[False] or self._idle[True]):
            order = sorted(self._waiting, key=lambda t: (self._running.get(t.client, 0), t.seq))
            for ticket in order:
                if self._idle[False]:
                    worker = self._idle[False].pop()
                elif self._idle[True] and not ticket.general_only:
                    worker = self._idle[True].pop()
                else:
                    continue
                self._waiting.remove(ticket)
                self._running[ticket.client] = self._running.get(ticket.client, 0) + 1
                ticket.grant(worker)
                break
            else:
                return

    def _withdraw(self, ticket: _Ticket) -> _Worker | None:
        """Take ``ticket`` out of the queue; the worker it was granted meanwhile, if any."""
        with self._lock:
            if ticket in self._waiting:
                self._waiting.remove(ticket)
                return None
            return ticket.worker

    def _done_with(self, ticket: _Ticket, worker: _Worker | None, *, keep: bool) -> None:
        """``ticket``'s query no longer needs ``worker``: back to the idle ones (``keep``) or replaced."""
        if worker is None:
            return
        with self._lock:
            self._running[ticket.client] -= 1
            if not self._running[ticket.client]:
                del self._running[ticket.client]
            ticket.worker = None
        if keep:
            self._add(worker)
        else:
            self._replace(worker)

    def _leave(self, ticket: _Ticket) -> None:
        with self._lock:
            self._in_flight[ticket.client] -= 1
            if not self._in_flight[ticket.client]:
                del self._in_flight[ticket.client]

    def _limit(self, worker: _Worker, deadline: float) -> float:
        return min(deadline, time.monotonic() + self.short_timeout) if worker.reserved else deadline

    # --- running a query ------------------------------------------------------------------

    def run(self, task: Task, deadline: float, timeout: float, *, client: str = "local") -> tuple[Any, ...]:
        """Answer ``task`` before ``deadline`` (a :func:`time.monotonic` value) or raise a 503."""
        ticket, worker = self._enter(client)
        try:
            while True:
                if worker is None:
                    ticket.event = threading.Event()
                    self._queue(ticket)
                    if not ticket.event.wait(max(deadline - time.monotonic(), 0.0)):
                        self._done_with(ticket, self._withdraw(ticket), keep=True)  # granted just too late
                        raise _all_busy(timeout)
                    worker = ticket.worker
                    assert worker is not None
                try:
                    return self._ask(ticket, worker, task, deadline, timeout)
                except _ShortOvertime:
                    ticket.general_only = True
                    worker = None
        finally:
            self._leave(ticket)

    def _ask(self, ticket: _Ticket, worker: _Worker, task: Task, deadline: float, timeout: float) -> tuple[Any, ...]:
        keep = False
        try:
            os.set_blocking(worker.recv.fileno(), True)  # the event loop's reader may have left it non-blocking
            worker.send.send(task)
            worker.generation = task.snapshot[2]  # type: ignore[index]
            limit = self._limit(worker, deadline)
            if not worker.recv.poll(max(limit - time.monotonic(), 0.0)):
                raise self._overtime(worker, deadline, timeout)
            answer, recycle = worker.recv.recv()
            keep = not recycle
            return answer  # type: ignore[no-any-return]
        except (EOFError, OSError):
            raise _died(worker) from None
        finally:
            self._done_with(ticket, worker, keep=keep)

    async def run_async(self, task: Task, deadline: float, timeout: float, *,
                        client: str = "local") -> tuple[Any, ...]:
        """:meth:`run` for the event loop: the same answers and errors, and the same time limit."""
        ticket, worker = self._enter(client)
        loop = asyncio.get_running_loop()
        try:
            while True:
                if worker is None:
                    worker = await self._wait_async(ticket, loop, deadline, timeout)
                try:
                    return await self._ask_async(ticket, worker, task, deadline, timeout, loop)
                except _ShortOvertime:
                    ticket.general_only = True
                    worker = None
        finally:
            self._leave(ticket)

    async def _wait_async(self, ticket: _Ticket, loop: asyncio.AbstractEventLoop, deadline: float,
                          timeout: float) -> _Worker:
        """Queue ``ticket`` and wait on the event loop until a worker is granted to it."""
        ticket.loop = loop
        ticket.future = loop.create_future()
        self._queue(ticket)
        try:
            await asyncio.wait_for(asyncio.shield(ticket.future), max(deadline - time.monotonic(), 0.0))
        except TimeoutError:
            self._done_with(ticket, self._withdraw(ticket), keep=True)  # granted just too late
            raise _all_busy(timeout) from None
        except BaseException:  # the caller went away while waiting: its query leaves the queue
            self._done_with(ticket, self._withdraw(ticket), keep=True)
            raise
        assert ticket.worker is not None
        return ticket.worker

    async def _ask_async(self, ticket: _Ticket, worker: _Worker, task: Task, deadline: float, timeout: float,
                         loop: asyncio.AbstractEventLoop) -> tuple[Any, ...]:
        """Send ``task`` and wait for the answer on the event loop: a reader callback collects the answer's
        frame as it arrives (never a blocking read on the loop, whatever its size), a timer stops the wait."""
        keep = False
        done: asyncio.Future[bytes] = loop.create_future()
        fd = worker.recv.fileno()
        frame = _Frame()

        def readable() -> None:
            try:
                payload = frame.feed(os.read(fd, _READ_SIZE))
            except OSError as exc:
                payload = exc
            if payload is not None and not done.done():
                if isinstance(payload, BaseException):
                    done.set_exception(payload)
                else:
                    done.set_result(payload)

        def overtime() -> None:
            if not done.done():
                done.set_exception(TimeoutError())

        try:
            worker.send.send(task)
            worker.generation = task.snapshot[2]  # type: ignore[index]
            loop.add_reader(fd, readable)
            timer = loop.call_later(max(self._limit(worker, deadline) - time.monotonic(), 0.0), overtime)
            try:
                answer, recycle = pickle.loads(await done)
            finally:
                loop.remove_reader(fd)
                timer.cancel()
            keep = not recycle
            return answer  # type: ignore[no-any-return]
        except TimeoutError:
            raise self._overtime(worker, deadline, timeout) from None
        except (EOFError, OSError):
            raise _died(worker) from None
        finally:  # also when cancelled while the worker computes: its late answer must reach nobody
            self._done_with(ticket, worker, keep=keep)

    def _overtime(self, worker: _Worker, deadline: float, timeout: float) -> Exception:
        if worker.reserved and time.monotonic() < deadline:
            return _ShortOvertime()
        return _overtime(timeout)

    def close(self) -> None:
        with self._lock:
            self._closed = True
            workers = list(self._all)
            self._all.clear()
            self._idle = {False: [], True: []}
        for worker in workers:
            worker.kill()


#: Bytes read from a worker's pipe per readable event: a pipe holds 64 KiB (Linux's default), so a larger
#: read returns no more, and it costs: ``os.read`` allocates the whole size first (1 MiB is an ``mmap``,
#: page faults and a ``munmap``, about 45 us per read of a 20 KB answer; 64 KiB comes from the heap).
_READ_SIZE = 1 << 16


class _Frame:
    """One message of :class:`multiprocessing.connection.Connection` (a 4-byte big-endian length, or -1
    and an 8-byte one, then the payload), collected from the chunks a pipe gives."""

    def __init__(self) -> None:
        self.buffer = bytearray()
        self.size: int | None = None
        self.header = 4

    def feed(self, chunk: bytes) -> bytes | EOFError | None:
        """The payload once complete; an :class:`EOFError` when the pipe closed; else None."""
        if not chunk:
            return EOFError("the worker closed its pipe")
        self.buffer += chunk
        if self.size is None and len(self.buffer) >= self.header:
            (size,) = struct.unpack("!i", self.buffer[:4])
            if size == -1:
                self.header = 12
                if len(self.buffer) < 12:
                    return None
                (size,) = struct.unpack("!Q", self.buffer[4:12])
            self.size = size
        if self.size is not None and len(self.buffer) >= self.header + self.size:
            return bytes(self.buffer[self.header:self.header + self.size])
        return None


def _start(config: WorkerConfig, reserved: bool) -> _Worker:
    """A fresh ``python -m conflictkg.sparql.worker`` talking pickles over its stdin and stdout."""
    process = subprocess.Popen(
        [sys.executable, "-m", "conflictkg.sparql.worker"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        close_fds=True,
    )
    assert process.stdin is not None and process.stdout is not None
    send = Connection(os.dup(process.stdin.fileno()), readable=False)
    recv = Connection(os.dup(process.stdout.fileno()), writable=False)
    process.stdin.close()
    process.stdout.close()
    send.send(config)
    return _Worker(process, send, recv, reserved)


def _all_busy(timeout: float) -> QueryError:
    return QueryError(f"every query worker stayed busy for the whole time limit ({timeout:g} s); try again later",
                      code="E056", status=503, retry_after=RETRY_AFTER)


def _overtime(timeout: float) -> QueryError:
    return QueryError(f"the query was stopped at the time limit of {timeout:g} s (--query-timeout); "
                      "narrow it or add a LIMIT", code="E055", status=503, retry_after=RETRY_AFTER)


def _died(worker: _Worker) -> QueryError:
    """The error for a worker that died while answering: E100 when it ran out of memory."""
    try:
        code = worker.process.wait(timeout=1)
    except subprocess.TimeoutExpired:
        code = None
    # pyoxigraph aborts when an allocation fails under RLIMIT_AS; the kernel's OOM killer sends SIGKILL.
    if code in (-signal.SIGABRT, -signal.SIGKILL):
        _, error, status, message = out_of_memory()
        return QueryError(message, code=error, status=status)
    return QueryError(f"the query worker died while answering (exit status {code})", code="E050", status=500)
