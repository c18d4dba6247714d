"""Building the graph: articles -> extraction -> SHACL gate -> Turtle files and the store.

Every article is its own named graph and its own Turtle file. An article that cannot be
read, or whose graph fails the shapes, is reported and nothing of it is written; the
others go on. The store replaces each article's graph in one transaction.

The store commits first and the Turtle file follows, through a journal, so that a crash can
never leave the two disagreeing: the new Turtle text is first written (atomically) as a hidden
``.<name>.ttl.pending`` beside its final name, then the store commits, then the pending file is
renamed into place. :meth:`Builder.reconcile`, run before any writer starts, settles what a
crash interrupted: a pending file whose graph the store holds is put in place, any other is
discarded (its commit never happened).
"""

from __future__ import annotations

import gc
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from rdflib import Graph, URIRef
from rdflib.compare import isomorphic

from .corpus import read_corpus
from .errors import ArticleError, ConflictKGError, ValidationFailed, warning
from .extract import Doc, Pipeline, Resources, load_resources
from .event_index import EventPlan, link_keys, moved_graphs, plan_links
from .event_linking import report_of
from .extract.people import link_people
from .model import Article
from .namespaces import CKG, DICTIONARY_GRAPH, ONTOLOGY_GRAPH, RDF, article_graph, event_graph
from .rdf import to_turtle, write_article, write_dictionary
from .resources import ONTOLOGY_FILE

if TYPE_CHECKING:  # pragma: no cover
    from .service import GraphService

__all__ = ["Builder", "BuildReport", "ArticleOutcome", "DICTIONARY_FILE", "EVENT_FILE_PREFIX", "PENDING_SUFFIX"]

DICTIONARY_FILE = "dictionary.ttl"
#: Turtle files of event graphs are ``event-<key>.ttl``.
EVENT_FILE_PREFIX = "event-"
#: A Turtle file waiting for its store commit is ``.<name>.ttl`` + this suffix, beside its final name.
PENDING_SUFFIX = ".pending"


@dataclass
class ArticleOutcome:
    file: str
    ok: bool
    claims: int = 0
    events: int = 0
    graph: str | None = None
    error: ConflictKGError | None = None
    warnings: list[str] = field(default_factory=list)


@dataclass
class BuildReport:
    outcomes: list[ArticleOutcome] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(o.ok for o in self.outcomes)

    def lines(self) -> list[str]:
        out = list(self.notes)
        for o in self.outcomes:
            out += o.warnings
            if o.ok:
                out.append(f"{o.file}: {o.claims} claims, {o.events} events")
            elif o.error is not None:
                out.append(f"error: {o.error}")
                report = getattr(o.error, "report", None)
                if report is not None and hasattr(report, "to_text"):
                    out.append(report.to_text())
        failed = sum(not o.ok for o in self.outcomes)
        out.append(f"{len(self.outcomes) - failed} articles built, {failed} failed")
        return out


