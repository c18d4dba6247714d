"""Read-only snapshots of the embedded store for the query workers.

Design: the server process is the only writer. Opening a RocksDB store read-only from
another process while it is being written is undefined behaviour in pyoxigraph, so
workers never open the live store. Instead, every *write generation* (the store counts its
writes in ``EmbeddedStore.generation``) gets its own snapshot:

* a store on disk is checkpointed with ``Store.backup`` into
  ``<store>-snapshots/gen-<n>`` (RocksDB hard-links its immutable files, so this is cheap
  and atomic) and workers open that directory with ``Store.read_only``: nobody ever writes
  to it;
* an in-memory store (tests, benchmarks) is dumped to ``gen-<n>.nq`` in a temporary
  directory and workers load it into memory.

A snapshot is taken lazily, by the first query after a write, so queries always see every
write that finished before they started (read-your-writes), and a query that started earlier
keeps its consistent older view. Snapshots that no worker and no query in flight holds any more
are deleted.

With ``serve --workers N`` (:mod:`conflictkg.serving`) the writer *publishes* every generation
(:meth:`Snapshots.publish`, eagerly, after each write): the snapshot is taken and recorded in
``CURRENT`` in the snapshots' folder, where the reader processes find it
(:class:`PublishedSnapshots`). Other processes' leases are invisible here, so a published
snapshot is deleted only once it has been superseded for longer than ``retain`` seconds (more
than any query may run). Every user of a store gets its snapshots through :func:`snapshots_of`:
the store's shared ones when it has them, else its own.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import threading
import time
from collections.abc import Callable, Collection
from pathlib import Path
from typing import Any, Protocol

import pyoxigraph as ox

__all__ = ["Snapshots", "PublishedSnapshots", "SnapshotSource", "snapshots_of", "close_snapshots", "CURRENT_FILE",
           "read_current"]

#: The record of the published snapshot, in the snapshots' folder (:meth:`Snapshots.publish`).
CURRENT_FILE = "CURRENT"
Snapshot = tuple[str, str, int]


class SnapshotSource(Protocol):
    """Where the query workers and the projection builder get the store's snapshots."""

    root: Path

    def acquire(self) -> Snapshot: ...

    def acquire_current(self) -> Snapshot | None: ...

    def release(self, generation: int, in_use: Callable[[], Collection[int]]) -> None: ...

    def close(self) -> None: ...


def snapshots_of(store: Any, name: str) -> SnapshotSource:
    """The snapshots a user of ``store`` (an embedded store) reads: the ones the store shares
    (``store.shared_snapshots``: the published ones of ``serve --workers``), else its own, in
    ``<store>-<name>``. Close them with :func:`close_snapshots`."""
    shared = getattr(store, "shared_snapshots", None)
    if shared is not None:
        return shared  # type: ignore[no-any-return]
    return Snapshots(store.oxigraph, store.path, lambda: store.generation, name=name)


def close_snapshots(store: Any, snapshots: SnapshotSource) -> None:
    """Close ``snapshots`` unless they are the store's shared ones (their owner closes those)."""
    if snapshots is not getattr(store, "shared_snapshots", None):
        snapshots.close()


def read_current(root: Path) -> dict[str, Any] | None:
    """The published snapshot's record (``generation``, ``path``, ``union``), or None when there is none."""
    try:
        return json.loads((root / CURRENT_FILE).read_text(encoding="utf-8"))  # type: ignore[no-any-return]
    except (OSError, ValueError):
        return None


