"""Generated benchmark data, cached under ``benchmarks/out/`` (gitignored) and reused across runs.

Two kinds of artefact, each keyed by what decides its content, so a stale one is never reused:

- the synthetic **N-Quads file** of :mod:`.generator`: ``kg-g<GENERATOR_KEY>-s<seed>-<size>.nq``;
- the **on-disk pyoxigraph store** bulk-loaded from it, given the union of its named graphs as its
  default graph (as conflictkg keeps it: :mod:`conflictkg.store`) and optimized (what the server and
  pyoxigraph direct read): ``store-g<GENERATOR_KEY>-s<seed>-<size>-ox<pyoxigraph version>-<STORE_LAYOUT>/``.

Each has a ``.json`` sidecar with what building it measured (quads, seconds, peak RSS, when),
so a report that reuses the artefact can still show, and date, the build time. Artefacts are
built under a temporary name and renamed into place: an interrupted run leaves no half file
that a later run would trust. A cached store is never opened by a benchmark: each run works on
a RocksDB checkpoint of it (:func:`checkpoint`: hard links, instant), because the server opens
its store read-write.

    python -m benchmarks.datasets --sizes 1000000,10000000     # build (or show) the cache
"""

from __future__ import annotations

import hashlib

import argparse
import datetime as dt
import json
import multiprocessing as mp
import os
import resource
import shutil
import time
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

from conflictkg.store import UNION_MARKER, union_marked

from . import generator
from .generator import GENERATOR_VERSION, write_nquads

#: How the cached stores are laid out beyond the generated quads (u1: the union of the named graphs
#: is the stored default graph, as conflictkg keeps it). Part of the cached store's name.
STORE_LAYOUT = "u1"

__all__ = ["OUT", "Artefact", "checkpoint", "nquads_file", "oxigraph_store"]

ROOT = Path(__file__).resolve().parents[1]
OUT = Path(os.environ.get("CONFLICTKG_BENCH_OUT", ROOT / "benchmarks" / "out"))
"""Where cached artefacts live (``CONFLICTKG_BENCH_OUT`` overrides, e.g. for the smoke test)."""


@dataclass(frozen=True)
class Artefact:
    path: Path
    quads: int
    seconds: float
    """How long building it took (when it was built, see ``built``)."""
    max_rss_mib: float | None
    built: str
    """UTC time it was built, ``YYYY-MM-DD HH:MM``."""
    cached: bool
    """True when this run reused it rather than building it."""

    def note(self) -> str:
        return f"cached, built {self.built} UTC" if self.cached else "built in this run"



#: What decides the generator's output: its version and a digest of its source, so a change to
#: the generator can never reuse a stale cached file or store (even when nobody bumps the version).
GENERATOR_KEY = f"{GENERATOR_VERSION}.{hashlib.sha256(Path(generator.__file__).read_bytes()).hexdigest()[:8]}"

def _meta(path: Path) -> Path:
    return path.with_name(path.name + ".json")


def _read(path: Path) -> Artefact | None:
    meta = _meta(path)
    if not (path.exists() and meta.exists()):
        return None
    try:
        m = json.loads(meta.read_text(encoding="utf-8"))
        return Artefact(path, int(m["quads"]), float(m["seconds"]), m.get("max_rss_mib"), str(m["built"]), True)
    except (ValueError, KeyError, OSError):
        return None


def _write(path: Path, quads: int, seconds: float, rss: float | None) -> Artefact:
    built = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M")
    tmp = _meta(path).with_suffix(".tmp")
    tmp.write_text(json.dumps({"quads": quads, "seconds": seconds, "max_rss_mib": rss, "built": built}),
                   encoding="utf-8")
    os.replace(tmp, _meta(path))
    return Artefact(path, quads, seconds, rss, built, False)


def nquads_file(size: int, seed: int = 1, *, out: Path | None = None, reuse: bool = True) -> Artefact:
    """The synthetic graph of about ``size`` quads as an N-Quads file (generated unless cached)."""
    folder = out or OUT
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"kg-g{GENERATOR_KEY}-s{seed}-{size}.nq"
    if reuse and (found := _read(path)) is not None:
        return found
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    start = time.perf_counter()
    quads = write_nquads(tmp, size, seed)
    seconds = time.perf_counter() - start
    os.replace(tmp, path)
    return _write(path, quads, seconds, None)


def _load_child(nquads: str, target: str, queue: Any) -> None:  # pragma: no cover - child process
    import pyoxigraph as ox

    from conflictkg.store import EmbeddedStore

    start = time.perf_counter()
    store = ox.Store(target)
    store.bulk_load(path=nquads, format=ox.RdfFormat.N_QUADS)
    n = len(store)
    del store
    wrapped = EmbeddedStore(Path(target))  # the default graph conflictkg keeps: the union of the named graphs
    wrapped.build_union_default_graph()
    wrapped.oxigraph.optimize()  # as pyoxigraph advises after a batch upload: a store in service has compacted
    wrapped.close()
    del wrapped
    queue.put((time.perf_counter() - start, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, n))


def oxigraph_store(source: Artefact, *, out: Path | None = None, reuse: bool = True,
                   cap: float = 3600.0) -> Artefact | str:
    """The on-disk pyoxigraph store of ``source`` (bulk_load, the union default graph, then optimize), loaded in a child process
    (a clean peak RSS) unless cached; a string says why there is none."""
    folder = out or OUT
    name = source.path.name.removesuffix(".nq").replace("kg-", "store-", 1)
    path = folder / f"{name}-ox{metadata.version('pyoxigraph')}-{STORE_LAYOUT}"
    if reuse and (found := _read(path)) is not None:
        return found
    shutil.rmtree(path, ignore_errors=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    ctx = mp.get_context("spawn")
    queue = ctx.Queue()
    proc = ctx.Process(target=_load_child, args=(str(source.path), str(tmp), queue))
    proc.start()
    proc.join(cap)
    if proc.is_alive():
        proc.kill()
        proc.join()
        shutil.rmtree(tmp, ignore_errors=True)
        return f"did not finish within {cap:.0f} s"
    if queue.empty():
        shutil.rmtree(tmp, ignore_errors=True)
        return f"failed (exit code {proc.exitcode})"
    seconds, rss, quads = queue.get()
    os.replace(tmp, path)
    return _write(path, quads, seconds, rss)


def checkpoint(store: Artefact, target: Path) -> Path:
    """A private copy of the cached store at ``target`` (a RocksDB checkpoint: hard links, instant)."""
    import pyoxigraph as ox

    shutil.rmtree(target, ignore_errors=True)
    source = ox.Store.read_only(str(store.path))
    source.backup(str(target))
    del source
    if union_marked(store.path):  # conflictkg's marker file is no RocksDB file: a checkpoint leaves it out
        shutil.copy2(store.path / UNION_MARKER, target / UNION_MARKER)
    return target


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Build (or show) the cached benchmark data.")
    parser.add_argument("--sizes", default="1000000")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--fresh", action="store_true", help="rebuild even what is cached")
    args = parser.parse_args(argv)
    for size in (int(x) for x in args.sizes.replace("_", "").split(",") if x):
        nq = nquads_file(size, args.seed, reuse=not args.fresh)
        print(f"{nq.path.name}: {nq.quads:,} quads, {nq.seconds:.1f} s ({nq.note()})")
        st = oxigraph_store(nq, reuse=not args.fresh)
        if isinstance(st, str):
            print(f"store: {st}")
        else:
            print(f"{st.path.name}: {st.seconds:.1f} s, {st.max_rss_mib or 0:,.0f} MiB ({st.note()})")
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
