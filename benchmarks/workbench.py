"""Workbench benchmark: the JSON the page loads, on a synthetic graph with about N claims.

The store holds the synthetic graph of :mod:`benchmarks.generator` plus the ontology (for the
labels of stances, channels and date bases). Timed through the real app (in-process ASGI):

- ``/api/facets`` cold (the first request reads every claim: bulk SELECTs, then cached) and warm;
- ``/api/claims`` first page, a filtered page, a deep page and a date-sorted page (warm);
- ``/api/articles`` and one ``/api/articles/{key}``;
- ``/graph/export?format=json&view=actor-event`` (the network view's data).

The goal of the page: each view's data in well under a second at 10,000 claims (after the
first, cold, read of the claims).

    python -m benchmarks.workbench --claims 10000
"""

from __future__ import annotations

import argparse
import time
import warnings
from typing import Any

from conflictkg.config import Settings
from conflictkg.namespaces import ONTOLOGY_GRAPH
from conflictkg.service import GraphService
from conflictkg.store import EmbeddedStore

from .generator import load_store

#: Synthetic triples per claim of :mod:`benchmarks.generator` (measured: 80,000 triples hold 1,716 claims).
TRIPLES_PER_CLAIM = 47


def run(claims: int, *, seed: int = 1) -> list[dict[str, Any]]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from fastapi.testclient import TestClient

    from conflictkg.api.app import create_app

    store = EmbeddedStore(None)
    load_store(store.oxigraph, claims * TRIPLES_PER_CLAIM, seed=seed)
    service = GraphService(settings=Settings(store=None), store=store)
    store.replace_graphs({ONTOLOGY_GRAPH: service.builder.ontology_graph()})
    client = TestClient(create_app(service))
    rows: list[dict[str, Any]] = []

    def timed(name: str, path: str) -> Any:
        start = time.perf_counter()
        answer = client.get(path)
        seconds = time.perf_counter() - start
        assert answer.status_code == 200, answer.text[:300]
        rows.append({"request": name, "seconds": round(seconds, 3), "bytes": len(answer.content)})
        return answer.json()

    facets = timed("facets (cold: reads every claim)", "/api/facets")
    timed("facets (warm)", "/api/facets")
    total = facets["total"]
    timed("claims, first page", "/api/claims?limit=50")
    stance = facets["stances"][-1]["value"]
    timed(f"claims, stance={stance}", f"/api/claims?stance={stance}&limit=50")
    timed("claims, deep page", f"/api/claims?offset={max(0, total - 50)}&limit=50")
    timed("claims, sorted by date", "/api/claims?sort=date&limit=50")
    articles = timed("articles", "/api/articles")
    timed("one article", f"/api/articles/{articles[len(articles) // 2]['key']}")
    timed("network data (actor-event JSON)", "/graph/export?format=json&view=actor-event")
    rows.insert(0, {"request": f"store: {store.triple_count():,} triples, {total:,} claims", "seconds": None,
                    "bytes": None})
    service.close()
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Time the workbench's JSON on a synthetic graph.")
    parser.add_argument("--claims", type=int, default=10_000, help="about how many claims (default 10000)")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    print("| request | seconds | bytes |\n|---|---:|---:|")
    for row in run(args.claims, seed=args.seed):
        print(f"| {row['request']} | {row['seconds'] if row['seconds'] is not None else ''} | "
              f"{row['bytes'] if row['bytes'] is not None else ''} |")
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
