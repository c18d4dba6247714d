"""Building the graph: articles -> extraction -> SHACL gate -> the store (and its Turtle folder).

Every article is its own named graph. An article that cannot be read, or whose graph fails the
shapes, is reported and nothing of it is written; the others go on. Each article's graph goes
into the store in one transaction with its events' graphs and the derived graphs they imply,
through the service's commit (:meth:`GraphService.commit`), which writes each graph's file in
the store's Turtle folder through a journal (:mod:`conflictkg.turtle_folder`).
"""

from __future__ import annotations

import gc
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from rdflib import Graph, URIRef

from .corpus import read_corpus
from .errors import ConflictKGError, ValidationFailed
from .extract import Doc, Pipeline, Resources, load_resources
from .event_index import EventPlan, link_keys, moved_graphs, plan_links
from .event_linking import report_of
from .extract.people import link_people
from .model import Article
from .namespaces import DICTIONARY_GRAPH, ONTOLOGY_GRAPH, article_graph, event_graph
from .rdf import write_article, write_dictionary
from .resources import ONTOLOGY_FILE

if TYPE_CHECKING:  # pragma: no cover
    from .service import GraphService

__all__ = ["Builder", "BuildReport", "ArticleOutcome"]


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
        #: Warnings of settling the store's Turtle folder (printed by the command that started the service).
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

    def build(self, corpus: Path) -> BuildReport:
        """Extract every article of ``corpus``, validate, and commit them (the store's Turtle folder,
        ``--turtle-dir`` or ``turtle/`` beside the store, follows; an in-memory store without
        ``--turtle-dir`` has none)."""
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
        notes = len(self.notes)
        self.service.commit({DICTIONARY_GRAPH: self.dictionary_graph(), ONTOLOGY_GRAPH: self.ontology_graph()})
        report.notes += self.notes[notes:]  # what settling the Turtle folder's journal found
        for doc, outcome in docs:
            self._commit(doc, outcome, plan)
            report.outcomes.append(outcome)
        self._settle_events(plan, failed={d.article.key for d, o in docs if not o.ok})
        report.outcomes.sort(key=lambda o: o.file)
        return report

    def ingest(self, article: Article) -> ArticleOutcome:
        """Add one article (the API's write path): linked to the events already in the store."""
        doc = self.extract(article)
        plan = self._link(docs=[doc], skip={article.key})
        outcome = ArticleOutcome(file=article.meta.file_name, ok=True)
        if not self.service.store.ask(f"ASK {{ GRAPH <{DICTIONARY_GRAPH}> {{ ?s ?p ?o }} }}"):
            self.service.commit({DICTIONARY_GRAPH: self.dictionary_graph(), ONTOLOGY_GRAPH: self.ontology_graph()})
        self._commit(doc, outcome, plan)
        if outcome.ok:
            self._settle_events(plan)
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

    def _settle_events(self, plan: EventPlan, failed: set[str] = frozenset()) -> None:  # type: ignore[assignment]
        """After the articles: the event graphs no article brought, stored articles moved to
        renamed events, event graphs that are gone. Reports of ``failed`` articles (not committed)
        are left out of their events' graphs."""
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
            self.service.commit(_with_derived(self.service, rest))
        self._written_events = set()

    def graph_for(self, doc: Doc) -> Graph:
        return write_article(doc.article, title=doc.title, title_basis=doc.title_basis, publisher=doc.publisher,
                             claims=doc.claims, events=doc.events, actors=doc.actors, places=doc.places)

    def _commit(self, doc: Doc, outcome: ArticleOutcome, plan: EventPlan) -> None:
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
        self.service.commit(graphs)
        self._written_events |= {e.key for e in doc.events}


def _with_derived(service: GraphService, graphs: dict[URIRef, Graph | None]) -> dict[URIRef, Graph | None]:
    """``graphs`` (None drops one: an event graph that is gone) with the derived graphs they imply."""
    kept = {name: g for name, g in graphs.items() if g is not None}
    return {**service.with_derived(kept), **{name: None for name, g in graphs.items() if g is None}}
