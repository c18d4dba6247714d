"""The one place that turns domain records into RDF (see docs/model.md).

Detection code never creates triples; it builds :mod:`conflictkg.model` records and this
module writes them, so the vocabulary is used in exactly one way.
"""

from __future__ import annotations

from collections.abc import Iterable

from rdflib import Graph, Literal, URIRef

from .dictionary import Dictionary
from .model import ActorRecord, Article, Claim, EventRecord, Figure, PartialDate, PlaceRecord, PopulationRecord, Span
from .populations import population_iri, population_key
from .namespaces import (
    CKG,
    CKGID,
    DICTIONARY_GRAPH,
    GRASPF,
    OA,
    PREFIXES,
    PROV,
    RDF,
    RDFS,
    SCHEMA,
    SEM,
    SKOS,
    XSD,
    short_hash,
)

__all__ = [
    "new_graph",
    "article_iri",
    "claim_iri",
    "figure_iri",
    "span_iri",
    "event_iri",
    "date_literal",
    "write_article",
    "write_dictionary",
    "to_turtle",
    "CAMEL",
]

#: snake_case controlled values -> ckg: local names.
CAMEL = {
    "killed": "Killed", "wounded": "Wounded", "killed_or_wounded": "KilledOrWounded", "attackers": "Attackers",
    "missing": "Missing", "captured": "Captured",
    "exact": "Exact", "approximately": "Approximately", "at_least": "AtLeast", "more_than": "MoreThan",
    "up_to": "UpTo", "less_than": "LessThan", "range": "Range", "vague": "Vague",
    "asserts": "Asserts", "denies": "Denies", "accuses": "Accuses",
    "claims_responsibility": "ClaimsResponsibility", "confirms": "Confirms",
    "statement": "Statement", "briefing": "Briefing", "interview": "Interview",
    "social_media": "SocialMedia", "letter": "Letter", "media_report": "MediaReport",
}
QUOTE_CONTEXT = 32


def new_graph() -> Graph:
    # SimpleMemory: a plain triple index, without the bookkeeping of named graphs that the
    # default store does on every add (these graphs are never context-aware): 40% faster to fill.
    # Only our prefixes are bound: rdflib's thirty default ones cost 0.3 ms a graph, and our graphs use none.
    g = Graph(store="SimpleMemory", bind_namespaces="none")
    for prefix, ns in PREFIXES.items():
        g.bind(prefix, ns, override=True, replace=True)
    return g


def article_iri(article_key: str) -> URIRef:
    return CKGID[f"article/{article_key}"]


def span_iri(article_key: str, span: Span) -> URIRef:
    return CKGID[f"span/{article_key}/{span.start}-{span.end}"]


def claim_iri(article_key: str, claim: Claim) -> URIRef:
    return CKGID[f"claim/{article_key}-{short_hash(claim.span.start, claim.span.end, claim.claimant)}"]


def figure_iri(claim: URIRef, figure: Figure) -> URIRef:
    return CKGID[f"figure/{short_hash(claim, figure.span.start, figure.span.end, figure.measure)}"]


def report_iri(report: str) -> URIRef:
    """An article's report of an event: ``<article key>-<n>``."""
    return CKGID[f"event-report/{report}"]


def place_iri(place_id: str) -> URIRef:
    return CKGID[f"place/{place_id}"]


def event_iri(key: str) -> URIRef:
    return CKGID[f"event/{key}"]


def date_literal(d: PartialDate) -> Literal:
    return Literal(d.iso, datatype=XSD.date if d.day is not None else XSD.gYearMonth)


def _int(n: int) -> Literal:
    return Literal(n, datatype=XSD.integer)


def write_span(g: Graph, article: Article, span: Span) -> URIRef:
    node = span_iri(article.key, span)
    if (node, RDF.type, CKG.TextSpan) in g:
        return node
    pos, quote = URIRef(f"{node}#position"), URIRef(f"{node}#quote")
    g.add((node, RDF.type, CKG.TextSpan))
    g.add((node, OA.hasSource, article_iri(article.key)))
    g.add((node, OA.hasSelector, pos))
    g.add((node, OA.hasSelector, quote))
    g.add((pos, RDF.type, OA.TextPositionSelector))
    g.add((pos, OA.start, _int(span.start)))
    g.add((pos, OA.end, _int(span.end)))
    g.add((quote, RDF.type, OA.TextQuoteSelector))
    g.add((quote, OA.exact, Literal(span.text(article.text))))
    prefix = article.text[max(0, span.start - QUOTE_CONTEXT) : span.start]
    suffix = article.text[span.end : span.end + QUOTE_CONTEXT]
    if prefix:
        g.add((quote, OA.prefix, Literal(prefix)))
    if suffix:
        g.add((quote, OA.suffix, Literal(suffix)))
    return node


