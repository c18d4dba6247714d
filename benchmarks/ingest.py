"""Extraction + ingest throughput: synthetic articles through ``service.builder.ingest``.

Every article goes the whole write path the API uses: extraction pipeline, linking to the
events already stored, the SHACL gate (``validate_delta`` against the store), and the store
write. Stores: empty (only the curated dictionary and ontology, which the first ingest writes)
and prefilled with the synthetic graph of :mod:`benchmarks.generator` (plus the curated
dictionary, so the texts' actors resolve). Both are on-disk pyoxigraph stores, as deployed.

The articles are those of :mod:`benchmarks.articles` (templates, no corpus text). One article is
ingested first as a warm-up (loading the dictionary, rules and shapes), then ``count`` articles
are timed one by one. With ``profile=True`` a further batch runs under cProfile and the report
says where the time goes (extraction, linking, SHACL gate, store write).

    python -m benchmarks.ingest --triples 1000000 --count 40
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import statistics
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from conflictkg.config import Settings
from conflictkg.errors import ConflictKGError
from conflictkg.namespaces import DICTIONARY_GRAPH, ONTOLOGY_GRAPH
from conflictkg.service import GraphService
from conflictkg.store import EmbeddedStore, to_oxigraph

from .articles import synthetic_articles

__all__ = ["PHASES", "IngestResult", "run"]

#: Functions whose cumulative profile time is reported, by phase.
PHASES = (
    ("extraction (pipeline)", "building.py", "extract"),
    ("linking to stored events", "building.py", "_link"),
    ("RDF graph building", "building.py", "graph_for"),
    ("derived graphs (contradictions, revisions, summaries)", "derived.py", "graphs_for"),
    ("SHACL gate (validate_delta)", "validation.py", "validate_delta"),
    ("store write (replace_graph)", "store.py", "replace_graphs"),
)


@dataclass
class IngestResult:
    label: str
    triples_before: int
    triples_after: int = 0
    per_article: list[float] = field(default_factory=list)
    failures: int = 0
    claims: int = 0
    prefill_s: float = 0.0
    profile: list[tuple[str, float]] = field(default_factory=list)
    profile_total: float = 0.0

    @property
    def rate(self) -> float:
        return len(self.per_article) / sum(self.per_article) if self.per_article else 0.0


def _prefill(store: EmbeddedStore, nquads: Path | None, service: GraphService) -> None:
    """The synthetic graph (with the union default graph conflictkg keeps), then the curated dictionary
    and ontology added beside it.

    The bulk loader leaves the store as many unmerged files, which a store that has been in
    service does not look like (its compactions have run): as pyoxigraph advises after a batch
    upload, the store is optimized before the timed ingests (counted in the prefill time).
    Reading the store is two to three times slower without it.
    """
    if nquads is not None:
        store.oxigraph.bulk_load(path=str(nquads), format=ox.RdfFormat.N_QUADS)
        store.build_union_default_graph()  # the bulk loader fills the named graphs only: the default graph as deployed
    for name, graph in ((DICTIONARY_GRAPH, service.builder.dictionary_graph()),
                        (ONTOLOGY_GRAPH, service.builder.ontology_graph())):
        g = ox.NamedNode(str(name))
        store.add_quads(ox.Quad(to_oxigraph(s), to_oxigraph(p), to_oxigraph(o), g)  # type: ignore[arg-type]
                        for s, p, o in graph)
    store.oxigraph.optimize()


def run(label: str, nquads: Path | None, *, count: int, seed: int = 1, profile: int = 0,
        workdir: Path | None = None) -> IngestResult:
    """Ingest ``count`` articles into a store prefilled from ``nquads`` (None: empty store)."""
    with tempfile.TemporaryDirectory(prefix="ckg-ingest-", dir=workdir) as tmp:
        store = EmbeddedStore(Path(tmp) / "store")
        with GraphService(settings=Settings(store=None), store=store) as service:
            start = time.perf_counter()
            if nquads is not None:
                _prefill(store, nquads, service)
            result = IngestResult(label, store.triple_count(), prefill_s=time.perf_counter() - start)
            articles = list(synthetic_articles(count + 1 + profile, seed, first=10_000_000))
            service.builder.ingest(articles[0])  # warm-up: dictionary, rules, shapes
            for article in articles[1:count + 1]:
                start = time.perf_counter()
                try:
                    outcome = service.builder.ingest(article)
                    result.claims += outcome.claims
                except ConflictKGError:
                    result.failures += 1
                result.per_article.append(time.perf_counter() - start)
            if profile:
                prof = cProfile.Profile()
                start = time.perf_counter()
                prof.enable()
                for article in articles[count + 1:]:
                    try:
                        service.builder.ingest(article)
                    except ConflictKGError:
                        result.failures += 1
                prof.disable()
                result.profile_total = time.perf_counter() - start
                stats = pstats.Stats(prof).stats  # type: ignore[attr-defined]
                for phase, file, func in PHASES:
                    cum = sum(v[3] for (f, _line, name), v in stats.items() if f.endswith(file) and name == func)
                    result.profile.append((phase, cum))
            result.triples_after = store.triple_count()
    return result


def markdown(results: list[IngestResult]) -> str:
    lines = ["| store | triples before | articles | failed | claims/article | articles/s | per article median | p95 | min-max |",
             "|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for r in results:
        s = sorted(r.per_article)
        p95 = s[min(len(s) - 1, round(0.95 * (len(s) - 1)))]
        lines.append(f"| {r.label} | {r.triples_before:,} | {len(r.per_article)} | {r.failures} | "
                     f"{r.claims / max(1, len(r.per_article) - r.failures):.1f} | {r.rate:.1f} | "
                     f"{1000 * statistics.median(s):.0f} ms | {1000 * p95:.0f} ms | {1000 * s[0]:.0f}-{1000 * s[-1]:.0f} ms |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    from .generator import write_nquads

    parser = argparse.ArgumentParser(description="Extraction + ingest throughput.")
    parser.add_argument("--triples", type=int, default=1_000_000, help="size of the prefilled store (0: empty only)")
    parser.add_argument("--count", type=int, default=40)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--profile", type=int, default=0, help="articles ingested under cProfile")
    args = parser.parse_args(argv)
    results = [run("empty", None, count=args.count, seed=args.seed)]
    if args.triples:
        with tempfile.TemporaryDirectory() as tmp:
            nq = Path(tmp) / "kg.nq"
            write_nquads(nq, args.triples, args.seed)
            results.append(run(f"{args.triples:,}", nq, count=args.count, seed=args.seed, profile=args.profile))
    print(markdown(results))
    for phase, cum in results[-1].profile:
        print(f"{phase}: {cum:.2f} s of {results[-1].profile_total:.2f} s")
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
