"""The store's Turtle folder: one file per named graph, rewritten or deleted with every commit.

Every write, whichever face makes it (a build, an ingest, a SPARQL update, a Graph Store upload
or delete, an event merge or split, the derived graphs they bring along), reaches the store
through :meth:`conflictkg.service.GraphService.commit`, which changes the Turtle folder through
the journal below. So the folder is a readable copy of the store, graph for graph, that an empty
store can be loaded from again.

A graph's file is named after its IRI, so that it is known without reading the file:

============================== ==================================================================
graph                          file
============================== ==================================================================
``ckgg:dictionary``            ``dictionary.ttl``
``ckgg:event-curation``        ``event-curation.ttl`` (analysts' merges and splits)
``ckgg:article/<key>``         ``article-<key>.ttl``
``ckgg:event/<key>``           ``event-<key>.ttl``
``ckgg:derived/event/<key>``   ``derived-event-<key>.ttl`` (recomputed, not read, when loading)
any other named graph          ``graph-<hash>.trig`` (TriG: the file names its graph)
============================== ==================================================================

The ontology graph has no file: it is conflictkg's own (``ontology/conflictkg.ttl``).

**Journal.** The store commits first and the files follow, so that a crash can never leave the
two disagreeing: before the commit each file to change is written (atomically) as a hidden
``.<file>.pending`` beside its final name, or, for a graph the commit drops, marked by an empty
``.<file>.pending-drop``; after the commit the pending files are renamed into place and the
dropped graphs' files deleted. :meth:`TurtleFolder.reconcile`, run before the first write of a
process, settles what a crash interrupted: a pending file whose content the store holds is put
in place (a drop whose graph the store no longer holds is carried out); any other is discarded
(its commit never happened). Every file is first written as a hidden ``.<file>.<random>.tmp`` and
renamed (atomic); one a crash left half-written is deleted by the same settling.
"""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import pyoxigraph as ox
from rdflib import Dataset, Graph, URIRef
from rdflib.compare import isomorphic

from .errors import ArticleError, warning
from .namespaces import CKG, CKGG, DICTIONARY_GRAPH, EVENT_CURATION_GRAPH, ONTOLOGY_GRAPH, PREFIXES, RDF, article_graph, short_hash
from .rdf import to_turtle
from .store import Converted, GraphContent, ox_triples, to_rdflib

if TYPE_CHECKING:  # pragma: no cover
    from .store import GraphStore

__all__ = ["TurtleFolder", "same_triples", "PENDING_SUFFIX", "DROP_SUFFIX", "DICTIONARY_FILE", "EVENT_FILE_PREFIX", "ARTICLE_FILE_PREFIX",
           "DERIVED_FILE_PREFIX"]

DICTIONARY_FILE = "dictionary.ttl"
CURATION_FILE = "event-curation.ttl"
ARTICLE_FILE_PREFIX = "article-"
EVENT_FILE_PREFIX = "event-"
DERIVED_FILE_PREFIX = "derived-event-"
OTHER_FILE_PREFIX = "graph-"
#: A file waiting for its store commit is ``.<file>`` + this suffix, beside its final name.
PENDING_SUFFIX = ".pending"
#: Every file is written as a hidden temporary file (``.<file>.<random>`` + this suffix), then renamed.
TEMP_SUFFIX = ".tmp"
#: A file whose graph a commit drops is marked by an empty ``.<file>`` + this suffix until the commit is done.
DROP_SUFFIX = ".pending-drop"

_FIXED = {DICTIONARY_GRAPH: DICTIONARY_FILE, EVENT_CURATION_GRAPH: CURATION_FILE}
_BY_FILE = {name: graph for graph, name in _FIXED.items()}
#: (graph IRI prefix, file prefix); the derived prefix before the event one (it is longer).
_KINDS = ((str(CKGG["article/"]), ARTICLE_FILE_PREFIX), (str(CKGG["derived/event/"]), DERIVED_FILE_PREFIX),
          (str(CKGG["event/"]), EVENT_FILE_PREFIX))
_KEY = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,200}")
_PREFIX_IRIS = {k: str(v) for k, v in PREFIXES.items()}