def write_article(
    article: Article,
    *,
    title: str,
    title_basis: str,
    publisher: str | None,
    claims: Iterable[Claim],
    events: Iterable[EventRecord],
    actors: Iterable[ActorRecord],
    places: Iterable[PlaceRecord] = (),
) -> Graph:
    """Everything one article says, as the graph that goes into its named graph."""
    g = new_graph()
    art = article_iri(article.key)
    meta = article.meta
    g.add((art, RDF.type, CKG.Article))
    g.add((art, SCHEMA.headline, Literal(title)))
    g.add((art, CKG.titleBasis, Literal(title_basis)))
    g.add((art, CKG.fileName, Literal(meta.file_name)))
    g.add((art, CKG.textLength, _int(len(article.text))))
    g.add((art, CKG.contentHash, Literal(article.content_hash)))
    if meta.published is not None:
        g.add((art, SCHEMA.datePublished, Literal(meta.published.isoformat(), datatype=XSD.date)))
    if meta.date_basis:
        g.add((art, CKG.publicationDateBasis, Literal(meta.date_basis)))
    if meta.url:
        g.add((art, SCHEMA.url, URIRef(meta.url)))
    if publisher:
        g.add((art, SCHEMA.publisher, URIRef(publisher)))

    for actor in actors:
        _write_actor(g, article, actor)
    for place in places:
        write_place(g, article, place)
    for event in events:
        _write_report(g, article, event)
    for claim in claims:
        _write_claim(g, article, claim)
    return g


def _write_actor(g: Graph, article: Article, actor: ActorRecord) -> None:
    node = URIRef(actor.iri)
    g.add((node, RDF.type, CKG.Actor))
    for t in actor.types:
        g.add((node, RDF.type, CKG[t]))
    g.add((node, SKOS.prefLabel, Literal(actor.label, lang="en")))
    g.add((node, RDFS.label, Literal(actor.label, lang="en")))
    for role in actor.roles:
        g.add((node, CKG.role, Literal(role)))
    for org in actor.affiliated_with:
        g.add((node, CKG.affiliatedWith, URIRef(org)))
    g.add((node, CKG.evidence, write_span(g, article, actor.evidence)))
    if actor.scoped_to_article:
        g.add((node, CKG.scopedTo, article_iri(article.key)))
    if actor.rule:
        g.add((node, CKG.extractionRule, Literal(actor.rule)))


#: ckg:placeType of the gazetteer's kinds of place (curated places keep their own type).
PLACE_TYPES = {"country": "country", "subdivision": "subdivision", "district": "district", "city": "city", "place": "place"}


def write_place(g: Graph, article: Article | None, place: PlaceRecord) -> None:
    """A place an article names: a gazetteer place (its entry and GeoNames identifier) or a
    place of the text (the span that names it and the rule that found it)."""
    node = place_iri(place.id)
    g.add((node, RDF.type, CKG.Place))
    g.add((node, SKOS.prefLabel, Literal(place.label, lang="en")))
    g.add((node, RDFS.label, Literal(place.label, lang="en")))
    g.add((node, CKG.placeType, Literal(place.type or PLACE_TYPES[place.kind])))
    if place.parent:
        g.add((node, CKG.partOf, place_iri(place.parent)))
    for same in place.same_as:
        g.add((node, SCHEMA.sameAs, URIRef(same)))
    if place.source and place.source != "text" and not place.source.startswith("dictionary:"):
        g.add((node, CKG.gazetteerEntry, Literal(place.source)))
    if place.evidence is not None and article is not None:
        g.add((node, CKG.evidence, write_span(g, article, place.evidence)))
    if place.rule:
        g.add((node, CKG.extractionRule, Literal(place.rule)))


