"""A small, deterministic fixture graph that follows docs/model.md, for tests and demos.

It is built through :mod:`conflictkg.rdf` from an invented two-article story (no real
article text), so tests of the store, the SPARQL service, the shapes and the exports can
run without the corpus. ``fixture_graphs()`` returns ``{named graph IRI: rdflib.Graph}``.
"""

from __future__ import annotations

import datetime as dt

from rdflib import Graph, Literal, URIRef

from .event_linking import Group, report_of
from .model import (
    ActorRecord,
    Article,
    ArticleMeta,
    Claim,
    EventRecord,
    Figure,
    PartialDate,
    PopulationRecord,
    Span,
)
from .namespaces import (
    CKG,
    CKGID,
    DICTIONARY_GRAPH,
    PROV,
    RDF,
    RDFS,
    SKOS,
    article_graph,
    event_graph,
)
from .rdf import new_graph, write_article, write_event

__all__ = ["FIXTURE_ARTICLES", "fixture_articles", "fixture_graphs", "fixture_dictionary_graph", "EVENT_KEY", "GUARDS",
           "FIGHTERS"]

EVENT_KEY = "2020-03-04-north-province-attack"

FIXTURE_ARTICLES = {
    "a1.txt": (
        "Rebels attack border post\n\n"
        "Gunmen attacked a border post near Valetown in North Province on Tuesday, officials said.\n\n"
        "The Interior Ministry said on Wednesday that at least 12 guards were killed.\n\n"
        "\u201cAbout 40 fighters took part,\u201d ministry spokesman Ivo Bran told Agency X.\n"
    ),
    "a2.txt": (
        "Border post toll disputed\n\n"
        "The Freedom Front said it carried out the attack on the Valetown post.\n\n"
        "A local monitor said more than 20 guards may have died in the attack.\n"
    ),
}


def _article(name: str, published: str) -> Article:
    return Article(
        text=FIXTURE_ARTICLES[name],
        meta=ArticleMeta(file_name=name, title=None, published=dt.date.fromisoformat(published), date_basis="stated"),
    )


def _span(text: str, fragment: str) -> Span:
    start = text.index(fragment)
    return Span(start, start + len(fragment))


def fixture_articles() -> list[Article]:
    return [_article("a1.txt", "2020-03-05"), _article("a2.txt", "2020-03-06")]


A = {k: str(CKGID[f"actor/{k}"]) for k in ("interior-ministry", "north-government", "freedom-front", "agency-x")}
VALETOWN = str(CKGID["place/valetown"])
#: Who the fixture's figures count (as the ``populations`` component places "guards" and "fighters").
GUARDS = PopulationRecord(kind="Soldiers", rules=("population.kind.soldiers",), label="soldiers")
FIGHTERS = PopulationRecord(kind="Fighters", rules=("population.kind.fighters",), label="fighters")
NORTH = str(CKGID["place/north-province"])


def fixture_dictionary_graph() -> Graph:
    """Curated entries the fixture articles refer to."""
    g = new_graph()
    entries = [
        ("interior-ministry", "Interior Ministry", ("Organisation", "Ministry"), ["north-government"]),
        ("north-government", "Government of North", ("Organisation", "Government"), []),
        ("freedom-front", "Freedom Front", ("Organisation", "ArmedGroup"), []),
        ("agency-x", "Agency X", ("Organisation", "NewsAgency"), []),
    ]
    for key, label, types, affiliations in entries:
        node = URIRef(A[key])
        g.add((node, RDF.type, CKG.Actor))
        for t in types:
            g.add((node, RDF.type, CKG[t]))
        g.add((node, SKOS.prefLabel, Literal(label, lang="en")))
        g.add((node, RDFS.label, Literal(label, lang="en")))
        g.add((node, CKG.dictionaryEntry, Literal(key)))
        g.add((node, PROV.wasDerivedFrom, DICTIONARY_GRAPH))
        for aff in affiliations:
            g.add((node, CKG.affiliatedWith, URIRef(A[aff])))
    g.add((URIRef(A["north-government"]), CKG.backs, URIRef(A["interior-ministry"])))
    for key, label, ptype, part in (("valetown", "Valetown", "town", NORTH), ("north-province", "North Province", "governorate", None)):
        node = CKGID[f"place/{key}"]
        g.add((node, RDF.type, CKG.Place))
        g.add((node, SKOS.prefLabel, Literal(label, lang="en")))
        g.add((node, RDFS.label, Literal(label, lang="en")))
        g.add((node, CKG.placeType, Literal(ptype)))
        g.add((node, CKG.dictionaryEntry, Literal(key)))
        g.add((node, PROV.wasDerivedFrom, DICTIONARY_GRAPH))
        if part:
            g.add((node, CKG.partOf, URIRef(part)))
    return g


