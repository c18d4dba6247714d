"""A pool of query worker processes with a hard time limit per query.

:meth:`WorkerPool.run` waits for an idle worker (up to the query's deadline), sends it the
task and waits for the answer until the deadline. When the deadline passes first, the
worker is killed (SIGKILL: pyoxigraph ignores everything gentler) and a fresh one is
started in the background, and the caller gets a :class:`QueryError` with status 503: the
client is told the truth, never handed a truncated 200. Several workers serve in
parallel, so one heavy query never stalls the others; callers run :meth:`run` in a thread
(the API does), so the event loop never blocks.

Workers are fresh interpreters (``python -m conflictkg.sparql.worker``: forking a threaded
server is unsafe, and multiprocessing's ``spawn`` would re-import the caller's ``__main__``)
that import only pyoxigraph; they talk pickles over their stdin and stdout.
"""

from __future__ import annotations

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
        try:
            worker = self._idle.get(timeout=max(deadline - time.monotonic(), 0.0))
        except queue.Empty:
            raise QueryError(
                f"every query worker stayed busy for the whole time limit ({timeout:g} s); try again later",
                code="E056", status=503) from None
        try:
            worker.send.send(task)
            worker.generation = task["snapshot"][2]
            if worker.recv.poll(max(deadline - time.monotonic(), 0.0)):
                answer = worker.recv.recv()
            else:
                self._replace(worker)
                worker = None  # type: ignore[assignment]
                raise QueryError(
                    f"the query was stopped at the time limit of {timeout:g} s (--query-timeout); "
                    "narrow it or add a LIMIT", code="E055", status=503)
        except (EOFError, OSError, BrokenPipeError):
            self._replace(worker)
            worker = None  # type: ignore[assignment]
            raise QueryError("the query worker died while answering (out of memory?)", code="E050",
                             status=500) from None
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
