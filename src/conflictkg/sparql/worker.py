"""The query worker: a child process that answers SPARQL queries from a store snapshot.

pyoxigraph cannot cancel a query, so queries never run in the server process: each runs in
one of these workers, which the parent kills when the time limit passes (see
:mod:`conflictkg.sparql.pool`). A worker opens the snapshot a task names (a RocksDB
checkpoint opened read-only, or an N-Quads dump loaded into memory), keeps it open for the
next task of the same generation, runs the query, enforces the row cap while reading the
solutions, and sends back the serialized body. It imports pyoxigraph and
:mod:`conflictkg.sparql.formats` only, so it starts quickly.

Before its first task a worker confines itself (:mod:`.sandbox`): no network connections, read
access only to the snapshots and the Python installation, no writes, and an address-space cap.

Messages (pickled over a pipe): the parent first sends a :class:`WorkerConfig` dict and the
worker answers ``("ready", confinement)``; then for each :class:`Task` (a small tuple: what one
query needs and nothing else) the worker answers ``(answer, recycle)``, where ``answer`` is
``("ok", media_type, body, rows)`` (``rows`` None when they were not counted) or ``("error",
code, status, message)`` and ``recycle`` says that the worker's peak memory grew by more than
``WorkerConfig.recycle_bytes`` since it opened its snapshot: the pool then replaces it, so a
heavy query's memory is given back to the system.

SELECT results are written by pyoxigraph's own serializers. The row cap holds because the screen
wrote the outermost LIMIT (:meth:`.screen.QueryPlan.to_run`): a task says whether that LIMIT is
already within the cap (``"bounded"``: nothing to check), is the cap plus one (``"count"``: a
body too short to hold that many rows is fine as it is, a longer one is counted), or could not
be written (``"stream"``: the rows are counted as they are read, as for CONSTRUCT).
"""

from __future__ import annotations

import gc
import os
import re
import sys
from multiprocessing.connection import Connection
from typing import Any, NamedTuple, TypedDict

import pyoxigraph as ox

from .formats import BOOLEAN_FORMATS, RESULT_FORMATS, convert_results, serialize_triples, solutions_json
from .sandbox import Confinement, confine

__all__ = ["Task", "WorkerConfig", "serve", "run_task", "open_snapshot", "peak_rss", "out_of_memory", "count_rows",
           "encode_result"]


class WorkerConfig(TypedDict):
    readable: list[str]
    """Folders the worker may read after confinement (the snapshots)."""
    memory_limit: int | None
    """Address-space cap in bytes (``RLIMIT_AS``), or None."""
    recycle_bytes: int
    """Growth of the peak RSS after which the worker asks to be replaced."""
    confine: bool
    """False only in tests that show what the confinement prevents."""
    prefixes: dict[str, str]
    """Prefixes for Turtle and RDF/XML answers (CONSTRUCT, DESCRIBE)."""


class Task(NamedTuple):
    """One query for a worker (or the remote store): the text the screen passed and how to answer it."""

    snapshot: tuple[str, str, int] | None
    """(kind ``rocksdb`` | ``nquads``, path, generation); None for the remote store."""
    query: str
    media_type: str
    max_rows: int
    check: str
    """How the answer is held to ``max_rows``: ``bounded``, ``count`` or ``stream`` (module doc)."""
    union: bool = False
    """Read pyoxigraph's union view as the default graph (a store whose own default graph is not the union yet)."""
    default_graph: list[str] | None = None
    named_graphs: list[str] | None = None
    substitutions: dict[str, Any] | None = None
    base_iri: str | None = None
    graph_iris: tuple[str, ...] = ()
    """IRIs of ``GRAPH <...>`` patterns (the remote store's dataset)."""
    page: tuple[int, int] | None = None
    """(limit, offset) the remote store applies to the rows it reads (a worker's text has them written)."""


def open_snapshot(kind: str, path: str) -> ox.Store:
    """The store a snapshot names, opened for reading only."""
    if kind == "rocksdb":
        return ox.Store.read_only(path)
    store = ox.Store()
    store.bulk_load(path=path, format=ox.RdfFormat.N_QUADS)
    return store


