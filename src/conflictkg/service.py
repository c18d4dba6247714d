"""The one core: :class:`GraphService`. The CLI, the HTTP API and the web page only call it.

A service owns the settings, the store, the extractor and the validator. Its faces:

- ``build``/``ingest``: articles -> extraction -> SHACL gate -> store (and its Turtle folder);
- ``commit``: the one way any face changes the store; the store's Turtle folder follows every
  commit (:mod:`conflictkg.turtle_folder`);
- ``claims``: the claims table;
- ``sparql``: the SPARQL engine (:mod:`conflictkg.sparql`);
- ``network``: graph projections and exports (:mod:`conflictkg.network`);
- ``validator``: the SHACL gate (:mod:`conflictkg.validation`);
- ``events``: why reports of an event were joined, merges and splits (:mod:`conflictkg.event_curation`).
"""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Iterable, Mapping, Sequence
from functools import cached_property
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

import pyoxigraph as ox
from rdflib import Graph, URIRef

from .config import SHIPPED_TURTLE_DIR, Settings
from .errors import ConfigError
from .store import EmbeddedStore, GraphContent, GraphStore, converted
from .turtle_folder import TurtleFolder

if TYPE_CHECKING:  # pragma: no cover
    from rdflib import Graph, URIRef

    from .articles import ArticleLibrary
    from .building import Builder
    from .claims import ClaimsTable
    from .derived import Derivation
    from .event_curation import EventCurator
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
    * **writes** - whether this service must be able to write: when another process (a running
      ``conflictkg serve``) holds the embedded store, a service that writes stops with E110
      naming it; one that only reads opens the store read-only (:mod:`conflictkg.store_access`).
    """

    def __init__(self, *, settings: Settings | None = None, store: GraphStore | None = None,
                 writes: bool = True) -> None:
        self.settings = settings or Settings.from_env()
        self._store = store
        self.writes = writes
        self._commit_lock = threading.Lock()
        self._journal_settled = False

    @property
    def store(self) -> GraphStore:
        if self._store is None:
            self._store = open_store(self.settings, writes=self.writes)
        return self._store

    def open(self) -> GraphService:
        """Open the store now (it is otherwise opened on first use): E110/E111 surface here."""
        _ = self.store
        return self

    @property
    def store_is_read_only(self) -> bool:
        """Whether the store was opened read-only beside the process that holds it."""
        return bool(getattr(self._store, "read_only", False))

    @property
    def store_holder(self) -> str:
        """Who holds a store opened read-only (a running server, named, or another process)."""
        holder = getattr(self._store, "holder", None)
        return holder.describe() if holder is not None else "another conflictkg process"

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

    def with_derived(self, graphs: Mapping[URIRef, Graph]) -> dict[URIRef, GraphContent]:
        """``graphs`` plus the derived graphs their write implies (None drops one): what every write path
        commits at once, each graph converted to pyoxigraph terms once (:class:`conflictkg.store.Converted`)
        for the derived graphs, the gate and the store. Validate it with :meth:`gate_view`."""
        given = {name: converted(g) for name, g in graphs.items()}
        return {**given, **{name: converted(g) for name, g in self.derived.graphs_for(given).items()}}

    @staticmethod
    def gate_view(graphs: Mapping[URIRef, GraphContent]) -> dict[URIRef, Graph | Sequence[ox.Triple]]:
        """What the SHACL gate checks of a write: every graph's new content (a dropped graph is empty)."""
        return {name: g if g is not None else [] for name, g in graphs.items()}

    def contradictions(self) -> list[dict[str, Any]]:
        """The stored contradictions and revisions, one row per pair (:func:`conflictkg.contested.stored_pairs`)."""
        from .contested import stored_pairs

        return stored_pairs(self.store)

    def write_contradictions(self, out: IO[str], *, fmt: str = "jsonl", rows: list[dict[str, Any]] | None = None) -> None:
        """:meth:`contradictions` (or ``rows`` read from it) as JSON lines or CSV (what ``score_claims.py
        --contradictions`` reads)."""
        from .contested import write_pairs

        write_pairs(self.contradictions() if rows is None else rows, out, fmt=fmt)

    @cached_property
    def validator(self) -> ShapeValidator:
        from .validation import ShapeValidator

        return ShapeValidator(engine=self.settings.shacl_engine)

    @cached_property
    def sparql(self) -> SparqlEngine:
        from .sparql import SparqlEngine

        return SparqlEngine(self.store, self.settings, gate=self._shacl_gate, derive=self.derived.graphs_for,
                            commit=self.commit)

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
    def events(self) -> EventCurator:
        """Events: why reports were joined, and analysts' merges and splits (conflictkg.event_curation)."""
        from .event_curation import EventCurator

        return EventCurator(self)

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

    # -- the store and its Turtle folder ------------------------------------------------------------

    @cached_property
    def turtle_folder(self) -> TurtleFolder | None:
        """The store's own Turtle folder (``--turtle-dir``, else ``turtle/`` beside the store; None for an
        in-memory store without one; a remote store has one only when ``--turtle-dir`` names it: the
        server is shared and may hold far more than conflictkg wrote). Never the shipped graph
        (``data/turtle/``): that one is rebuilt only by ``scripts/rebuild-graph`` (E113 when it is named)."""
        own = self.settings.turtle_output
        if own is None or (self.settings.backend == "remote" and self.settings.turtle_dir is None):
            return None
        if own.resolve() == SHIPPED_TURTLE_DIR.resolve():
            raise ConfigError(f"{own} holds the graph shipped with conflictkg, which only scripts/rebuild-graph writes; "
                              "name another Turtle folder (--turtle-dir)", code="E113")
        return TurtleFolder(own)

    def commit(self, graphs: Mapping[URIRef, GraphContent], *, on_file: Iterable[URIRef] = ()) -> None:
        """Replace named graphs in the store in one transaction (None drops one), and their files in the
        Turtle folder through its journal (:mod:`conflictkg.turtle_folder`): the one way every face
        writes (the builder, the SPARQL service, event merges and splits, the derived graphs they
        bring along). ``graphs`` has passed the SHACL gate. ``on_file``: graphs whose file already holds
        the new content (a load from the folder itself)."""
        folder = self.turtle_folder
        with self._commit_lock:
            if folder is None:
                self.store.replace_graphs(graphs)
                return
            self._settle_journal(folder)
            with folder.journal(graphs, skip=on_file):
                self.store.replace_graphs(graphs)

    def _settle_journal(self, folder: TurtleFolder) -> None:
        """Once per service, before its first write: settle what a crash interrupted (W008 notes)."""
        if not self._journal_settled:
            self._journal_settled = True
            self.builder.notes += folder.reconcile(self.store)

    def ensure_loaded(self) -> int:
        """Bring the store and its Turtle folder into agreement before serving; returns the triples loaded.

        1. Builds the union default graph of a store written before it was kept (once, logged: see
           :mod:`conflictkg.store`).
        2. Settles the writes a crash interrupted (the journal, :meth:`TurtleFolder.reconcile`).
        3. An empty store is loaded from its own Turtle folder, or from the shipped graph
           (``data/turtle/``) when that folder has none (and the folder then mirrors it).
        4. A store that is not empty is the reference: graphs without a file get one; files whose
           graph the store lacks (dropped outside conflictkg) are not loaded, only reported
           (:meth:`TurtleFolder.settle`); a graph deleted through the service has no file left.

        Notes (W008, W011) land in ``builder.notes``. A store opened read-only beside a running
        server is left as it is (that server does this)."""
        if getattr(self.store, "read_only", False):
            return 0
        store = self.store
        if isinstance(store, EmbeddedStore) and not store.union_default_graph:
            started = time.monotonic()
            print(f"conflictkg: this store was written before its default graph held the union of its named "
                  f"graphs; building it once ({store.path})", file=sys.stderr)
            quads = store.build_union_default_graph()
            print(f"conflictkg: built the union default graph from {quads:,} quads in "
                  f"{time.monotonic() - started:.1f} s", file=sys.stderr)
        folder = self.turtle_folder
        if folder is not None:
            with self._commit_lock:
                self._settle_journal(folder)
        empty = store.is_empty() if isinstance(store, EmbeddedStore) else not store.triple_count()
        if empty:  # counting the triples of a large store reads all of it
            if folder is not None and folder.files():
                return self._load(folder, own=True)
            return self._load(TurtleFolder(SHIPPED_TURTLE_DIR), own=False)
        if folder is not None:
            with self._commit_lock:
                self.builder.notes += folder.settle(self.store)
        return 0

    def _load(self, source: TurtleFolder, *, own: bool) -> int:
        """Load every graph of a Turtle folder (the derived graphs recomputed, not read) and the ontology
        into the store; ``own``: the folder is the store's, whose files already hold what is loaded."""
        from .namespaces import ONTOLOGY_GRAPH

        graphs: dict[URIRef, Graph] = {ONTOLOGY_GRAPH: self.builder.ontology_graph()}
        for path in source.files():
            if not source.is_derived(path):
                name, g = source.read(path)
                graphs[name] = g
        self.commit(self.with_derived(graphs), on_file=set(graphs) if own else ())
        return sum(len(g) for g in graphs.values())

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


def open_store(settings: Settings, *, writes: bool = True) -> GraphStore:
    """The store the settings name: the embedded pyoxigraph store, or a remote SPARQL server.

    An embedded store another process holds is opened read-only when ``writes`` is False;
    otherwise that is :class:`~conflictkg.store_access.StoreBusy` (E110) naming the holder."""
    if settings.backend == "remote":
        from .remote import RemoteStore

        return RemoteStore.from_settings(settings)
    if settings.store is None:
        return EmbeddedStore(None)
    from .store_access import open_embedded

    return open_embedded(Path(settings.store), writes=writes)
