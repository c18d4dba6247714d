"""A pool of query worker processes with a hard time limit per query.

:meth:`WorkerPool.run` waits for an idle worker (up to the query's deadline), sends it the
task and waits for the answer until the deadline. When the deadline passes first, the
worker is killed (SIGKILL: pyoxigraph ignores everything gentler) and a fresh one is
started in the background, and the caller gets a :class:`QueryError` with status 503: the
client is told the truth, never handed a truncated 200. Several workers serve in
parallel, so one heavy query never stalls the others.

Two faces, one protocol: :meth:`WorkerPool.run` blocks its thread (the CLI; the API's slow
paths run it in a thread), :meth:`WorkerPool.run_async` waits on the event loop for the
worker's pipe to become readable (no thread hop: a small query answers a tenth of a
millisecond sooner). When no worker is idle, ``run_async`` waits in a thread with
:meth:`run`, so both kinds of callers queue in the same, fair, queue.

Workers are fresh interpreters (``python -m conflictkg.sparql.worker``: forking a threaded
server is unsafe, and multiprocessing's ``spawn`` would re-import the caller's ``__main__``)
that import only pyoxigraph; they talk pickles over their stdin and stdout.
"""

from __future__ import annotations

import asyncio
import os
import queue
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import Any

from ..errors import QueryError
from .worker import Task

__all__ = ["WorkerPool"]


@dataclass(eq=False)
class _Worker:
    process: subprocess.Popen[bytes]
    send: Connection
    recv: Connection
    generation: int | None = None

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait(timeout=5)
        self.send.close()
        self.recv.close()


def _start() -> _Worker:
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
    return _Worker(process, send, recv)


class WorkerPool:
    """``size`` query workers. Thread-safe; :meth:`close` stops them all."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._idle: queue.Queue[_Worker] = queue.Queue()
        self._all: set[_Worker] = set()
        self._lock = threading.Lock()
        self._closed = False
        self._waiting = 0
        for _ in range(size):
            self._add(_start())

    def _add(self, worker: _Worker) -> None:
        with self._lock:
            if self._closed:
                worker.kill()
                return
            self._all.add(worker)
        self._idle.put(worker)

    def _replace(self, worker: _Worker) -> None:
        with self._lock:
            self._all.discard(worker)
        worker.kill()
        if not self._closed:
            threading.Thread(target=lambda: self._add(_start()), daemon=True).start()

    def generations_in_use(self) -> set[int]:
        """Snapshot generations some worker still holds open."""
        with self._lock:
            return {w.generation for w in self._all if w.generation is not None}

    def run(self, task: Task, deadline: float, timeout: float) -> tuple[Any, ...]:
        """Answer ``task`` before ``deadline`` (a :func:`time.monotonic` value) or raise a 503."""
        with self._lock:
            self._waiting += 1
        try:
            worker = self._idle.get(timeout=max(deadline - time.monotonic(), 0.0))
        except queue.Empty:
            raise _all_busy(timeout) from None
        finally:
            with self._lock:
                self._waiting -= 1
        try:
            worker.send.send(task)
            worker.generation = task["snapshot"][2]
            if worker.recv.poll(max(deadline - time.monotonic(), 0.0)):
                answer = worker.recv.recv()
            else:
                self._replace(worker)
                worker = None  # type: ignore[assignment]
                raise _overtime(timeout)
        except (EOFError, OSError, BrokenPipeError):
            self._replace(worker)
            worker = None  # type: ignore[assignment]
            raise _died() from None
        finally:
            if worker is not None:
                self._idle.put(worker)
        return answer  # type: ignore[no-any-return]

    async def run_async(self, task: Task, deadline: float, timeout: float) -> tuple[Any, ...]:
        """:meth:`run` for the event loop: the same answers and errors, and the same time limit."""
        worker = None
        if not self._waiting:  # never overtake a caller already queued for a worker
            try:
                worker = self._idle.get_nowait()
            except queue.Empty:
                pass
        if worker is None:  # every worker busy: queue up with the blocking callers, in a thread
            return await asyncio.to_thread(self.run, task, deadline, timeout)
        loop = asyncio.get_running_loop()
        readable = loop.create_future()
        fd = worker.recv.fileno()
        try:
            worker.send.send(task)
            worker.generation = task["snapshot"][2]
            loop.add_reader(fd, lambda: readable.done() or readable.set_result(None))
            try:
                await asyncio.wait_for(readable, max(deadline - time.monotonic(), 0.0))
            finally:
                loop.remove_reader(fd)
                os.set_blocking(fd, True)  # uvloop made it non-blocking; recv() needs whole messages
            # The worker writes its whole answer at once: once readable, the rest follows at pipe speed.
            answer = worker.recv.recv()
        except TimeoutError:
            self._replace(worker)
            worker = None  # type: ignore[assignment]
            raise _overtime(timeout) from None
        except (EOFError, OSError, BrokenPipeError):
            self._replace(worker)
            worker = None  # type: ignore[assignment]
            raise _died() from None
        except BaseException:  # cancelled while the worker computes: its late answer must reach nobody
            self._replace(worker)
            worker = None  # type: ignore[assignment]
            raise
        finally:
            if worker is not None:
                self._idle.put(worker)
        return answer  # type: ignore[no-any-return]

    def close(self) -> None:
        with self._lock:
            self._closed = True
            workers = list(self._all)
            self._all.clear()
        for worker in workers:
            worker.kill()


def _all_busy(timeout: float) -> QueryError:
    return QueryError(f"every query worker stayed busy for the whole time limit ({timeout:g} s); try again later",
                      code="E056", status=503)


def _overtime(timeout: float) -> QueryError:
    return QueryError(f"the query was stopped at the time limit of {timeout:g} s (--query-timeout); "
                      "narrow it or add a LIMIT", code="E055", status=503)


def _died() -> QueryError:
    return QueryError("the query worker died while answering (out of memory?)", code="E050", status=500)