def _write_report(g: Graph, article: Article, event: EventRecord) -> None:
    """The article's report of an event: its own reading (types, time, place, actors, figures),
    the event it is linked to, and where the text mentions it."""
    node = report_iri(event.report_id(article.key))
    g.add((node, RDF.type, CKG.EventReport))
    g.add((node, CKG.reportOf, event_iri(event.key)))
    g.add((node, CKG.reportedIn, article_iri(article.key)))
    for t in event.types:
        g.add((node, CKG.eventType, CKG[t]))
    if event.begin is not None:
        g.add((node, SEM.hasEarliestBeginTimeStamp, date_literal(event.begin)))
        g.add((node, SEM.hasLatestEndTimeStamp, date_literal(event.end or event.begin)))
    elif event.latest_end is not None:
        g.add((node, SEM.hasLatestEndTimeStamp, date_literal(event.latest_end)))
    if event.place is not None:
        g.add((node, SEM.hasPlace, place_iri(event.place)))
    for actor in event.actors:
        g.add((node, SEM.hasActor, URIRef(actor)))
    for figure in event.figures:
        g.add((node, CKG.quotedFigure, Literal(figure)))
    for bucket in event.link_keys:
        g.add((node, CKG.linkKey, Literal(bucket)))
    for span in event.mentions:
        g.add((node, CKG.evidence, write_span(g, article, span)))
    for rule in event.rules:
        g.add((node, CKG.extractionRule, Literal(rule)))


def write_event(group) -> Graph:  # type: ignore[no-untyped-def]
    """One event's own graph: what its reports agree on (conflictkg.event_linking.canonical),
    its reports, and for each linked report the report it was linked through and why."""
    g = new_graph()
    node = event_iri(group.key)
    g.add((node, RDF.type, CKG.Event))
    for t in group.types:
        g.add((node, RDF.type, CKG[t]))
    g.add((node, RDFS.label, Literal(group.label, lang="en")))
    if group.begin is not None:
        g.add((node, SEM.hasEarliestBeginTimeStamp, date_literal(group.begin)))
        g.add((node, SEM.hasLatestEndTimeStamp, date_literal(group.end or group.begin)))
    elif group.latest_end is not None:
        g.add((node, SEM.hasLatestEndTimeStamp, date_literal(group.latest_end)))
    if group.place is not None:
        g.add((node, SEM.hasPlace, place_iri(group.place)))
    for actor in group.actors:
        g.add((node, SEM.hasActor, URIRef(actor)))
    for r in group.reports:
        g.add((node, CKG.reportedBy, report_iri(r.id)))
    for rid, (other, features, score) in sorted(group.reasons.items()):
        link = CKGID[f"event-link/{group.key}/{rid}"]
        g.add((node, CKG.hasLink, link))
        g.add((link, RDF.type, CKG.EventLink))
        g.add((link, CKG.linkedReport, report_iri(rid)))
        g.add((link, CKG.linkedTo, report_iri(other)))
        for f in features:
            g.add((link, CKG.linkFeature, Literal(f)))
        g.add((link, CKG.linkScore, Literal(f"{score:.1f}", datatype=XSD.decimal)))
    return g


def _write_claim(g: Graph, article: Article, claim: Claim) -> None:
    node = claim_iri(article.key, claim)
    g.add((node, RDF.type, CKG.Claim))
    g.add((node, PROV.wasAttributedTo, URIRef(claim.claimant)))
    if claim.on_behalf_of:
        g.add((node, CKG.onBehalfOf, URIRef(claim.on_behalf_of)))
    if claim.date is not None:
        g.add((node, CKG.claimDate, date_literal(claim.date)))
        g.add((node, CKG.claimDateBasis, CKG.DateStated if claim.date_stated else CKG.DateOfReport))
    for event in claim.events:
        g.add((node, CKG.about, event_iri(event)))
    g.add((node, CKG.stance, CKG[CAMEL[claim.stance]]))
    g.add((node, CKG.certainty, GRASPF[claim.certainty]))
    for hedge in claim.hedges:
        g.add((node, CKG.hedge, Literal(hedge)))
    if claim.channel:
        g.add((node, CKG.channel, CKG[CAMEL[claim.channel]]))
    if claim.reported_via:
        g.add((node, CKG.reportedVia, URIRef(claim.reported_via)))
    g.add((node, CKG.sourceArticle, article_iri(article.key)))
    g.add((node, CKG.evidence, write_span(g, article, claim.span)))
    for rule in claim.rules:
        g.add((node, CKG.extractionRule, Literal(rule)))
    for figure in claim.figures:
        fig = figure_iri(node, figure)
        g.add((node, CKG.hasFigure, fig))
        g.add((fig, RDF.type, CKG.Figure))
        g.add((fig, CKG.measure, CKG[CAMEL[figure.measure]]))
        g.add((fig, CKG.qualifier, CKG[CAMEL[figure.qualifier]]))
        g.add((fig, CKG.surfaceForm, Literal(figure.surface)))
        if figure.low is not None:
            g.add((fig, SCHEMA.minValue, _int(figure.low)))
        if figure.high is not None:
            g.add((fig, SCHEMA.maxValue, _int(figure.high)))
        if figure.group:
            g.add((fig, CKG.countedGroup, Literal(figure.group)))
        if figure.rule:
            g.add((fig, CKG.extractionRule, Literal(figure.rule)))
        if figure.population is not None and claim.events:
            pop = _write_population(g, claim.events[0], figure.population)
            g.add((fig, CKG.counts, pop))
            total = figure.part_of.population if figure.part_of is not None else None
            if total is not None and population_key(total) != population_key(figure.population):
                g.add((pop, CKG.withinPopulation, _write_population(g, claim.events[0], total)))


