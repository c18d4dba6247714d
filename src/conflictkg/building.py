"""Building the graph: articles -> extraction -> SHACL gate -> Turtle files and the store.

Every article is its own named graph and its own Turtle file. An article that cannot be
read, or whose graph fails the shapes, is reported and nothing of it is written; the
others go on. Files are written to a temporary name and renamed, so a failure never
leaves half a file; the store replaces each article's graph in one transaction.
"""

from __future__ import annotations

import gc
import os
import tempfile
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from rdflib import Graph, URIRef

from .corpus import read_corpus
from .errors import ArticleError, ConflictKGError, ValidationFailed
from .extract import Doc, Pipeline, Resources, load_resources
from .event_index import EventPlan, link_keys, plan_links, rename_update
from .event_linking import report_of
from .extract.people import link_people
from .model import Article
from .namespaces import CKG, DICTIONARY_GRAPH, ONTOLOGY_GRAPH, RDF, article_graph, event_graph
from .rdf import to_turtle, write_article, write_dictionary
from .resources import ONTOLOGY_FILE

if TYPE_CHECKING:  # pragma: no cover
    from .service import GraphService

__all__ = ["Builder", "BuildReport", "ArticleOutcome", "DICTIONARY_FILE", "EVENT_FILE_PREFIX"]

DICTIONARY_FILE = "dictionary.ttl"
#: Turtle files of event graphs are ``event-<key>.ttl``.
EVENT_FILE_PREFIX = "event-"


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
        """Extract every article of ``corpus``, validate, write Turtle and load the store."""
        out_dir = out_dir or self.service.settings.turtle_dir
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
        out_dir.mkdir(parents=True, exist_ok=True)
        _write_atomic(out_dir / DICTIONARY_FILE, to_turtle(dictionary))
        self.service.store.replace_graphs({DICTIONARY_GRAPH: dictionary, ONTOLOGY_GRAPH: self.ontology_graph()})
        for doc, outcome in docs:
            self._commit(doc, outcome, out_dir, plan)
            report.outcomes.append(outcome)
        self._settle_events(plan, out_dir)
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

    def load_turtle_dir(self, directory: Path) -> int:
        """Load the Turtle files of a build into the store (first start of the service)."""
        graphs: dict[URIRef, Graph] = {ONTOLOGY_GRAPH: self.ontology_graph()}
        for path in sorted(directory.glob("*.ttl")):
            g = Graph()
            try:
                g.parse(path, format="turtle")
            except Exception as exc:  # rdflib raises many parser exception types
                raise ArticleError(str(path), f"not valid Turtle: {exc}", code="E037") from None
            if path.name == DICTIONARY_FILE:
                graphs[DICTIONARY_GRAPH] = g
            elif path.name.startswith(EVENT_FILE_PREFIX):
                graphs[event_graph(path.stem[len(EVENT_FILE_PREFIX):])] = g
            else:
                graphs[_graph_of(g, path)] = g
        self.service.store.replace_graphs(graphs)
        return sum(len(g) for g in graphs.values())

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

    def _settle_events(self, plan: EventPlan, out_dir: Path | None) -> None:
        """After the articles: the event graphs no article brought, stored articles moved to
        renamed events, event graphs that are gone; and the same in the Turtle folder."""
        store = self.service.store
        rest = {event_graph(k): g for k, g in plan.graphs.items() if k not in self._written_events}
        if rest:
            store.replace_graphs(rest)
        update = rename_update(plan.renames, plan.dropped)
        if update:
            store.update(update)
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
            report = self.service.validator.validate_delta({name: graph, **events}, self.service.store)
            if not report.conforms:
                raise ValidationFailed(f"{doc.article.meta.file_name}: the article's graph breaks the shapes; nothing of it was written",
                                       report=report)
        except ValidationFailed as exc:
            outcome.ok, outcome.error = False, exc
            return
        if out_dir is not None:
            _write_atomic(out_dir / (Path(doc.article.meta.file_name).stem + ".ttl"), to_turtle(graph))
        self.service.store.replace_graphs({name: graph, **events})
        self._written_events |= {e.key for e in doc.events}


def _graph_of(g: Graph, path: Path) -> URIRef:
    articles = sorted(g.subjects(RDF.type, CKG.Article))
    if len(articles) != 1:
        raise ArticleError(str(path), f"expected one ckg:Article in the file, found {len(articles)}", code="E038")
    return article_graph(str(articles[0]).rsplit("/", 1)[-1])


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

