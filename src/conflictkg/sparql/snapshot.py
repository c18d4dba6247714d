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
"""

from __future__ import annotations

import shutil
import tempfile
import threading
from collections.abc import Callable, Collection
from pathlib import Path

import pyoxigraph as ox

__all__ = ["Snapshots"]


class Snapshots:
    """Snapshots of one embedded store, one per write generation."""

    def __init__(self, store: ox.Store, store_path: Path | None, generation: Callable[[], int], *,
                 name: str = "snapshots") -> None:
        """``name`` tells apart the snapshot folders of different users of one store (beside the
        store on disk: ``<store>-<name>``)."""
        self._store = store
        self._generation = generation
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
            current = self._current[2] if self._current else None
            keep = set(in_use()) | set(self._leases) | ({current} if current is not None else set())
            for old in [g for g in self._paths if g not in keep]:
                _remove(self._paths.pop(old))

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