def _too_many(max_rows: int, what: str) -> tuple[str, str, int, str]:
    return ("error", "E057", 422,
            f"the result has more than {max_rows} {what}, the configured cap (--max-rows); "
            "add a LIMIT or narrow the query")


#: The fewest bytes one more row adds to a results body, per format: a body shorter than this many
#: times (cap + 1) cannot hold cap + 1 rows (JSON ``{},``; XML ``<result></result>``; CSV and TSV a line end).
_ROW_BYTES = {ox.QueryResultsFormat.JSON: 3, ox.QueryResultsFormat.XML: 17, ox.QueryResultsFormat.CSV: 2,
              ox.QueryResultsFormat.TSV: 1}
_CSV_QUOTED = re.compile(rb'"(?:[^"]|"")*"')


def count_rows(body: bytes, fmt: ox.QueryResultsFormat) -> int:
    """The solutions in a results body pyoxigraph wrote (CSV cannot be read back: its line ends
    outside quoted fields are counted)."""
    if fmt == ox.QueryResultsFormat.CSV:
        return _CSV_QUOTED.sub(b"", body).count(b"\r\n") - 1
    return sum(1 for _ in ox.parse_query_results(body, format=fmt))  # type: ignore[union-attr]


def encode_result(result: Any, media_type: str, max_rows: int, prefixes: dict[str, str] | None,
                  check: str = "stream", page: tuple[int, int] | None = None) -> tuple[Any, ...]:
    """A query result (boolean, solutions, or triples) as the answer tuple ``("ok", media type, body, count)``,
    or ``("error", code, status, message)`` when the media type cannot carry it or it has more than
    ``max_rows`` rows. ``check`` says how solutions are held to ``max_rows`` (module doc); ``page``
    (limit, offset) keeps those solutions only. Used by the query workers and by the remote store."""
    if isinstance(result, ox.QueryBoolean):
        if media_type not in BOOLEAN_FORMATS:
            return ("error", "E059", 406, f"an ASK result cannot be given as {media_type}")
        return ("ok", media_type, result.serialize(format=BOOLEAN_FORMATS[media_type]), 1)
    if isinstance(result, ox.QuerySolutions):
        if check != "stream":
            fmt = RESULT_FORMATS[media_type]
            body = result.serialize(format=fmt)
            rows = None
            if check == "count" and len(body) >= _ROW_BYTES[fmt] * (max_rows + 1):
                rows = count_rows(body, fmt)
                if rows > max_rows:
                    return _too_many(max_rows, "rows")
            return ("ok", media_type, body, rows)
        names = [v.value for v in result.variables]
        rows_read = []
        limit, skip = page if page is not None else (max_rows + 1, 0)
        for solution in result:
            if skip:
                skip -= 1
                continue
            if len(rows_read) == limit:
                break
            if len(rows_read) == max_rows:
                return _too_many(max_rows, "rows")
            rows_read.append([solution[n] for n in names])
        return ("ok", media_type, convert_results(solutions_json(names, rows_read), media_type), len(rows_read))
    triples = []
    for triple in result:
        if len(triples) == max_rows:
            return _too_many(max_rows, "triples")
        triples.append(triple)
    return ("ok", media_type, serialize_triples(triples, media_type, prefixes), len(triples))


def run_task(store: ox.Store, task: Task, prefixes: dict[str, str] | None = None) -> tuple[Any, ...]:
    """Run one query on ``store``: the worker's answer tuple."""
    kwargs: dict[str, Any] = {}
    if task.base_iri is not None:
        kwargs["base_iri"] = task.base_iri
    if task.default_graph is not None:
        kwargs["default_graph"] = [ox.NamedNode(g) for g in task.default_graph]
    elif task.union:
        kwargs["use_default_graph_as_union"] = True
    if task.named_graphs is not None:
        kwargs["named_graphs"] = [ox.NamedNode(g) for g in task.named_graphs]
    if task.substitutions:
        kwargs["substitutions"] = {ox.Variable(k): v for k, v in task.substitutions.items()}
    try:
        return encode_result(store.query(task.query, **kwargs), task.media_type, task.max_rows, prefixes, task.check)
    except SyntaxError as exc:
        return ("error", "E051", 400, f"malformed SPARQL query: {exc}")
    except KeyError as exc:  # a media type the form cannot take
        return ("error", "E059", 406, f"this result cannot be given as {exc}")
    except MemoryError:
        return out_of_memory()
    except RuntimeError as exc:  # pyoxigraph's evaluation errors (an unknown function, ...): the query's fault
        return ("error", "E094", 400, f"the query cannot be evaluated: {exc}")
    except (OSError, ValueError, TypeError) as exc:
        return ("error", "E050", 500, f"the query failed: {exc}")


