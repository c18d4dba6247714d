"""Who holds the embedded store: opening it beside a running ``conflictkg serve``.

RocksDB lets one process write a store (it holds ``LOCK`` in the store folder). While
``conflictkg serve`` runs on a store:

* commands that only read (``claims``, ``query``, ``export``, ``validate``, ...) open it
  read-only (:meth:`pyoxigraph.Store.read_only`) and see it as it was when they opened it;
* commands that write (``build``, ``add``) stop with E110 naming the server, or, for ``add``
  given the server's token, go through the server's HTTP API.

``serve`` leaves a small record beside the store (:class:`ServerRecord`, ``<store>.server.json``:
its address and process id) so that the others can name it, and removes it when it stops.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path

import pyoxigraph as ox

from .errors import ConfigError
from .store import EmbeddedStore, union_marked

__all__ = ["ServerRecord", "StoreBusy", "ReadOnlyStore", "open_embedded", "SERVER_RECORD_SUFFIX"]

#: ``serve`` writes its record to ``<store folder name>`` + this suffix, beside the store folder.
SERVER_RECORD_SUFFIX = ".server.json"


@dataclass(frozen=True)
class ServerRecord:
    """What ``conflictkg serve`` says about itself beside the store it holds."""

    url: str
    pid: int
    writes: bool
    """Whether it accepts writes (it was started with a token)."""

    @staticmethod
    def path_for(store: Path) -> Path:
        return store.with_name(store.name + SERVER_RECORD_SUFFIX)

    def write(self, store: Path) -> Path:
        path = self.path_for(store)
        tmp = path.with_name(f".{path.name}.{os.getpid()}")
        tmp.write_text(json.dumps(asdict(self)), encoding="utf-8")
        os.replace(tmp, path)
        return path

    @classmethod
    def remove(cls, store: Path) -> None:
        """Remove this process's record (a record another process wrote stays)."""
        path = cls.path_for(store)
        try:
            if json.loads(path.read_text(encoding="utf-8")).get("pid") == os.getpid():
                path.unlink(missing_ok=True)
        except (OSError, ValueError, AttributeError):
            pass

    @classmethod
    def read(cls, store: Path) -> ServerRecord | None:
        """The record of a server that is still running, or None."""
        try:
            data = json.loads(cls.path_for(store).read_text(encoding="utf-8"))
            record = cls(url=str(data["url"]), pid=int(data["pid"]), writes=bool(data["writes"]))
        except (OSError, ValueError, KeyError, TypeError):
            return None
        return record if _alive(record.pid) else None

    def describe(self) -> str:
        return f"`conflictkg serve` at {self.url} (process {self.pid})"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    except OSError:
        return False
    return True


class StoreBusy(ConfigError):
    """The store is held by another process; ``server`` is the running server holding it, if known."""

    code = "E110"

    def __init__(self, store: Path, server: ServerRecord | None) -> None:
        holder = server.describe() if server else "another conflictkg process"
        advice = ("stop it first" if server is None else
                  "stop it first, or add articles through it with `conflictkg add --token TOKEN ...`"
                  + ("" if server.writes else " (it must be started with --token to accept them)"))
        super().__init__(f"cannot write to the store {store}: it is in use by {holder}; {advice}", code="E110")
        self.store = store
        self.server = server


class ReadOnlyStore(EmbeddedStore):
    """The embedded store opened read-only beside the process that writes it.

    It reports ``path = None`` so that nothing treats it as its own folder (the SPARQL
    service then answers from private in-memory snapshots, never touching the server's);
    the folder is :attr:`location`. Every write is refused with E112.
    """

    read_only = True

    def __init__(self, location: Path, holder: ServerRecord | None) -> None:  # noqa: D107 - no super().__init__: no folder to create
        self.path = None
        self.location = location
        self.holder = holder
        self.generation = 0
        self.union_default_graph = union_marked(location)  # else its queries read pyoxigraph's union view
        try:
            self._store = ox.Store.read_only(str(location))
        except OSError as exc:
            raise ConfigError(f"cannot open the store {location} read-only: {exc}", code="E111") from None

    def _refuse(self, *args: object, **kwargs: object) -> None:
        holder = self.holder.describe() if self.holder else "another conflictkg process"
        raise ConfigError(f"the store {self.location} is open read-only here because {holder} holds it; "
                          "write through that server, or stop it first", code="E112")

    replace_graph = replace_graphs = drop_graph = update = add_quads = _refuse  # type: ignore[assignment]

    def close(self) -> None:
        del self._store


def open_embedded(path: Path, *, writes: bool) -> EmbeddedStore:
    """The store at ``path`` for writing; when another process holds it, read-only (``writes``
    False) or :class:`StoreBusy` naming that process (``writes`` True). A folder that is not
    a store, or cannot be opened, is E111."""
    try:
        return EmbeddedStore(path)
    except OSError as exc:
        if "lock" not in str(exc).lower():
            raise ConfigError(f"cannot open the store {path}: {exc}", code="E111") from None
    server = ServerRecord.read(path)
    if writes:
        raise StoreBusy(path, server)
    return ReadOnlyStore(path, server)
