"""A deterministic synthetic conflictkg graph, following docs/model.md, for benchmarks.

It writes N-Quads text directly (fast: about a million quads in a few seconds) in the
named-graph layout the pipeline uses: ``ckgg:dictionary`` with curated actors and places,
then one ``ckgg:article/<key>`` graph per article with the article, its claims (with figures,
evidence spans, dates, stances, channels), its report of the event it mentions and the actors
the text creates (named persons, unnamed sources), then one ``ckgg:event/<key>`` graph per
event (shared across articles: an event is one node whatever the number of reports). The data
conforms to the shapes in ``shapes/``.

Skew, as in real news: claimants are drawn from the dictionary actors with Zipf-like
popularity (a few ministries speak in most articles), places likewise. Events have a pool
that grows with the number of articles, so the mean number of reports per event stays the
same at every size.

    from benchmarks.generator import generate, write_nquads, load_store
    for graph_iri, graph in generate(20_000, seed=1): ...        # rdflib graphs (small sizes)
    n = write_nquads("kg.nq", 1_000_000, seed=1)                 # N-Quads file
    load_store(store, 1_000_000, seed=1)                          # straight into pyoxigraph

Run ``python -m benchmarks.generator --triples 100000 -o kg.nq`` to write a file.
"""

from __future__ import annotations

import argparse
import bisect
import datetime as dt
import hashlib
import io
import itertools
import random
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from rdflib import Graph, URIRef

CKG = "https://w3id.org/conflictkg/ontology#"
CKGID = "https://w3id.org/conflictkg/id/"
CKGG = "https://w3id.org/conflictkg/graph/"
SEM = "http://semanticweb.cs.vu.nl/2009/11/sem/"
PROV = "http://www.w3.org/ns/prov#"
OA = "http://www.w3.org/ns/oa#"
SCHEMA = "http://schema.org/"
SKOS = "http://www.w3.org/2004/02/skos/core#"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
XSD = "http://www.w3.org/2001/XMLSchema#"
GRASPF = "http://groundedannotationframework.org/grasp/factuality#"

__all__ = [
    "DICTIONARY_GRAPH_IRI",
    "GENERATOR_VERSION",
    "GeneratorConfig",
    "article_graphs",
    "generate",
    "iter_graphs",
    "load_store",
    "write_nquads",
]

DICTIONARY_GRAPH_IRI = CKGG + "dictionary"
GENERATOR_VERSION = 2
"""Bump whenever the output changes for the same size and seed: cached files and stores are keyed by it."""
ORG_TYPES = ("Government", "Ministry", "ArmedForce", "ArmedGroup", "Coalition", "MediaOutlet", "NewsAgency",
             "Monitor", "InternationalOrganisation")
EVENT_TYPES = ("Attack", "AirStrike", "Clash", "Crash", "Bombardment")
STANCES = ("Asserts", "Denies", "Accuses", "ClaimsResponsibility", "Confirms")
CHANNELS = ("Statement", "Briefing", "Interview", "SocialMedia", "Letter", "MediaReport")
MEASURES = ("Killed", "Wounded", "KilledOrWounded", "Attackers")
CERTAINTIES = ("certain", "probable", "possible")
WORDS = ("army", "forces", "said", "killed", "village", "attack", "officials", "reported", "strike", "near",
         "province", "ministry", "rebels", "statement", "claimed", "wounded", "civilians", "town", "border")
START_DATE = dt.date(2017, 1, 1)
#: The ISO country each of the ten synthetic countries (places p0-p9) stands for in reports' link keys.
GENERATOR_COUNTRIES = ("SY", "IQ", "UA", "YE", "LY", "AF", "SO", "ML", "SD", "MZ")