def out_of_memory() -> tuple[str, str, int, str]:
    """The answer to a query that needed more memory than a worker may use."""
    return ("error", "E100", 422, "the query needed more memory than a query worker may use (--worker-memory); "
            "narrow it or add a LIMIT")


#: ``/proc/self/status``, opened before the worker confines itself (Landlock may then forbid it).
_STATUS: int | None = None


def _open_status() -> None:
    global _STATUS
    try:
        _STATUS = os.open("/proc/self/status", os.O_RDONLY)
    except OSError:  # not Linux
        _STATUS = None


def peak_rss() -> int:
    """This process's peak resident memory in bytes (0 where the platform does not say).

    On Linux this is ``VmHWM``, the peak of this program's own memory. ``ru_maxrss`` is not:
    the kernel carries it over ``fork`` and ``exec``, so a worker started by a large server
    would report the server's size and never see its own growth."""
    if _STATUS is not None:
        for line in os.pread(_STATUS, 8192, 0).decode("ascii", "replace").splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    try:
        import resource
    except ImportError:  # pragma: no cover - Windows
        return 0
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return int(peak) * (1 if sys.platform == "darwin" else 1024)


def serve(recv: Connection, send: Connection, recycle_bytes: int,
          prefixes: dict[str, str] | None = None) -> None:  # pragma: no cover - child process
    """The worker's loop: receive a task, answer it, until the pipe closes. The snapshot a task names
    stays open for the next tasks of the same generation."""
    opened: tuple[int, ox.Store] | None = None
    baseline = peak_rss()
    while True:
        try:
            task: Task = recv.recv()
        except (EOFError, OSError):
            return
        kind, path, generation = task.snapshot  # type: ignore[misc]
        if opened is None or opened[0] != generation:
            opened = None
            gc.collect()  # close the previous snapshot before opening the next
            try:
                opened = (generation, open_snapshot(kind, path))
            except MemoryError:
                send.send((out_of_memory(), True))
                continue
            except OSError as exc:
                send.send((("error", "E050", 500, f"cannot open the store snapshot: {exc}"), False))
                continue
            baseline = peak_rss()
        answer = run_task(opened[1], task, prefixes)
        recycle = answer[:2] == ("error", "E100") or peak_rss() - baseline > recycle_bytes
        send.send((answer, recycle))


def main() -> None:  # pragma: no cover - runs in the child process
    """Entry point of ``python -m conflictkg.sparql.worker``: a :class:`WorkerConfig` then tasks on
    stdin, answers on stdout."""
    recv = Connection(os.dup(0), writable=False)
    send = Connection(os.dup(1), readable=False)
    os.dup2(2, 1)  # stray prints go to stderr, never into the answer stream
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)
    try:
        config: WorkerConfig = recv.recv()
    except (EOFError, OSError):
        return
    _open_status()
    if config["confine"]:
        confinement = confine(readable=config["readable"], memory_limit=config["memory_limit"])
    else:
        confinement = Confinement(network=None, files=None, memory=None, missing=("confinement disabled",))
    try:
        send.send(("ready", confinement.to_dict()))
        serve(recv, send, config["recycle_bytes"], config.get("prefixes"))
    except BrokenPipeError:
        return  # the parent went away (a command that exited): nobody is left to answer


if __name__ == "__main__":  # pragma: no cover
    main()
