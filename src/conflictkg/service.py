"""The one core: :class:`GraphService`. The CLI, the HTTP API and the web page only call it.

A service owns the settings, the store, the extractor and the validator. Its faces:

- ``build``/``ingest``: articles -> extraction -> SHACL gate -> Turtle files + store;
- ``claims``: the claims table;
- ``sparql``: the SPARQL engine (:mod:`conflictkg.sparql`);
- ``network``: graph projections and exports (:mod:`conflictkg.network`);
- ``validator``: the SHACL gate (:mod:`conflictkg.validation`).
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cached_property
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from rdflib import Graph, URIRef

from .config import Settings
from .store import EmbeddedStore, GraphStore

if TYPE_CHECKING:  # pragma: no cover
    from .articles import ArticleLibrary
    from .building import Builder
    from .claims import ClaimsTable
    from .derived import Derivation
    from .explorer import ClaimExplorer
    from .network import NetworkViews
    from .sparql import SparqlEngine
    from .validation import ShapeValidator

__all__ = ["GraphService"]


class GraphService:
    """conflictkg's graph service: one per process, shared by every face.

    **Parameters:**

    * **settings** - configuration (:meth:`Settings.from_env` by default).
    * **store** - a store to use instead of opening the one the settings name.
    """

    def __init__(self, *, settings: Settings | None = None, store: GraphStore | None = None) -> None:
        self.settings = settings or Settings.from_env()
        self._store = store

    @property
    def store(self) -> GraphStore:
        if self._store is None:
            self._store = open_store(self.settings)
        return self._store

    @cached_property
    def builder(self) -> Builder:
        from .building import Builder

        return Builder(self)

    @cached_property
    def claims(self) -> ClaimsTable:
        from .claims import ClaimsTable

        return ClaimsTable(self.explorer)

    @cached_property
    def derived(self) -> Derivation:
        """The derived graphs (contradictions, revisions, summaries) every write of article graphs brings along."""
        from .derived import Derivation

        return Derivation(self.store, {k.kind: k.within for k in self.builder.resources.rules.population_kinds})

    def with_derived(self, graphs: Mapping[URIRef, Graph]) -> dict[URIRef, Graph]:
        """``graphs`` plus the derived graphs their write implies: what every write path commits at once."""
        return {**graphs, **self.derived.graphs_for(graphs)}

    def contradictions(self) -> list[dict[str, Any]]:
        """The stored contradictions and revisions, one row per pair (:func:`conflictkg.contested.stored_pairs`)."""
        from .contested import stored_pairs

        return stored_pairs(self.store)

    def write_contradictions(self, out: IO[str], *, fmt: str = "jsonl") -> None:
        """:meth:`contradictions` as JSON lines or CSV (the format ``score_claims.py --contradictions`` reads)."""
        from .contested import write_pairs

        write_pairs(self.contradictions(), out, fmt=fmt)

    @cached_property
    def validator(self) -> ShapeValidator:
        from .validation import ShapeValidator

        return ShapeValidator(engine=self.settings.shacl_engine)

    @cached_property
    def sparql(self) -> SparqlEngine:
        from .sparql import SparqlEngine

        return SparqlEngine(self.store, self.settings, gate=self._shacl_gate, derive=self.derived.graphs_for)

    def _shacl_gate(self, graphs: Any) -> Any:
        """Every write through the SPARQL service passes the shapes first (see conflictkg.validation)."""
        return self.validator.validate_delta(graphs, self.store)

    @cached_property
    def network(self) -> NetworkViews:
        from .network import NetworkViews

        return NetworkViews(self)

    @cached_property
    def explorer(self) -> ClaimExplorer:
        """The workbench's claims explorer (filters, sides, paging)."""
        from .explorer import ClaimExplorer

        return ClaimExplorer(self)

    @cached_property
    def articles(self) -> ArticleLibrary:
        """The workbench's articles: texts, claims per article, preview and add."""
        from .articles import ArticleLibrary

        return ArticleLibrary(self)

    def ensure_loaded(self) -> int:
        """Load ``data/turtle/`` into an empty store (first start). Returns the triples loaded."""
        if self.store.triple_count():
            return 0
        return self.builder.load_turtle_dir(self.settings.turtle_dir)

    def close(self) -> None:
        if "sparql" in self.__dict__:
            self.__dict__.pop("sparql").close()
        if self._store is not None:
            self._store.close()
            self._store = None

    def __enter__(self) -> GraphService:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()


def open_store(settings: Settings) -> GraphStore:
    """The store the settings name: the embedded pyoxigraph store, or a remote SPARQL server."""
    if settings.backend == "remote":
        from .remote import RemoteStore

        return RemoteStore.from_settings(settings)
    return EmbeddedStore(Path(settings.store) if settings.store is not None else None)