def fixture_graphs() -> dict[URIRef, Graph]:
    a1, a2 = fixture_articles()
    t1, t2 = a1.text, a2.text
    label = "Attack, Valetown (North Province), 2020-03-03"
    event = lambda art, frag: EventRecord(  # noqa: E731
        key=EVENT_KEY,
        label=label,
        types=("Attack",),
        begin=PartialDate(2020, 3, 3),
        end=None,
        places=["valetown", "north-province"],
        actors=[A["freedom-front"]],
        mentions=[_span(art.text, frag)],
        rules=["event.attack"],
        report=f"{art.key}-1",
        place="valetown",
        published=art.meta.published,
        link_keys=("week:2020-W10:-",),
    )
    bran = ActorRecord(
        iri=str(CKGID["actor/person/ivo-bran"]),
        label="Ivo Bran",
        types=("Person",),
        evidence=_span(t1, "ministry spokesman Ivo Bran"),
        roles=("spokesman",),
        affiliated_with=(A["interior-ministry"],),
        rule="actor.person-from-text",
    )
    monitor = ActorRecord(
        iri=str(CKGID[f"actor/unnamed/{a2.key}/local-monitor"]),
        label="local monitor",
        types=("UnnamedSource",),
        evidence=_span(t2, "A local monitor"),
        scoped_to_article=True,
        rule="actor.unnamed-descriptor",
    )
    claims1 = [
        Claim(
            claimant=A["interior-ministry"],
            span=_span(t1, "The Interior Ministry said on Wednesday that at least 12 guards were killed."),
            date=PartialDate(2020, 3, 4),
            date_stated=True,
            events=[EVENT_KEY],
            figures=[Figure(measure="killed", low=12, high=None, qualifier="at_least", surface="at least 12",
                            span=_span(t1, "at least 12"), group="guards", rule="figure.at-least",
                            population=GUARDS)],
            channel="statement",
            rules=["attr.subject-said"],
        ),
        Claim(
            claimant=bran.iri,
            on_behalf_of=A["interior-ministry"],
            span=_span(t1, "\u201cAbout 40 fighters took part,\u201d ministry spokesman Ivo Bran told Agency X."),
            date=PartialDate(2020, 3, 5),
            events=[EVENT_KEY],
            figures=[Figure(measure="attackers", low=40, high=40, qualifier="approximately", surface="About 40",
                            span=_span(t1, "About 40"), group="fighters", rule="figure.approximately",
                            population=FIGHTERS)],
            channel="interview",
            reported_via=A["agency-x"],
            rules=["attr.quote-told"],
        ),
    ]
    claims2 = [
        Claim(
            claimant=A["freedom-front"],
            span=_span(t2, "The Freedom Front said it carried out the attack on the Valetown post."),
            date=PartialDate(2020, 3, 6),
            events=[EVENT_KEY],
            stance="claims_responsibility",
            rules=["attr.subject-said"],
        ),
        Claim(
            claimant=monitor.iri,
            span=_span(t2, "A local monitor said more than 20 guards may have died in the attack."),
            date=PartialDate(2020, 3, 6),
            events=[EVENT_KEY],
            certainty="possible",
            hedges=["may have"],
            figures=[Figure(measure="killed", low=21, high=None, qualifier="more_than", surface="more than 20",
                            span=_span(t2, "more than 20"), group="guards", rule="figure.more-than",
                            population=GUARDS)],
            rules=["attr.subject-said"],
        ),
    ]
    e1, e2 = event(a1, "attacked a border post"), event(a2, "the attack on the Valetown post")
    g1 = write_article(a1, title="Rebels attack border post", title_basis="text", publisher=None,
                       claims=claims1, events=[e1], actors=[bran])
    g2 = write_article(a2, title="Border post toll disputed", title_basis="text", publisher=None,
                       claims=claims2, events=[e2], actors=[monitor])
    group = Group([report_of(a1.key, e1), report_of(a2.key, e2)], key=EVENT_KEY, label=label, types=("Attack",),
                  begin=PartialDate(2020, 3, 3), place="valetown", actors=(A["freedom-front"],),
                  reasons={e2.report: (e1.report, ("place:same", "time:same-day", "type:same"), 7.0)})
    return {article_graph(a1.key): g1, article_graph(a2.key): g2, event_graph(EVENT_KEY): write_event(group),
            DICTIONARY_GRAPH: fixture_dictionary_graph()}
