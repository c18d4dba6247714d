"""The one core: :class:`GraphService`. The CLI, the HTTP API and the web page only call it.

A service owns the settings, the store, the extractor and the validator. Its faces:

- ``build``/``ingest``: articles -> extraction -> SHACL gate -> Turtle files + store;
- ``claims``: the claims table;
- ``sparql``: the SPARQL engine (:mod:`conflictkg.sparql`);
- ``network``: graph projections and exports (:mod:`conflictkg.network`);
- ``validator``: the SHACL gate (:mod:`conflictkg.validation`).
"""

from __future__ import annotations

from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .config import Settings
from .store import EmbeddedStore, GraphStore

if TYPE_CHECKING:  # pragma: no cover
    from rdflib import Graph, URIRef

    from .articles import ArticleLibrary
    from .building import Builder
    from .claims import ClaimsTable
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
    def validator(self) -> ShapeValidator:
        from .validation import ShapeValidator

        return ShapeValidator(engine=self.settings.shacl_engine)

    @cached_property
    def sparql(self) -> SparqlEngine:
        from .sparql import SparqlEngine

        return SparqlEngine(self.store, self.settings, gate=self._shacl_gate)

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

    def reference_graphs(self) -> dict[URIRef, Graph]:
        """The graphs the store must hold exactly as shipped, by IRI: the ontology and the curated
        dictionary (``conflictkg validate`` checks them; see :meth:`ShapeValidator.validate_store`)."""
        from .namespaces import DICTIONARY_GRAPH, ONTOLOGY_GRAPH

        return {ONTOLOGY_GRAPH: self.builder.ontology_graph(), DICTIONARY_GRAPH: self.builder.dictionary_graph()}

    def ensure_loaded(self) -> int:
        """Load ``data/turtle/`` into an empty store (first start). Returns the triples loaded."""
        if self.store.triple_count():
            return 0
        return self.builder.load_turtle_dir(self.settings.turtle_dir)

    def close(self) -> None:
        if "sparql" in self.__dict__:
            self.__dict__.pop("sparql").close()
        if "network" in self.__dict__:
            self.__dict__.pop("network").close()
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