class TurtleFolder:
    """A store's Turtle folder (see the module's doc)."""

    def __init__(self, directory: Path) -> None:
        self.directory = Path(directory)

    # -- names ----------------------------------------------------------------------------------

    def file_for(self, graph: URIRef) -> Path | None:
        """The file that holds ``graph`` (None for the ontology graph, which has none)."""
        if graph == ONTOLOGY_GRAPH:
            return None
        name = _FIXED.get(graph)
        if name is None:
            iri = str(graph)
            for prefix, file_prefix in _KINDS:
                if iri.startswith(prefix) and _KEY.fullmatch(iri[len(prefix):]):
                    name = f"{file_prefix}{iri[len(prefix):]}.ttl"
                    break
            else:
                name = f"{OTHER_FILE_PREFIX}{short_hash(iri, length=24)}.trig"
        return self.directory / name

    @staticmethod
    def graph_named(path: Path) -> URIRef | None:
        """The graph a file holds, by its name alone (None: a TriG file, or a name of an earlier version)."""
        name = path.name
        if name in _BY_FILE:
            return _BY_FILE[name]
        if name.endswith(".ttl"):
            stem = name[: -len(".ttl")]
            for prefix, file_prefix in _KINDS:
                if stem.startswith(file_prefix) and _KEY.fullmatch(stem[len(file_prefix):]):
                    return URIRef(prefix + stem[len(file_prefix):])
        return None

    @staticmethod
    def is_derived(path: Path) -> bool:
        return path.name.startswith(DERIVED_FILE_PREFIX)

    def files(self) -> list[Path]:
        """The folder's graph files (not the hidden ones of the journal), sorted."""
        if not self.directory.is_dir():
            return []
        return sorted(p for p in self.directory.iterdir()
                      if p.suffix in (".ttl", ".trig") and not p.name.startswith(".") and p.is_file())

    def read(self, path: Path, *, as_file: Path | None = None) -> tuple[URIRef, Graph]:
        """A file's graph and its IRI (E037 not Turtle/TriG; E038 a file of an earlier version that
        does not hold one article). ``as_file``: the name it stands for (a pending file's target)."""
        named = as_file or path
        if named.suffix == ".trig":
            ds = Dataset()
            try:
                ds.parse(path, format="trig")
            except Exception as exc:  # rdflib raises many parser exception types
                raise ArticleError(str(path), f"not valid TriG: {exc}", code="E037") from None
            names = [g.identifier for g in ds.graphs() if len(g) and isinstance(g.identifier, URIRef)
                     and g.identifier != ds.default_graph.identifier]
            if len(names) != 1:
                raise ArticleError(str(path), f"expected one named graph in the file, found {len(names)}", code="E038")
            out = Graph()
            for t in ds.graph(names[0]):
                out.add(t)
            return URIRef(names[0]), out
        g = _parse_turtle(path)
        name = self.graph_named(named)
        if name is None:  # an article's file as earlier versions named it (after the article's file name)
            articles = sorted(g.subjects(RDF.type, CKG.Article))
            if len(articles) != 1:
                raise ArticleError(str(path), f"expected one ckg:Article in the file, found {len(articles)}", code="E038")
            name = article_graph(str(articles[0]).rsplit("/", 1)[-1])
        return name, g

    # -- the journal ----------------------------------------------------------------------------

    @contextmanager
    def journal(self, graphs: Mapping[URIRef, GraphContent], *, skip: Iterable[URIRef] = ()) -> Iterator[None]:
        """Around a store commit of ``graphs`` (None drops one): pending files before, in place after;
        discarded when the commit fails. ``skip``: graphs whose file already holds the new content."""
        left = set(skip)
        steps: list[tuple[Path, Path, bool]] = []  # (pending, target, dropped)
        self.directory.mkdir(parents=True, exist_ok=True)
        try:
            for graph, content in graphs.items():
                target = self.file_for(graph)
                if target is None or graph in left:
                    continue
                if content is None:
                    pending = _hidden(target, DROP_SUFFIX)
                    _write_atomic(pending, "")
                else:
                    pending = _hidden(target, PENDING_SUFFIX)
                    _write_atomic(pending, _serialize(graph, content, trig=target.suffix == ".trig"))
                steps.append((pending, target, content is None))
            yield
        except BaseException:
            for pending, _, _ in steps:
                pending.unlink(missing_ok=True)
            raise
        for pending, target, dropped in steps:
            if dropped:
                target.unlink(missing_ok=True)
                pending.unlink(missing_ok=True)
            else:
                os.replace(pending, target)

    def reconcile(self, store: GraphStore) -> list[str]:
        """Settle the writes a crash interrupted (see the module's doc); returns W008 notes."""
        notes: list[str] = []
        if not self.directory.is_dir():
            return notes
        for half_written in self.directory.glob(f".*{TEMP_SUFFIX}"):  # a crash inside a write: never renamed, never needed
            half_written.unlink(missing_ok=True)
        for pending in sorted(self.directory.glob(f".*{PENDING_SUFFIX}")) + sorted(self.directory.glob(f".*{DROP_SUFFIX}")):
            dropped = pending.name.endswith(DROP_SUFFIX)
            target = pending.with_name(pending.name[1: -len(DROP_SUFFIX if dropped else PENDING_SUFFIX)])
            graph = self.graph_named(target)
            if dropped:
                done = graph is not None and graph not in set(store.named_graphs())
            else:
                try:
                    name, g = self.read(pending, as_file=target)
                    done = same_triples(store.graph(name), g) and (len(g) > 0 or name in set(store.named_graphs()))
                except ArticleError:
                    done = False
            if done and dropped:
                target.unlink(missing_ok=True)
                pending.unlink()
                notes.append(warning("W008", path=str(target),
                                     problem="a write was interrupted after the store dropped its graph; the file is now deleted"))
            elif done:
                os.replace(pending, target)
                notes.append(warning("W008", path=str(target),
                                     problem="a write was interrupted after the store committed; the file is now in place"))
            else:
                pending.unlink()
                notes.append(warning("W008", path=str(target),
                                     problem="a write was interrupted before the store committed; its pending file is discarded"))
        return notes

    # -- at start ---------------------------------------------------------------------------------

    def settle(self, store: GraphStore) -> list[str]:
        """Bring the folder of a store that is not empty into step with it, outside any journal (the
        store is the reference): files of an earlier version are renamed after their graph, graphs
        without a file get one, files whose graph the store lacks are left as they are and not
        loaded. Returns W011 notes."""
        notes: list[str] = []
        present = {g for g in store.named_graphs() if g != ONTOLOGY_GRAPH}
        on_file: dict[URIRef, Path] = {}
        for path in self.files():
            name = self.graph_named(path)
            if name is None:
                try:
                    name, _ = self.read(path)
                except ArticleError as exc:
                    notes.append(warning("W011", path=str(path), problem=f"not read ({exc.message}); left as it is"))
                    continue
                target = self.file_for(name)
                if target is not None and target != path:
                    if target.exists():
                        path.unlink()
                        problem = f"a file of an earlier version, replaced by {target.name}; deleted"
                    else:
                        os.replace(path, target)
                        problem = f"a file of an earlier version; renamed {target.name} (files are named after their graph)"
                    notes.append(warning("W011", path=str(path), problem=problem))
                    path = target
            on_file[name] = path
        orphans = sorted(p.name for g, p in on_file.items() if g not in present)
        if orphans:
            shown = ", ".join(orphans[:5]) + (f" and {len(orphans) - 5} more" if len(orphans) > 5 else "")
            notes.append(warning("W011", path=str(self.directory),
                                 problem=f"{len(orphans)} files hold graphs the store does not have ({shown}); not "
                                         "loaded: the store is the reference (delete them, or load them into an empty store)"))
        missing = sorted(g for g in present if g not in on_file)
        if missing:
            self.directory.mkdir(parents=True, exist_ok=True)
        for g in missing:
            target = self.file_for(g)
            assert target is not None
            _write_atomic(target, _serialize(g, store.triples(g), trig=target.suffix == ".trig"))
        if missing:
            notes.append(warning("W011", path=str(self.directory),
                                 problem=f"{len(missing)} graphs of the store had no file; written"))
        return notes