class Builder:
    def __init__(self, service: GraphService) -> None:
        self.service = service
        self._settled = False
        self._written_events: set[str] = set()
        #: Warnings of loading and reconciling Turtle files (printed by the command that started the service).
        self.notes: list[str] = []

    @cached_property
    def resources(self) -> Resources:
        return load_resources()

    @cached_property
    def pipeline(self) -> Pipeline:
        return Pipeline()

    def extract(self, article: Article) -> Doc:
        return self.pipeline(Doc(article=article, resources=self.resources))

    def extract_linked(self, article: Article) -> Doc:
        """Extract an article and link its events as an ingest would, writing nothing (previews)."""
        doc = self.extract(article)
        self._link(docs=[doc], skip={article.key})
        return doc

    # -- whole folders ------------------------------------------------------------------------

    def build(self, corpus: Path, *, out_dir: Path | None = None) -> BuildReport:
        """Extract every article of ``corpus``, validate, load the store and write Turtle files.

        Turtle goes to ``out_dir``, else the settings' Turtle folder (``--turtle-dir``, by default
        ``turtle/`` beside the store); an in-memory store without ``--turtle-dir`` writes none."""
        out_dir = out_dir or self.service.settings.turtle_output
        report = BuildReport()
        docs: list[tuple[Doc, ArticleOutcome]] = []
        for item in read_corpus(corpus, max_bytes=self.service.settings.max_article_bytes):
            outcome = ArticleOutcome(file=str(item.path), ok=item.error is None and item.article is not None,
                                     error=item.error, warnings=item.warnings)
            if item.article is None:
                if item.error is not None:
                    report.outcomes.append(outcome)
                else:
                    report.notes += item.warnings
                continue
            docs.append((self.extract(item.article), outcome))
        batch_keys = {d.article.key for d, _ in docs}
        plan = self._link(docs=[d for d, _ in docs], skip=batch_keys)
        dictionary = self.dictionary_graph()
        if out_dir is not None:
            out_dir.mkdir(parents=True, exist_ok=True)
            report.notes += self.reconcile(out_dir)
        with _journal(out_dir / DICTIONARY_FILE if out_dir is not None else None, dictionary):
            self.service.store.replace_graphs({DICTIONARY_GRAPH: dictionary, ONTOLOGY_GRAPH: self.ontology_graph()})
        for doc, outcome in docs:
            self._commit(doc, outcome, out_dir, plan)
            report.outcomes.append(outcome)
        self._settle_events(plan, out_dir, failed={d.article.key for d, o in docs if not o.ok})
        report.outcomes.sort(key=lambda o: o.file)
        return report

    def ingest(self, article: Article, *, out_dir: Path | None = None) -> ArticleOutcome:
        """Add one article (the API's write path): linked to the events already in the store."""
        doc = self.extract(article)
        plan = self._link(docs=[doc], skip={article.key})
        outcome = ArticleOutcome(file=article.meta.file_name, ok=True)
        if not self.service.store.ask(f"ASK {{ GRAPH <{DICTIONARY_GRAPH}> {{ ?s ?p ?o }} }}"):
            self.service.store.replace_graphs({DICTIONARY_GRAPH: self.dictionary_graph(), ONTOLOGY_GRAPH: self.ontology_graph()})
        self._commit(doc, outcome, out_dir, plan)
        if outcome.ok:
            self._settle_events(plan, out_dir)
        self._settle()
        if outcome.error is not None:
            raise outcome.error
        return outcome

    def _settle(self) -> None:
        """Once, after the first ingest has loaded what every later one reuses (rules, dictionary,
        pipeline, compiled shapes): move those objects out of the cyclic garbage collector's way
        (``gc.freeze``), so that its full collections, otherwise pauses of a tenth of a second
        in the middle of an article, only walk the objects of recent articles."""
        if not self._settled:
            self._settled = True
            gc.collect()
            gc.freeze()

    def load_turtle_dir(self, directory: Path, *, only_missing: bool = False) -> int:
        """Load the Turtle files of a build into the store; returns the triples loaded.

        ``only_missing``: only the files whose graph the store does not hold (a store that
        is not empty), each reported as a W008 note in :attr:`notes`."""
        present = set(self.service.store.named_graphs()) if only_missing else set()
        graphs: dict[URIRef, Graph] = {} if ONTOLOGY_GRAPH in present else {ONTOLOGY_GRAPH: self.ontology_graph()}
        for path in sorted(directory.glob("*.ttl")) if directory.is_dir() else []:
            g = _parse_turtle(path)
            name = _graph_name(g, path)
            if name in present:
                continue
            graphs[name] = g
            if only_missing:
                self.notes.append(warning("W008", path=str(path), problem="its graph was not in the store; loaded"))
        self.service.store.replace_graphs(self.service.with_derived(graphs))
        return sum(len(g) for g in graphs.values())

    def reconcile(self, directory: Path) -> list[str]:
        """Settle Turtle files a crash left pending (see the module's doc); returns W008 notes."""
        notes: list[str] = []
        for pending in sorted(directory.glob(f".*.ttl{PENDING_SUFFIX}")):
            target = pending.with_name(pending.name[1 : -len(PENDING_SUFFIX)])
            try:
                g = _parse_turtle(pending)
                name = _graph_name(g, target)
                committed = isomorphic(self.service.store.graph(name), g)
            except ArticleError:
                committed = False
            if committed:
                os.replace(pending, target)
                notes.append(warning("W008", path=str(target),
                                     problem="a write was interrupted after the store committed; the file is now in place"))
            else:
                pending.unlink()
                notes.append(warning("W008", path=str(target),
                                     problem="a write was interrupted before the store committed; its pending file is discarded"))
        return notes

    # -- pieces -------------------------------------------------------------------------------

    def dictionary_graph(self) -> Graph:
        return write_dictionary(self.resources.dictionary)

    def ontology_graph(self) -> Graph:
        return Graph().parse(ONTOLOGY_FILE, format="turtle")

    def _link(self, *, docs: list[Doc], skip: set[str]) -> EventPlan:
        """Link the docs' event reports with each other and with the store's (conflictkg.event_index):
        each report, and each claim, gets the key of the event it is one report of."""
        res = self.resources
        self._written_events = set()
        reports = [report_of(d.article.key, e) for d in docs for e in d.events]
        plan = plan_links(reports, self.service.store, res.rules, res.gazetteer, skip_articles=skip)
        labels = {g.key: g.label for g in plan.groups}
        for d in docs:
            remap = {}
            for e in d.events:
                remap[e.report] = e.key = plan.key_of[e.report]
                e.label = labels[e.key]
                e.link_keys = link_keys(report_of(d.article.key, e), res.rules, res.gazetteer)
            for c in d.claims:
                c.events = [remap.get(k, k) for k in c.events]
        link_people(docs)
        return plan

    def _settle_events(self, plan: EventPlan, out_dir: Path | None, failed: set[str] = frozenset()) -> None:  # type: ignore[assignment]
        """After the articles: the event graphs no article brought, stored articles moved to
        renamed events, event graphs that are gone; and the same in the Turtle folder. Reports of
        ``failed`` articles (not committed) are left out of their events' graphs."""
        from .rdf import write_event

        store = self.service.store
        changed: set[str] = set()
        if failed:
            for g in plan.groups:
                kept = [r for r in g.reports if r.article not in failed]
                if g.key in plan.graphs and len(kept) < len(g.reports):
                    g.reports, g.reasons = kept, {k: v for k, v in g.reasons.items() if k.rsplit("-", 1)[0] not in failed
                                                  and v[0].rsplit("-", 1)[0] not in failed}
                    changed.add(g.key)
                    if kept:
                        plan.graphs[g.key] = write_event(g)
                    else:
                        del plan.graphs[g.key]
                        plan.dropped.add(g.key)
        rest: dict[URIRef, Graph | None] = {event_graph(k): g for k, g in plan.graphs.items()
                                            if k not in self._written_events or k in changed}
        rest.update(moved_graphs(store, plan.renames, plan.dropped))
        if rest:
            store.replace_graphs(_with_derived(self.service, rest))
        if out_dir is None:
            return
        for key, g in plan.graphs.items():
            _write_atomic(out_dir / f"{EVENT_FILE_PREFIX}{key}.ttl", to_turtle(g))
        for key in plan.dropped:
            (out_dir / f"{EVENT_FILE_PREFIX}{key}.ttl").unlink(missing_ok=True)
        for article in plan.renames:
            g = store.graph(article_graph(article))
            name = next((str(o) for o in g.objects(None, CKG.fileName)), None)
            if name:
                _write_atomic(out_dir / (Path(name).stem + ".ttl"), to_turtle(g))
        self._written_events = set()

    def graph_for(self, doc: Doc) -> Graph:
        return write_article(doc.article, title=doc.title, title_basis=doc.title_basis, publisher=doc.publisher,
                             claims=doc.claims, events=doc.events, actors=doc.actors, places=doc.places)

    def _commit(self, doc: Doc, outcome: ArticleOutcome, out_dir: Path | None, plan: EventPlan) -> None:
        name = article_graph(doc.article.key)
        graph = self.graph_for(doc)
        outcome.graph, outcome.claims, outcome.events = str(name), len(doc.claims), len(doc.events)
        outcome.warnings += doc.warnings
        # The article goes in with the graphs of its events, validated together.
        events = {event_graph(e.key): plan.graphs[e.key] for e in doc.events if e.key in plan.graphs}
        try:
            graphs = self.service.with_derived({name: graph, **events})
            report = self.service.validator.validate_delta(self.service.gate_view(graphs), self.service.store)
            if not report.conforms:
                raise ValidationFailed(f"{doc.article.meta.file_name}: the article's graph breaks the shapes; nothing of it was written",
                                       report=report)
        except ValidationFailed as exc:
            outcome.ok, outcome.error = False, exc
            return
        target = out_dir / (Path(doc.article.meta.file_name).stem + ".ttl") if out_dir is not None else None
        with _journal(target, graph):
            self.service.store.replace_graphs(graphs)
        self._written_events |= {e.key for e in doc.events}