class Snapshots:
    """Snapshots of one embedded store, one per write generation."""

    def __init__(self, store: ox.Store, store_path: Path | None, generation: Callable[[], int], *,
                 name: str = "snapshots", retain: float | None = None) -> None:
        """``name`` tells apart the snapshot folders of different users of one store (beside the
        store on disk: ``<store>-<name>``). ``retain``: seconds a superseded snapshot stays on disk
        for other processes (published snapshots); None: it goes as soon as nobody here holds it."""
        self._store = store
        self._generation = generation
        self.retain = retain
        self._superseded: dict[int, float] = {}
        if store_path is not None:
            self.root = store_path.parent / f"{store_path.name}-{name}"
            shutil.rmtree(self.root, ignore_errors=True)  # left by a killed server; the store's lock makes us its only user
            self.root.mkdir(parents=True, exist_ok=True)
            self.kind = "rocksdb"
        else:
            self.root = Path(tempfile.mkdtemp(prefix=f"conflictkg-{name}-"))
            self.kind = "nquads"
        self._lock = threading.Lock()
        self._current: tuple[str, str, int] | None = None
        self._paths: dict[int, Path] = {}
        self._leases: dict[int, int] = {}

    def acquire(self) -> tuple[str, str, int]:
        """(kind, path, generation) of a snapshot holding every write made so far; it stays on disk
        until :meth:`release` (and while a worker holds it)."""
        with self._lock:
            generation = self._generation()
            if self._current is None or self._current[2] != generation:
                path = self.root / (f"gen-{generation}" if self.kind == "rocksdb" else f"gen-{generation}.nq")
                _remove(path)
                if self.kind == "rocksdb":
                    self._store.flush()
                    self._store.backup(str(path))
                else:
                    self._store.dump(output=str(path), format=ox.RdfFormat.N_QUADS)
                self._paths[generation] = path
                if self._current is not None:
                    self._superseded[self._current[2]] = time.monotonic()
                self._current = (self.kind, str(path), generation)
            self._leases[self._current[2]] = self._leases.get(self._current[2], 0) + 1
            return self._current

    def acquire_current(self) -> tuple[str, str, int] | None:
        """:meth:`acquire` when the current snapshot already holds every write, else None: it never
        takes a snapshot (disk work), so the event loop may call it."""
        with self._lock:
            current = self._current
            if current is None or current[2] != self._generation():
                return None
            self._leases[current[2]] = self._leases.get(current[2], 0) + 1
            return current

    def release(self, generation: int, in_use: Callable[[], Collection[int]]) -> None:
        """Give back a lease, and delete the snapshots nobody needs any more (``in_use``: the generations
        the workers hold open; asked only when an older generation lost its last lease)."""
        with self._lock:
            left = self._leases[generation] - 1
            if left:
                self._leases[generation] = left
            else:
                del self._leases[generation]
            if len(self._paths) <= 1:  # only the current snapshot (the common case): nothing to delete
                return
            self._clean(in_use)

    def _clean(self, in_use: Callable[[], Collection[int]]) -> None:
        current = self._current[2] if self._current else None
        keep = set(in_use()) | set(self._leases) | ({current} if current is not None else set())
        if self.retain is not None:
            recent = time.monotonic() - self.retain
            keep |= {g for g, when in self._superseded.items() if when > recent}
        for old in [g for g in self._paths if g not in keep]:
            _remove(self._paths.pop(old))
            self._superseded.pop(old, None)

    def publish(self, union: bool) -> Snapshot:
        """Take the snapshot of the current generation (if not taken yet) and record it in ``CURRENT``
        for the reader processes (``union``: its default graph is the union of the named graphs);
        superseded snapshots older than ``retain`` go."""
        snapshot = self.acquire()
        kind, path, generation = snapshot
        record = json.dumps({"generation": generation, "path": Path(path).name, "union": union, "pid": os.getpid()})
        tmp = self.root / f".{CURRENT_FILE}.{os.getpid()}"
        tmp.write_text(record, encoding="utf-8")
        os.replace(tmp, self.root / CURRENT_FILE)
        with self._lock:
            self._leases[generation] -= 1
            if not self._leases[generation]:
                del self._leases[generation]
            self._clean(tuple)
        return snapshot

    def close(self) -> None:
        with self._lock:
            self._paths.clear()
            self._current = None
            shutil.rmtree(self.root, ignore_errors=True)


def _remove(path: Path) -> None:
    if path.is_dir():
        shutil.rmtree(path, ignore_errors=True)
    elif path.exists():
        path.unlink()


class PublishedSnapshots:
    """A reader process's view of the snapshots the writer publishes (``serve --workers``): the
    current one is the one its store has open (:class:`conflictkg.serving.ReaderStore`); the writer
    keeps and deletes them, so there is nothing to release or remove here."""

    def __init__(self, root: Path, current: Callable[[], Snapshot]) -> None:
        self.root = root
        self._current = current

    def acquire(self) -> Snapshot:
        return self._current()

    def acquire_current(self) -> Snapshot:
        return self._current()

    def release(self, generation: int, in_use: Callable[[], Collection[int]]) -> None:
        return None

    def close(self) -> None:
        return None