def _write_population(g: Graph, event_key: str, p: PopulationRecord) -> URIRef:
    """A population of an event: the same triples from every article that counts it (plus its rules)."""
    node = URIRef(population_iri(event_key, p))
    g.add((node, RDF.type, CKG.Population))
    g.add((node, RDFS.label, Literal(p.label, lang="en")))
    g.add((node, CKG.populationOf, event_iri(event_key)))
    g.add((node, CKG.populationKind, CKG[p.kind]))
    if p.nationality:
        g.add((node, CKG.nationality, URIRef(p.nationality)))
    if p.side:
        g.add((node, CKG.side, URIRef(p.side)))
    if p.alignment:
        g.add((node, CKG.alignment, CKG[p.alignment]))
    if p.role:
        g.add((node, CKG.eventRole, CKG[p.role]))
    for mark in p.marks:
        g.add((node, CKG.populationMark, Literal(mark)))
    for rule in p.rules:
        g.add((node, CKG.extractionRule, Literal(rule)))
    return node


def to_turtle(g: Graph) -> str:
    """Deterministic Turtle: same triples, byte-identical text."""
    return g.serialize(format="turtle")


_ORGANISATION_TYPES = {"Government", "Ministry", "ArmedForce", "ArmedGroup", "Coalition", "MediaOutlet", "NewsAgency",
                       "Monitor", "InternationalOrganisation"}


def write_dictionary(dictionary: Dictionary) -> Graph:
    """The curated actors and places, each traced to its dictionary entry."""
    g = new_graph()
    for a in sorted(dictionary.actors.values(), key=lambda a: a.id):
        node = URIRef(a.iri)
        g.add((node, RDF.type, CKG.Actor))
        g.add((node, RDF.type, CKG[a.type]))
        if a.type in _ORGANISATION_TYPES:
            g.add((node, RDF.type, CKG.Organisation))
        g.add((node, SKOS.prefLabel, Literal(a.label, lang="en")))
        g.add((node, RDFS.label, Literal(a.label, lang="en")))
        for alias in a.aliases:
            if alias != a.label:
                g.add((node, SKOS.altLabel, Literal(alias, lang="en")))
        for role in a.roles:
            g.add((node, CKG.role, Literal(role)))
        for other in a.affiliated_with:
            g.add((node, CKG.affiliatedWith, URIRef(dictionary.actors[other].iri)))
        for other in a.backs:
            g.add((node, CKG.backs, URIRef(dictionary.actors[other].iri)))
        if a.country:
            g.add((node, CKG.country, URIRef(dictionary.places[a.country].iri)))
        for same in a.same_as:
            g.add((node, SCHEMA.sameAs, URIRef(same)))
        g.add((node, CKG.dictionaryEntry, Literal(a.id)))
        g.add((node, PROV.wasDerivedFrom, DICTIONARY_GRAPH))
    for p in sorted(dictionary.places.values(), key=lambda p: p.id):
        node = URIRef(p.iri)
        g.add((node, RDF.type, CKG.Place))
        g.add((node, SKOS.prefLabel, Literal(p.label, lang="en")))
        g.add((node, RDFS.label, Literal(p.label, lang="en")))
        for alias in p.aliases:
            if alias != p.label:
                g.add((node, SKOS.altLabel, Literal(alias, lang="en")))
        g.add((node, CKG.placeType, Literal(p.type)))
        if p.part_of:
            g.add((node, CKG.partOf, URIRef(dictionary.places[p.part_of].iri)))
        for same in p.same_as:
            g.add((node, SCHEMA.sameAs, URIRef(same)))
        g.add((node, CKG.dictionaryEntry, Literal(p.id)))
        g.add((node, PROV.wasDerivedFrom, DICTIONARY_GRAPH))
    return g