def same_triples(stored: Graph, written: Graph) -> bool:
    """Whether a file's graph holds what the store holds, as the store reads it: literals in the
    store's canonical form (``"12.0"^^xsd:decimal`` is stored as ``"12"``), blank nodes up to renaming."""
    scratch = ox.Store()
    scratch.extend(ox.Quad(t.subject, t.predicate, t.object, ox.DefaultGraph()) for t in ox_triples(written))
    canonical = Graph()
    for q in scratch:
        canonical.add((to_rdflib(q.subject), to_rdflib(q.predicate), to_rdflib(q.object)))  # type: ignore[arg-type]
    return isomorphic(stored, canonical)


def _hidden(target: Path, suffix: str) -> Path:
    return target.with_name(f".{target.name}{suffix}")


def _serialize(graph: URIRef, content: Graph | Iterable[ox.Triple], *, trig: bool) -> str:
    """A graph's Turtle (or, for ``trig``, TriG naming the graph). rdflib graphs as the build has always
    written them; pyoxigraph triples (the SPARQL service's) with pyoxigraph, their terms exactly as stored."""
    if isinstance(content, Converted):
        content = content.graph
    if isinstance(content, Graph) and not trig:
        return to_turtle(content)
    triples = sorted(ox_triples(content) if isinstance(content, Graph) else list(content), key=str)
    if trig:
        node = ox.NamedNode(str(graph))
        data = ox.serialize([ox.Quad(t.subject, t.predicate, t.object, node) for t in triples], format=ox.RdfFormat.TRIG,
                            prefixes=_PREFIX_IRIS)
    else:
        data = ox.serialize(triples, format=ox.RdfFormat.TURTLE, prefixes=_PREFIX_IRIS)
    text = (data or b"").decode("utf-8")
    # pyoxigraph writes its prefixes in no fixed order: sorted, so that the same graph is the same file
    lines = text.splitlines(keepends=True)
    head = [line for line in lines if line.startswith("@prefix ")]
    return "".join(sorted(head) + lines[len(head):])


def _parse_turtle(path: Path) -> Graph:
    g = Graph()
    try:
        g.parse(path, format="turtle")
    except Exception as exc:  # rdflib raises many parser exception types
        raise ArticleError(str(path), f"not valid Turtle: {exc}", code="E037") from None
    return g


def _write_atomic(path: Path, text: str) -> None:
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=TEMP_SUFFIX, dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