def _with_derived(service: GraphService, graphs: dict[URIRef, Graph | None]) -> dict[URIRef, Graph | None]:
    """``graphs`` (None drops one: an event graph that is gone) with the derived graphs they imply."""
    kept = {name: g for name, g in graphs.items() if g is not None}
    return {**service.with_derived(kept), **{name: None for name, g in graphs.items() if g is None}}


def _graph_name(g: Graph, path: Path) -> URIRef:
    """The named graph a Turtle file of a build holds: the dictionary, an event, or an article."""
    if path.name == DICTIONARY_FILE:
        return DICTIONARY_GRAPH
    if path.name.startswith(EVENT_FILE_PREFIX):
        return event_graph(path.stem[len(EVENT_FILE_PREFIX):])
    return _graph_of(g, path)


def _graph_of(g: Graph, path: Path) -> URIRef:
    articles = sorted(g.subjects(RDF.type, CKG.Article))
    if len(articles) != 1:
        raise ArticleError(str(path), f"expected one ckg:Article in the file, found {len(articles)}", code="E038")
    return article_graph(str(articles[0]).rsplit("/", 1)[-1])


def _parse_turtle(path: Path) -> Graph:
    g = Graph()
    try:
        g.parse(path, format="turtle")
    except Exception as exc:  # rdflib raises many parser exception types
        raise ArticleError(str(path), f"not valid Turtle: {exc}", code="E037") from None
    return g


@contextmanager
def _journal(target: Path | None, graph: Graph) -> Iterator[None]:
    """Around a store commit: write ``graph`` as ``target``'s pending file before, rename it into
    place after; discard it when the commit fails. ``target`` None: no file."""
    if target is None:
        yield
        return
    pending = target.with_name(f".{target.name}{PENDING_SUFFIX}")
    _write_atomic(pending, to_turtle(graph))
    try:
        yield
    except BaseException:
        pending.unlink(missing_ok=True)
        raise
    os.replace(pending, target)


def _write_atomic(path: Path, text: str) -> None:
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise

