"""SHACL gate benchmark: per-article validation cost must not grow with the store.

Builds two in-memory stores from the synthetic generator (:mod:`benchmarks.generator`):

- *empty*: no articles, only the dictionary graph the articles refer to;
- *large*: about ``--triples`` triples (one million by default): dictionary plus articles.

Then times :meth:`ShapeValidator.validate_delta` on the same fresh articles (of the same
synthetic world: same dictionary, events shared with the stored articles) against both,
``--repeats`` times each, and reports the medians side by side with their ratio (target:
under 1.5). Finally it validates the whole large store (:meth:`ShapeValidator.validate_store`:
rdflib copy of the store, then pySHACL over everything) in a child process stopped after
``--full-timeout`` seconds, and reports the time or that it did not finish.

    python -m benchmarks.validation --triples 1000000
    python -m benchmarks.validation --triples 20000          # smoke size
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, field

from conflictkg.store import EmbeddedStore
from conflictkg.validation import ShapeValidator

from .generator import DICTIONARY_GRAPH_IRI, GeneratorConfig, _articles_for, article_graphs, iter_graphs, write_nquads

DEFAULT_TRIPLES = 1_000_000
DEFAULT_SAMPLES = 10
DEFAULT_REPEATS = 5
#: Seconds the whole-store validation may run before it is stopped (pySHACL is slow at 1M).
DEFAULT_FULL_TIMEOUT = 1800.0
TARGET_RATIO = 1.5


@dataclass
class Result:
    triples_empty: int = 0
    triples_large: int = 0
    per_article_empty: list[float] = field(default_factory=list)
    per_article_large: list[float] = field(default_factory=list)
    context_empty: list[int] = field(default_factory=list)
    context_large: list[int] = field(default_factory=list)
    verdicts_agree: bool = True
    full_seconds: float | None = None
    full_status: str = "not run"
    full_conforms: bool | None = None
    load_seconds: float = 0.0

    @property
    def ratio(self) -> float:
        return statistics.median(self.per_article_large) / statistics.median(self.per_article_empty)

    def markdown(self, *, samples: int, repeats: int, timeout: float) -> str:
        ms = lambda xs: f"{1000 * statistics.median(xs):.1f} ms"
        rows = [
            "| | empty store (dictionary only) | large store |",
            "|---|---:|---:|",
            f"| triples in the store | {self.triples_empty:,} | {self.triples_large:,} |",
            (f"| per-article `validate_delta`, median of {samples} articles x {repeats} runs "
             f"| {ms(self.per_article_empty)} | {ms(self.per_article_large)} |"),
            ("| triples validated per article (delta + context), median "
             f"| {statistics.median(self.context_empty):,.0f} | {statistics.median(self.context_large):,.0f} |"),
            f"| ratio large / empty (target < {TARGET_RATIO}) | | **{self.ratio:.2f}** |",
        ]
        if self.full_seconds is not None:
            full = f"{self.full_seconds:.1f} s ({self.full_status})"
        else:
            full = self.full_status
        rows.append(f"| whole-store `validate_store` (pySHACL, cap {timeout:.0f} s) | | {full} |")
        rows.append(f"| bulk load of the large store | | {self.load_seconds:.1f} s |")
        return "\n".join(rows)


def _full_validation(nquads: str, queue: mp.Queue) -> None:  # pragma: no cover - runs in a child process
    import pyoxigraph as ox

    store = EmbeddedStore(None)
    with open(nquads, "rb") as fh:
        store.oxigraph.bulk_load(fh, format=ox.RdfFormat.N_QUADS)
    validator = ShapeValidator()
    validator.shapes  # noqa: B018 - parse the shapes before timing
    start = time.perf_counter()
    report = validator.validate_store(store)
    queue.put((time.perf_counter() - start, report.conforms, report.summary()))


def run(triples: int, *, seed: int = 1, samples: int = DEFAULT_SAMPLES, repeats: int = DEFAULT_REPEATS,
        full_timeout: float = DEFAULT_FULL_TIMEOUT, full: bool = True, log=None) -> Result:
    log = log or (lambda msg: print(msg, file=sys.stderr))
    result = Result()
    validator = ShapeValidator()
    validator.shapes  # noqa: B018 - load once, outside the timings
    config = GeneratorConfig()
    stored_articles = _articles_for(triples, config)

    empty = EmbeddedStore(None)
    dictionary = next(lines for g, lines in iter_graphs(triples, seed, n_articles=0) if g == DICTIONARY_GRAPH_IRI)
    import pyoxigraph as ox

    empty.oxigraph.bulk_load("".join(dictionary).encode("utf-8"), format=ox.RdfFormat.N_QUADS)
    result.triples_empty = empty.triple_count()

    with tempfile.TemporaryDirectory(prefix="ckg-bench-") as tmp:
        nquads = os.path.join(tmp, "large.nq")
        log(f"generating about {triples:,} triples ...")
        write_nquads(nquads, triples, seed)
        large = EmbeddedStore(None)
        start = time.perf_counter()
        with open(nquads, "rb") as fh:
            large.oxigraph.bulk_load(fh, format=ox.RdfFormat.N_QUADS)
        result.load_seconds = time.perf_counter() - start
        result.triples_large = large.triple_count()
        log(f"large store: {result.triples_large:,} triples loaded in {result.load_seconds:.1f} s")

        fresh = list(article_graphs(triples, seed, range(stored_articles, stored_articles + samples)))
        for graphs in fresh:  # warm up caches (shapes, prepared SPARQL) once
            validator.validate_delta(graphs, empty)
            break
        for graphs in fresh:
            runs_e, runs_l = [], []
            for _ in range(repeats):
                for store, runs in ((empty, runs_e), (large, runs_l)):
                    start = time.perf_counter()
                    report = validator.validate_delta(graphs, store)
                    runs.append(time.perf_counter() - start)
                    if store is empty:
                        verdict_e, size_e = report.conforms, report.triples
                    else:
                        verdict_l, size_l = report.conforms, report.triples
            result.per_article_empty.append(statistics.median(runs_e))
            result.per_article_large.append(statistics.median(runs_l))
            result.context_empty.append(size_e)
            result.context_large.append(size_l)
            result.verdicts_agree &= verdict_e == verdict_l
        log(f"per-article: empty {1000 * statistics.median(result.per_article_empty):.1f} ms, "
            f"large {1000 * statistics.median(result.per_article_large):.1f} ms")
        large.close()
        empty.close()

        if full:
            log(f"validating the whole store (cap {full_timeout:.0f} s) ...")
            ctx = mp.get_context("spawn")
            queue: mp.Queue = ctx.Queue()
            child = ctx.Process(target=_full_validation, args=(nquads, queue), daemon=True)
            child.start()
            child.join(full_timeout)
            if child.is_alive():
                child.terminate()
                child.join()
                result.full_status = f"did not finish within {full_timeout:.0f} s"
            elif not queue.empty():
                seconds, conforms, summary = queue.get()
                result.full_seconds, result.full_conforms, result.full_status = seconds, conforms, summary
            else:
                result.full_status = f"failed (exit code {child.exitcode})"
    return result


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Per-article SHACL gate cost vs store size, and full validation.")
    parser.add_argument("--triples", type=int, default=DEFAULT_TRIPLES, help="size of the large store")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--samples", type=int, default=DEFAULT_SAMPLES, help="fresh articles to validate")
    parser.add_argument("--repeats", type=int, default=DEFAULT_REPEATS, help="runs per article (median)")
    parser.add_argument("--full-timeout", type=float, default=DEFAULT_FULL_TIMEOUT,
                        help="seconds allowed for the whole-store validation")
    parser.add_argument("--no-full", action="store_true", help="skip the whole-store validation")
    args = parser.parse_args(argv)
    result = run(args.triples, seed=args.seed, samples=args.samples, repeats=args.repeats,
                 full_timeout=args.full_timeout, full=not args.no_full)
    print(f"## SHACL validation: per-article gate vs store size ({args.triples:,} triples requested, seed {args.seed})\n")
    print(result.markdown(samples=args.samples, repeats=args.repeats, timeout=args.full_timeout))
    if not result.verdicts_agree:
        print("\nWARNING: some articles got different verdicts against the two stores")
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