@dataclass(frozen=True)
class GeneratorConfig:
    """Sizes of the synthetic world; the defaults give realistic proportions."""

    dictionary_actors: int = 400
    places: int = 300
    claims_per_article: tuple[int, int] = (2, 6)
    figures_per_claim: tuple[int, int] = (0, 2)
    articles_per_event: float = 3.0
    """Mean number of articles reporting the same event (the event pool grows with the corpus)."""
    zipf_exponent: float = 1.1
    dissent: float = 0.15
    """Share of figures that state another number than the event's own toll of that population."""
    triples_per_article: int = 230
    """Rough size of one article graph, used to turn a triple budget into a number of articles."""


def _iri(x: str) -> str:
    return f"<{x}>"


def _lit(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")
    return f'"{escaped}"'


def _typed(text: str, datatype: str) -> str:
    return f'{_lit(text)}^^<{XSD}{datatype}>'


def _en(text: str) -> str:
    return f"{_lit(text)}@en"


class _Zipf:
    """Draws indexes 0..n-1 with probability proportional to 1 / (rank + 1) ** s."""

    def __init__(self, n: int, s: float) -> None:
        weights = [1.0 / (i + 1) ** s for i in range(n)]
        self.cumulative = list(itertools.accumulate(weights))

    def draw(self, rng: random.Random) -> int:
        return bisect.bisect_left(self.cumulative, rng.random() * self.cumulative[-1])


class _Writer:
    """Collects the quads of one named graph as N-Quads lines."""

    def __init__(self, graph: str) -> None:
        self.g = _iri(graph)
        self.lines: list[str] = []
        self.report: tuple[int, str] = (0, "")
        """An article's report: (the index of its event in the world, the report's IRI)."""

    def add(self, s: str, p: str, o: str) -> None:
        self.lines.append(f"{s} {p} {o} {self.g} .\n")


P = {name: _iri(iri) for name, iri in {
    "type": RDF_TYPE, "label": RDFS_LABEL, "prefLabel": SKOS + "prefLabel",
    "headline": SCHEMA + "headline", "datePublished": SCHEMA + "datePublished", "minValue": SCHEMA + "minValue",
    "maxValue": SCHEMA + "maxValue", "attributedTo": PROV + "wasAttributedTo", "derivedFrom": PROV + "wasDerivedFrom",
    "hasSource": OA + "hasSource", "hasSelector": OA + "hasSelector", "start": OA + "start", "end": OA + "end",
    "exact": OA + "exact", "prefix": OA + "prefix", "begin": SEM + "hasEarliestBeginTimeStamp",
    "latestEnd": SEM + "hasLatestEndTimeStamp", "hasPlace": SEM + "hasPlace", "hasActor": SEM + "hasActor",
}.items()}
for _name in ("titleBasis", "fileName", "textLength", "contentHash", "publicationDateBasis", "about", "hasFigure",
              "stance", "certainty", "hedge", "channel", "reportedVia", "onBehalfOf", "claimDate", "claimDateBasis",
              "sourceArticle", "evidence", "extractionRule", "measure", "qualifier", "surfaceForm", "countedGroup",
              "reportOf", "reportedIn", "reportedBy", "eventType", "linkKey",
              "role", "affiliatedWith", "backs", "country", "dictionaryEntry", "scopedTo", "placeType", "partOf",
              "counts", "populationOf", "populationKind", "conflictEvent", "conflictMeasure", "firstFigure",
              "secondFigure", "firstClaim", "secondClaim", "firstClaimant", "secondClaimant", "firstPopulation",
              "secondPopulation",
              "populationRelation", "reason"):
    P[_name] = _iri(CKG + _name)


def _c(local: str) -> str:
    return _iri(CKG + local)


class _World:
    def __init__(self, n_articles: int, seed: int, config: GeneratorConfig) -> None:
        self.config = config
        self.seed = seed
        self.n_articles = n_articles
        self.places = [CKGID + f"place/p{i}" for i in range(config.places)]
        self.actors = [CKGID + f"actor/a{i}" for i in range(config.dictionary_actors)]
        self.actor_pick = _Zipf(len(self.actors), config.zipf_exponent)
        self.place_pick = _Zipf(len(self.places), config.zipf_exponent)
        self.n_events = max(1, int(n_articles / config.articles_per_event))
        self.n_persons = max(1, n_articles // 2)

    def dictionary(self) -> _Writer:
        rng = random.Random(f"{self.seed}-dictionary")
        w = _Writer(DICTIONARY_GRAPH_IRI)
        dict_graph = _iri(DICTIONARY_GRAPH_IRI)
        for i, place in enumerate(self.places):
            s = _iri(place)
            name = f"Place {i}"
            w.add(s, P["type"], _c("Place"))
            w.add(s, P["prefLabel"], _en(name))
            w.add(s, P["label"], _en(name))
            w.add(s, P["placeType"], _lit("country" if i < 10 else rng.choice(("town", "city", "village", "governorate"))))
            w.add(s, P["dictionaryEntry"], _lit(f"p{i}"))
            w.add(s, P["derivedFrom"], dict_graph)
            if i >= 10:
                w.add(s, P["partOf"], _iri(self.places[i % 10]))
        for i, actor in enumerate(self.actors):
            s = _iri(actor)
            name = f"Organisation {i}"
            w.add(s, P["type"], _c("Actor"))
            w.add(s, P["type"], _c("Organisation"))
            w.add(s, P["type"], _c(ORG_TYPES[i % len(ORG_TYPES)]))
            w.add(s, P["prefLabel"], _en(name))
            w.add(s, P["label"], _en(name))
            w.add(s, P["dictionaryEntry"], _lit(f"a{i}"))
            w.add(s, P["derivedFrom"], dict_graph)
            w.add(s, P["country"], _iri(self.places[i % 10]))
            if i >= 10 and rng.random() < 0.5:
                w.add(s, P["affiliatedWith"], _iri(self.actors[rng.randrange(10)]))
            if rng.random() < 0.05:
                w.add(s, P["backs"], _iri(self.actors[rng.randrange(len(self.actors))]))
        return w

    def complete_below(self, articles: int) -> int:
        """Events below this index get no report from the articles after the first ``articles``."""
        if self.n_events <= 5:
            return 0
        return int(articles / self.config.articles_per_event) - 2

    def event(self, index: int) -> tuple[str, str, str, list[str], str]:
        """Key facts of event ``index``, the same in every article that reports it."""
        rng = random.Random(f"{self.seed}-event-{index}")
        day = START_DATE + dt.timedelta(days=rng.randrange(3 * 365))
        place = self.places[self.place_pick.draw(rng)]
        family = EVENT_TYPES[index % len(EVENT_TYPES)]
        key = f"{day.isoformat()}-{place.rsplit('/', 1)[-1]}-{family.lower()}-{index}"
        places = [place] + ([self.places[int(place.rsplit('p', 1)[-1]) % 10]] if rng.random() < 0.5 else [])
        return CKGID + f"event/{key}", family, day.isoformat(), places, f"{family}, {places[0].rsplit('/', 1)[-1]}, {day}"

    def article(self, index: int) -> _Writer:
        """The graph of article ``index`` (:attr:`_Writer.report`: the event it reports, and its report)."""
        cfg = self.config
        rng = random.Random(f"{self.seed}-article-{index}")
        key = hashlib.sha256(f"{self.seed}-{index}".encode()).hexdigest()
        akey = key[:16]
        w = _Writer(CKGG + f"article/{akey}")
        art = _iri(CKGID + f"article/{akey}")
        n_claims = rng.randint(*cfg.claims_per_article)
        # Events the article reports: drawn near its position so that reports cluster in time.
        event_index = min(self.n_events - 1, int(index / cfg.articles_per_event) + rng.randrange(-2, 3)) \
            if self.n_events > 5 else rng.randrange(self.n_events)
        event_index = max(0, event_index)
        event, family, day, places, label = self.event(event_index)
        published = dt.date.fromisoformat(day) + dt.timedelta(days=rng.randrange(0, 3))
        words = [rng.choice(WORDS) for _ in range(60 + 40 * n_claims)]
        text_length = sum(len(x) + 1 for x in words) + 40
        offset = [40]

        def span(length: int) -> str:
            start = offset[0]
            end = min(text_length, start + length)
            offset[0] = end + 1 if end + 1 < text_length - 10 else 40
            node = CKGID + f"span/{akey}/{start}-{end}"
            s = _iri(node)
            pos, quote = _iri(node + "#position"), _iri(node + "#quote")
            w.add(s, P["type"], _c("TextSpan"))
            w.add(s, P["hasSource"], art)
            w.add(s, P["hasSelector"], pos)
            w.add(s, P["hasSelector"], quote)
            w.add(pos, P["type"], _iri(OA + "TextPositionSelector"))
            w.add(pos, P["start"], _typed(str(start), "integer"))
            w.add(pos, P["end"], _typed(str(end), "integer"))
            w.add(quote, P["type"], _iri(OA + "TextQuoteSelector"))
            # The quote is a function of the offsets: the same span always has the same text.
            w.add(quote, P["exact"], _lit(" ".join(WORDS[(start + k) % len(WORDS)] for k in range(max(1, (end - start) // 7)))))
            w.add(quote, P["prefix"], _lit(WORDS[start % len(WORDS)] + " "))
            return s

        w.add(art, P["type"], _c("Article"))
        w.add(art, P["headline"], _lit(f"Report {index}: {label}"))
        w.add(art, P["titleBasis"], _lit("metadata"))
        w.add(art, P["fileName"], _lit(f"{index:06d}_{akey}.txt"))
        w.add(art, P["datePublished"], _typed(published.isoformat(), "date"))
        w.add(art, P["publicationDateBasis"], _lit("stated"))
        w.add(art, P["textLength"], _typed(str(text_length), "integer"))
        w.add(art, P["contentHash"], _lit(key))

        ev = _iri(event)
        report = _iri(CKGID + f"event-report/{akey}-1")
        w.add(report, P["type"], _c("EventReport"))
        w.add(report, P["reportOf"], ev)
        w.add(report, P["reportedIn"], art)
        w.add(report, P["eventType"], _c(family))
        w.add(report, P["begin"], _typed(day, "date"))
        w.add(report, P["latestEnd"], _typed(day, "date"))
        w.add(report, P["hasPlace"], _iri(places[0]))
        country = GENERATOR_COUNTRIES[int(places[0].rsplit("p", 1)[-1]) % 10]
        for week in _weeks(dt.date.fromisoformat(day)):
            w.add(report, P["linkKey"], _lit(f"{week}:{country}"))
        w.add(report, P["linkKey"], _lit(f"country:{country}"))
        w.add(report, P["evidence"], span(30))
        w.add(report, P["extractionRule"], _lit("event.attack"))
        w.report = (event_index, report)

        for c in range(n_claims):
            roll = rng.random()
            org = self.actors[self.actor_pick.draw(rng)]
            if roll < 0.6:
                claimant, behalf = org, None
            elif roll < 0.85:
                person = CKGID + f"actor/person/person-{rng.randrange(self.n_persons)}"
                p = _iri(person)
                w.add(p, P["type"], _c("Actor"))
                w.add(p, P["type"], _c("Person"))
                name = "Person " + person.rsplit("-", 1)[-1]
                w.add(p, P["prefLabel"], _en(name))
                w.add(p, P["label"], _en(name))
                w.add(p, P["role"], _lit("spokesperson"))
                w.add(p, P["evidence"], span(20))
                w.add(p, P["extractionRule"], _lit("actor.person-from-text"))
                claimant, behalf = person, org
            else:
                unnamed = CKGID + f"actor/unnamed/{akey}/source-{c}"
                u = _iri(unnamed)
                w.add(u, P["type"], _c("Actor"))
                w.add(u, P["type"], _c("UnnamedSource"))
                w.add(u, P["prefLabel"], _en(f"a source {c}"))
                w.add(u, P["label"], _en(f"a source {c}"))
                w.add(u, P["evidence"], span(15))
                w.add(u, P["scopedTo"], art)
                w.add(u, P["extractionRule"], _lit("actor.unnamed-descriptor"))
                claimant, behalf = unnamed, None
            claim = CKGID + f"claim/{akey}-{hashlib.sha256(f'{key}{c}'.encode()).hexdigest()[:12]}"
            cl = _iri(claim)
            w.add(cl, P["type"], _c("Claim"))
            w.add(cl, P["attributedTo"], _iri(claimant))
            if behalf:
                w.add(cl, P["onBehalfOf"], _iri(behalf))
            if rng.random() < 0.8:
                w.add(cl, P["claimDate"], _typed(published.isoformat(), "date"))
                w.add(cl, P["claimDateBasis"], _c("DateOfReport"))
            else:
                w.add(cl, P["claimDate"], _typed(published.isoformat()[:7], "gYearMonth"))
                w.add(cl, P["claimDateBasis"], _c("DateStated"))
            w.add(cl, P["about"], ev)
            w.add(cl, P["stance"], _c(STANCES[rng.randrange(len(STANCES))]))
            certainty = CERTAINTIES[0] if rng.random() < 0.8 else rng.choice(CERTAINTIES[1:])
            w.add(cl, P["certainty"], _iri(GRASPF + certainty))
            if certainty != "certain":
                w.add(cl, P["hedge"], _lit("may have"))
            w.add(cl, P["channel"], _c(CHANNELS[rng.randrange(len(CHANNELS))]))
            if rng.random() < 0.2:
                w.add(cl, P["reportedVia"], _iri(self.actors[5 + rng.randrange(5)]))
            w.add(cl, P["sourceArticle"], art)
            w.add(cl, P["evidence"], span(80))
            w.add(cl, P["extractionRule"], _lit("attr.subject-said"))
            for f in range(rng.randint(*cfg.figures_per_claim)):
                fig = _iri(CKGID + f"figure/{hashlib.sha256(f'{claim}{f}'.encode()).hexdigest()[:12]}")
                measure_index = rng.randrange(len(MEASURES))
                measure = _c(MEASURES[measure_index])
                kind = POPULATION_KINDS[rng.randrange(len(POPULATION_KINDS))]
                # Reports of one toll mostly agree: the event's own number (or a lower "at least"),
                # and now and then another number (DISSENT of them).
                true = random.Random(f"{self.seed}-toll-{event}-{measure_index}-{kind}").randrange(1, 200)
                low = rng.randrange(1, 200) if rng.random() < cfg.dissent else true
                w.add(cl, P["hasFigure"], fig)
                w.add(fig, P["type"], _c("Figure"))
                w.add(fig, P["measure"], measure)
                exact = rng.random() < 0.5
                if not exact and low == true:
                    low = max(1, true - rng.randrange(0, 10))
                if exact:
                    w.add(fig, P["minValue"], _typed(str(low), "integer"))
                    w.add(fig, P["maxValue"], _typed(str(low), "integer"))
                    w.add(fig, P["qualifier"], _c("Exact"))
                    w.add(fig, P["surfaceForm"], _lit(str(low)))
                else:
                    w.add(fig, P["minValue"], _typed(str(low), "integer"))
                    w.add(fig, P["qualifier"], _c("AtLeast"))
                    w.add(fig, P["surfaceForm"], _lit(f"at least {low}"))
                w.add(fig, P["countedGroup"], _lit(kind.lower()))
                w.add(fig, P["extractionRule"], _lit("figure.number"))
                pop = event.replace("/event/", "/population/") + "/" + kind.lower()
                w.add(fig, P["counts"], _iri(pop))
                w.add(_iri(pop), P["type"], _c("Population"))
                w.add(_iri(pop), P["label"], _en(kind.lower()))
                w.add(_iri(pop), P["populationOf"], ev)
                w.add(_iri(pop), P["populationKind"], _c(kind))
                w.add(_iri(pop), P["extractionRule"], _lit(f"population.kind.{kind.lower()}"))
        return w

    def event_graph(self, index: int, reports: list[str]) -> _Writer:
        """Event ``index``'s own graph: what its reports agree on, and its reports."""
        event, family, day, places, label = self.event(index)
        w = _Writer(CKGG + "event/" + event.rsplit("/", 1)[-1])
        ev = _iri(event)
        w.add(ev, P["type"], _c("Event"))
        w.add(ev, P["type"], _c(family))
        w.add(ev, P["label"], _en(label))
        w.add(ev, P["begin"], _typed(day, "date"))
        w.add(ev, P["latestEnd"], _typed(day, "date"))
        w.add(ev, P["hasPlace"], _iri(places[0]))
        for report in reports:
            w.add(ev, P["reportedBy"], report)
        return w


class _Derivations:
    """The events' derived graphs (contradictions, revisions, figure summaries), computed by the
    pipeline's own code: :func:`conflictkg.derived.read_facts` then :func:`~conflictkg.derived.event_graph`,
    over an in-memory store holding the dictionary and the articles of the events not yet complete
    (an article reports an event near its own position, so only a few hundred articles are held).
    A derived graph depends only on its event's articles and the dictionary, so it is the graph
    ``Derivation.rebuild`` makes from the whole store (tests/test_benchmarks_smoke.py checks it)."""

    def __init__(self, world: _World) -> None:
        import pyoxigraph as ox

        from conflictkg.rules import load_rules

        self.world = world
        self.store = ox.Store()
        self.store.load("".join(world.dictionary().lines).encode(), format=ox.RdfFormat.N_QUADS)
        self.parent = {k.kind: k.within for k in load_rules().population_kinds}
        self.pending: dict[int, list[str]] = {}
        """Event index -> its articles' graphs held in the store."""

    def add(self, article: _Writer) -> None:
        import pyoxigraph as ox

        self.store.load("".join(article.lines).encode(), format=ox.RdfFormat.N_QUADS)
        self.pending.setdefault(article.report[0], []).append(article.g[1:-1])

    def complete(self, below: int | None) -> Iterator[tuple[str, list[str]]]:
        """The derived graphs of the events below index ``below`` (None: every event left), in event order."""
        import pyoxigraph as ox

        from conflictkg.derived import context_of, derived_graph, event_graph, read_facts
        from conflictkg.store import EmbeddedStore, to_oxigraph

        done = sorted(e for e in self.pending if below is None or e < below)
        if not done:
            return
        iris = {e: self.world.event(e)[0] for e in done}
        facts = read_facts(EmbeddedStore.over(self.store, union_default_graph=False), iris.values())
        for e in done:
            g = event_graph(facts[iris[e]], context_of(facts[iris[e]], self.parent))
            name = f"<{derived_graph(iris[e])}>"
            lines = sorted(f"{to_oxigraph(s_)} {to_oxigraph(p_)} {to_oxigraph(o_)} {name} .\n" for s_, p_, o_ in g)
            for graph in self.pending.pop(e):
                self.store.remove_graph(ox.NamedNode(graph))
            if lines:
                yield name[1:-1], lines


#: Kinds of the populations the synthetic figures count (ckg:PopulationKind local names).
POPULATION_KINDS = ("Civilians", "Soldiers", "Fighters")


def _weeks(day: dt.date) -> list[str]:
    """The link keys of a report dated ``day`` (conflictkg.event_index.link_keys): its weeks, a day either side."""
    out = set()
    for d in (day - dt.timedelta(days=1), day, day + dt.timedelta(days=1)):
        year, week, _ = d.isocalendar()
        out.add(f"week:{year}-W{week:02d}")
    return sorted(out)


def _articles_for(n_triples: int, config: GeneratorConfig) -> int:
    dictionary = 6 * config.places + 8 * config.dictionary_actors
    return max(1, (n_triples - dictionary) // config.triples_per_article)


def iter_graphs(n_triples: int, seed: int = 1, *, config: GeneratorConfig | None = None,
                first_article: int = 0, n_articles: int | None = None) -> Iterator[tuple[str, list[str]]]:
    """``(graph IRI, N-Quads lines)``: the dictionary first, then the articles, about ``n_triples`` in all.

    ``first_article``/``n_articles`` select other articles of the same world (the same
    dictionary and events): e.g. fresh articles to ingest into a store built from the first ones.
    """
    config = config or GeneratorConfig()
    total = _articles_for(n_triples, config)
    world = _World(total, seed, config)
    if first_article == 0:
        d = world.dictionary()
        yield DICTIONARY_GRAPH_IRI, d.lines
    count = total if n_articles is None else n_articles
    derive = _Derivations(world) if first_article == 0 and n_articles is None else None
    reports: dict[int, list[str]] = {}
    for index in range(first_article, first_article + count):
        w = world.article(index)
        reports.setdefault(w.report[0], []).append(w.report[1])
        yield w.g[1:-1], w.lines
        if derive is not None:  # the whole world: its events' derived graphs, as each event is complete
            derive.add(w)
            yield from derive.complete(world.complete_below(index + 1))
    if derive is not None:
        yield from derive.complete(None)
    for event_index in sorted(reports):
        e = world.event_graph(event_index, reports[event_index])
        yield e.g[1:-1], e.lines


def article_graphs(n_triples: int, seed: int, indexes: range) -> Iterator[dict[URIRef, Graph]]:
    """The graphs one ingest of article ``index`` writes, for each of ``indexes`` of the world sized
    for ``n_triples``: the article's own graph and its event's graph with the article's report
    (``{graph IRI: rdflib.Graph}``, the article first)."""
    world = _World(_articles_for(n_triples, GeneratorConfig()), seed, GeneratorConfig())
    for index in indexes:
        w = world.article(index)
        e = world.event_graph(w.report[0], [w.report[1]])
        yield {URIRef(w.g[1:-1]): _to_graph(w.lines), URIRef(e.g[1:-1]): _to_graph(e.lines)}


def _to_graph(lines: list[str]) -> Graph:
    g = Graph()
    g.parse(data="".join(line.rsplit(" ", 2)[0] + " .\n" for line in lines), format="nt")
    return g


def generate(n_triples: int, seed: int = 1, *, config: GeneratorConfig | None = None) -> Iterator[tuple[URIRef, Graph]]:
    """The synthetic graph as ``(named graph IRI, rdflib.Graph)`` pairs (for small sizes)."""
    for graph_iri, lines in iter_graphs(n_triples, seed, config=config):
        yield URIRef(graph_iri), _to_graph(lines)


def write_nquads(out: str | Path | IO[str], n_triples: int, seed: int = 1, *,
                 config: GeneratorConfig | None = None) -> int:
    """Write about ``n_triples`` quads as N-Quads; returns the number written."""
    if isinstance(out, (str, Path)):
        with open(out, "w", encoding="utf-8") as fh:
            return write_nquads(fh, n_triples, seed, config=config)
    written = 0
    for _graph, lines in iter_graphs(n_triples, seed, config=config):
        out.writelines(lines)
        written += len(lines)
    return written


def load_store(store: object, n_triples: int, seed: int = 1) -> int:
    """Bulk-load the synthetic graph into a pyoxigraph store (an ``EmbeddedStore`` or ``pyoxigraph.Store``)."""
    import pyoxigraph as ox

    target = getattr(store, "oxigraph", store)
    buffer = io.StringIO()
    written = write_nquads(buffer, n_triples, seed)
    target.bulk_load(buffer.getvalue().encode("utf-8"), format=ox.RdfFormat.N_QUADS)  # type: ignore[attr-defined]
    if hasattr(store, "generation"):
        store.generation += 1  # type: ignore[attr-defined]
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--triples", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("-o", "--output", default=None, help="N-Quads file (default: standard output)")
    args = parser.parse_args(argv)
    n = write_nquads(args.output or sys.stdout, args.triples, args.seed)
    print(f"{n} quads", file=sys.stderr)
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
