"""Every shape bites: for each one, a graph that breaks it (the report names the focus node
and the shape's message) and its corrected twin (no result from that shape)."""

from __future__ import annotations

import pytest
from fixtures_validation import TEXT1, N, apply, union
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS, SH, SKOS, XSD

from conflictkg.namespaces import CKG, CKGG, GRASPF, OA, PROV, SCHEMA, SEM
from conflictkg.config import SHACL_ENGINES
from conflictkg.validation import CKGSH, ShapeValidator, ValidationReport, format_term


def D(s: str) -> Literal:
    return Literal(s, datatype=XSD.date)


def YM(s: str) -> Literal:
    return Literal(s, datatype=XSD.gYearMonth)


def I(n: int) -> Literal:
    return Literal(n, datatype=XSD.integer)


def S(s: str) -> Literal:
    return Literal(s)


EN = lambda s: Literal(s, lang="en")
HASH = "0" * 64
LONG = "x" * 40

#: An analyst's merge of the fixture's two reports (the fixture has none).
CURATION = [("add", "CURATION", RDF.type, CKG.EventCuration), ("add", "CURATION", CKG.curationKind, S("merge")),
            ("add", "CURATION", CKG.curatedReport, "REPORT"), ("add", "CURATION", CKG.curatedReport, "REPORT2"),
            ("add", "CURATION", PROV.wasAttributedTo, S("analyst")),
            ("add", "CURATION", PROV.endedAtTime, Literal("2020-03-07T10:00:00", datatype=XSD.dateTime)),
            ("add", "CURATION", CKG.curationNote, S("same post"))]
#: A contradiction and a figure summary of the fixture's event, as a derived graph holds them.
CONFLICT = [("add", "CONFLICT", RDF.type, CKG.Contradiction), ("add", "CONFLICT", RDF.type, CKG.FigureConflict),
            ("add", "CONFLICT", CKG.conflictEvent, "EVENT"), ("add", "CONFLICT", CKG.conflictMeasure, CKG.Killed),
            ("add", "CONFLICT", CKG.firstFigure, "FIG"), ("add", "CONFLICT", CKG.secondFigure, "FIG_MON"),
            ("add", "CONFLICT", CKG.firstClaim, "CLAIM"), ("add", "CONFLICT", CKG.secondClaim, "CLAIM_MON"),
            ("add", "CONFLICT", CKG.firstPopulation, "POP"), ("add", "CONFLICT", CKG.secondPopulation, "POP"),
            ("add", "CONFLICT", CKG.firstClaimant, "MIN"), ("add", "CONFLICT", CKG.secondClaimant, "MONITOR"),
            ("add", "CONFLICT", CKG.populationRelation, CKG.SamePopulation),
            ("add", "CONFLICT", CKG.reason, Literal("Two sources disagree."))]
SUMMARY = [("add", "SUMMARY", RDF.type, CKG.FigureSummary), ("add", "SUMMARY", CKG.summaryEvent, "EVENT"),
           ("add", "SUMMARY", CKG.summaryMeasure, CKG.Killed), ("add", "SUMMARY", CKG.summaryPopulation, "POP"),
           ("add", "SUMMARY", CKG.lowEstimate, Literal(12, datatype=XSD.integer)),
           ("add", "SUMMARY", CKG.bestEstimate, Literal(16, datatype=XSD.integer)),
           ("add", "SUMMARY", CKG.highEstimate, Literal(21, datatype=XSD.integer)),
           ("add", "SUMMARY", CKG.lowFrom, "CLAIM"), ("add", "SUMMARY", CKG.bestFrom, "CLAIM"),
           ("add", "SUMMARY", CKG.highFrom, "CLAIM_MON"), ("add", "SUMMARY", CKG.sourceCount, Literal(2, datatype=XSD.integer))]

# (shape local name, focus node key, ops that break it, ops of the corrected twin)
CASES: list[tuple[str, str, list[tuple], list[tuple]]] = [
    # articles
    ("Article", "ART", [("add", "ART", CKG.headline, S("x"))], [("add", "ART", SCHEMA.url, URIRef("https://example.org/a1"))]),
    ("Article-headline", "ART", [("del", "ART", SCHEMA.headline, None)], [("set", "ART", SCHEMA.headline, S("Other title"))]),
    ("Article-titleBasis", "ART", [("set", "ART", CKG.titleBasis, S("guess"))], [("set", "ART", CKG.titleBasis, S("metadata"))]),
    ("Article-fileName", "ART", [("del", "ART", CKG.fileName, None)], [("set", "ART", CKG.fileName, S("other.txt"))]),
    ("Article-datePublished", "ART", [("set", "ART", SCHEMA.datePublished, Literal("2020-03-05T10:00:00", datatype=XSD.dateTime))],
     [("set", "ART", SCHEMA.datePublished, D("2020-03-06"))]),
    ("Article-publicationDateBasis", "ART", [("add", "ART", CKG.publicationDateBasis, S("inferred"))],
     [("set", "ART", CKG.publicationDateBasis, S("inferred"))]),
    ("Article-publisher", "ART", [("add", "ART", SCHEMA.publisher, "VALETOWN")], [("add", "ART", SCHEMA.publisher, "AGENCY")]),
    ("Article-url", "ART", [("add", "ART", SCHEMA.url, URIRef("ftp://example.org/a1"))], [("add", "ART", SCHEMA.url, URIRef("https://example.org/a1"))]),
    ("Article-textLength", "ART", [("del", "ART", CKG.textLength, None)], [("set", "ART", CKG.textLength, I(len(TEXT1) + 10))]),
    ("Article-contentHash", "ART", [("set", "ART", CKG.contentHash, S("ABC"))], [("set", "ART", CKG.contentHash, S(HASH))]),
    ("Article-spanEnds", "ART", [("set", "ART", CKG.textLength, I(20))], [("set", "ART", CKG.textLength, I(len(TEXT1) + 100))]),
    ("Article-claimMonths", "ART", [("set", "CLAIM", CKG.claimDate, YM("2020-04"))], [("set", "CLAIM", CKG.claimDate, YM("2020-03"))]),
    # claims
    ("Claim", "CLAIM", [("add", "CLAIM", CKG.claimdate, D("2020-03-04"))], [("add", "CLAIM", CKG.hedge, S("reportedly"))]),
    ("Claim-claimant", "CLAIM", [("add", "CLAIM", PROV.wasAttributedTo, "GOV")], [("set", "CLAIM", PROV.wasAttributedTo, "GOV")]),
    ("Claim-claimantIsActor", "CLAIM", [("set", "CLAIM", PROV.wasAttributedTo, "VALETOWN")], [("set", "CLAIM", PROV.wasAttributedTo, "FF")]),
    ("Claim-onBehalfOf", "CLAIM2", [("set", "CLAIM2", CKG.onBehalfOf, "EVENT")], [("set", "CLAIM2", CKG.onBehalfOf, "GOV")]),
    ("Claim-claimDate", "CLAIM", [("set", "CLAIM", CKG.claimDate, S("March 2020"))], [("set", "CLAIM", CKG.claimDate, D("2020-03-03"))]),
    ("Claim-claimDateSingle", "CLAIM", [("add", "CLAIM", CKG.claimDate, D("2020-03-03"))], [("set", "CLAIM", CKG.claimDate, D("2020-03-03"))]),
    ("Claim-claimDateBasis", "CLAIM", [("set", "CLAIM", CKG.claimDateBasis, CKG.Asserts)], [("set", "CLAIM", CKG.claimDateBasis, CKG.DateOfReport)]),
    ("Claim-dateWithBasis", "CLAIM", [("del", "CLAIM", CKG.claimDateBasis, None)],
     [("del", "CLAIM", CKG.claimDateBasis, None), ("del", "CLAIM", CKG.claimDate, None)]),
    ("Claim-basisWithDate", "CLAIM", [("del", "CLAIM", CKG.claimDate, None)],
     [("del", "CLAIM", CKG.claimDateBasis, None), ("del", "CLAIM", CKG.claimDate, None)]),
    ("Claim-claimDateMissing", "CLAIM", [("del", "CLAIM", CKG.claimDateBasis, None), ("del", "CLAIM", CKG.claimDate, None)],
     [("set", "CLAIM", CKG.claimDate, YM("2020-03"))]),
    ("Claim-claimDateNotAfterPublication", "CLAIM", [("set", "CLAIM", CKG.claimDate, D("2020-03-06"))],
     [("set", "CLAIM", CKG.claimDate, D("2020-03-05"))]),
    ("Claim-about", "CLAIM", [("set", "CLAIM", CKG.about, "BRAN")], [("set", "CLAIM", CKG.about, "EVENT")]),
    ("Claim-hasFigure", "CLAIM", [("add", "CLAIM", CKG.hasFigure, "SPAN")], []),
    ("Claim-stance", "CLAIM", [("set", "CLAIM", CKG.stance, CKG.Maybe)], [("set", "CLAIM", CKG.stance, CKG.Denies)]),
    ("Claim-certainty", "CLAIM", [("set", "CLAIM", CKG.certainty, GRASPF.sure)], [("set", "CLAIM", CKG.certainty, GRASPF.probable)]),
    ("Claim-hedge", "CLAIM", [("add", "CLAIM", CKG.hedge, S(""))], [("add", "CLAIM", CKG.hedge, S("reportedly"))]),
    ("Claim-channel", "CLAIM", [("set", "CLAIM", CKG.channel, CKG.Rumour)], [("set", "CLAIM", CKG.channel, CKG.Briefing)]),
    ("Claim-reportedVia", "CLAIM2", [("add", "CLAIM2", CKG.reportedVia, "MIN")], [("set", "CLAIM2", CKG.reportedVia, "MIN")]),
    ("Claim-sourceArticle", "CLAIM", [("set", "CLAIM", CKG.sourceArticle, "EVENT")], [("set", "CLAIM", CKG.sourceArticle, "ART")]),
    ("Claim-evidence", "CLAIM", [("del", "CLAIM", CKG.evidence, None)], []),
    ("Claim-evidenceFromSourceArticle", "CLAIM", [("add", "CLAIM", CKG.evidence, "SPAN_A2")], [("add", "CLAIM", CKG.evidence, "SPAN")]),
    ("Claim-extractionRule", "CLAIM", [("del", "CLAIM", CKG.extractionRule, None)], [("set", "CLAIM", CKG.extractionRule, S("attr.other"))]),
    # figures
    ("Figure", "FIG", [("add", "FIG", SCHEMA.value, I(12))], [("set", "FIG", CKG.countedGroup, S("soldiers"))]),
    ("Figure-measure", "FIG", [("set", "FIG", CKG.measure, CKG.Dead)], [("set", "FIG", CKG.measure, CKG.Wounded)]),
    ("Figure-minValue", "FIG", [("set", "FIG", SCHEMA.minValue, I(-1))], [("set", "FIG", SCHEMA.minValue, I(0))]),
    ("Figure-maxValue", "FIG", [("set", "FIG", SCHEMA.maxValue, S("many"))], [("set", "FIG", SCHEMA.maxValue, I(100))]),
    ("Figure-bounds", "FIG", [("set", "FIG", SCHEMA.maxValue, I(5))], [("set", "FIG", SCHEMA.maxValue, I(12))]),
    ("Figure-anyBound", "FIG", [("del", "FIG", SCHEMA.minValue, None)], [("del", "FIG", SCHEMA.minValue, None), ("add", "FIG", SCHEMA.maxValue, I(20))]),
    ("Figure-qualifier", "FIG", [("set", "FIG", CKG.qualifier, CKG.About)], [("set", "FIG", CKG.qualifier, CKG.Exact)]),
    ("Figure-surfaceForm", "FIG", [("del", "FIG", CKG.surfaceForm, None)], [("set", "FIG", CKG.surfaceForm, S("at least twelve"))]),
    ("Figure-countedGroup", "FIG", [("add", "FIG", CKG.countedGroup, S("police"))], [("set", "FIG", CKG.countedGroup, S("police"))]),
    ("Figure-extractionRule", "FIG", [("del", "FIG", CKG.extractionRule, None)], [("set", "FIG", CKG.extractionRule, S("figure.other"))]),
    ("Figure-ofClaim", "FIG", [("del", "CLAIM", CKG.hasFigure, "FIG")], []),
    ("Figure-counts", "FIG", [("add", "FIG", CKG.counts, "POP_F")], [("set", "FIG", CKG.counts, "POP_F")]),
    # populations
    ("Population", "POP", [("add", "POP", CKG.measure, CKG.Killed)], [("add", "POP", CKG.populationMark, S("mobilised"))]),
    ("Population-label", "POP", [("del", "POP", RDFS.label, None)], [("set", "POP", RDFS.label, EN("guards"))]),
    ("Population-populationOf", "POP", [("set", "POP", CKG.populationOf, "ART")], [("set", "POP", CKG.populationOf, "EVENT")]),
    ("Population-kind", "POP", [("set", "POP", CKG.populationKind, CKG.Dead)], [("set", "POP", CKG.populationKind, CKG.Police)]),
    ("Population-nationality", "POP", [("set", "POP", CKG.nationality, "GOV")], [("set", "POP", CKG.nationality, "NORTH")]),
    ("Population-side", "POP", [("set", "POP", CKG.side, "NORTH")], [("set", "POP", CKG.side, "FF")]),
    ("Population-alignment", "POP", [("set", "POP", CKG.alignment, CKG.Asserts)], [("set", "POP", CKG.alignment, CKG.GovernmentSide)]),
    ("Population-eventRole", "POP", [("set", "POP", CKG.eventRole, CKG.Asserts)], [("set", "POP", CKG.eventRole, CKG.AttackingSide)]),
    ("Population-mark", "POP", [("add", "POP", CKG.populationMark, S(""))], [("add", "POP", CKG.populationMark, S("mobilised"))]),
    ("Population-within", "POP", [("add", "POP", CKG.withinPopulation, "EVENT")], [("add", "POP", CKG.withinPopulation, "POP_F")]),
    ("Population-extractionRule", "POP", [("del", "POP", CKG.extractionRule, None)], [("set", "POP", CKG.extractionRule, S("population.other"))]),
    # contradictions and revisions (derived graphs)
    ("FigureConflict", "CONFLICT", [*CONFLICT, ("add", "CONFLICT", CKG.measure, CKG.Killed)], CONFLICT),
    ("FigureConflict-event", "CONFLICT", [*CONFLICT, ("set", "CONFLICT", CKG.conflictEvent, "ART")], CONFLICT),
    ("FigureConflict-measure", "CONFLICT", [*CONFLICT, ("del", "CONFLICT", CKG.conflictMeasure, None)], CONFLICT),
    ("FigureConflict-firstFigure", "CONFLICT", [*CONFLICT, ("set", "CONFLICT", CKG.firstFigure, "CLAIM")], CONFLICT),
    ("FigureConflict-secondFigure", "CONFLICT", [*CONFLICT, ("del", "CONFLICT", CKG.secondFigure, None)], CONFLICT),
    ("FigureConflict-firstClaim", "CONFLICT", [*CONFLICT, ("set", "CONFLICT", CKG.firstClaim, "FIG")], CONFLICT),
    ("FigureConflict-secondClaim", "CONFLICT", [*CONFLICT, ("del", "CONFLICT", CKG.secondClaim, None)], CONFLICT),
    ("FigureConflict-firstPopulation", "CONFLICT", [*CONFLICT, ("set", "CONFLICT", CKG.firstPopulation, "EVENT")], CONFLICT),
    ("FigureConflict-secondPopulation", "CONFLICT", [*CONFLICT, ("del", "CONFLICT", CKG.secondPopulation, None)], CONFLICT),
    ("FigureConflict-firstClaimant", "CONFLICT", [*CONFLICT, ("set", "CONFLICT", CKG.firstClaimant, "EVENT")], CONFLICT),
    ("FigureConflict-secondClaimant", "CONFLICT", [*CONFLICT, ("del", "CONFLICT", CKG.secondClaimant, None)], CONFLICT),
    ("FigureConflict-relation", "CONFLICT", [*CONFLICT, ("set", "CONFLICT", CKG.populationRelation, CKG.Asserts)], CONFLICT),
    ("FigureConflict-reason", "CONFLICT", [*CONFLICT, ("del", "CONFLICT", CKG.reason, None)], CONFLICT),
    # figure summaries (derived graphs)
    ("FigureSummary", "SUMMARY", [*SUMMARY, ("add", "SUMMARY", CKG.reason, S("x"))], SUMMARY),
    ("FigureSummary-event", "SUMMARY", [*SUMMARY, ("set", "SUMMARY", CKG.summaryEvent, "ART")], SUMMARY),
    ("FigureSummary-measure", "SUMMARY", [*SUMMARY, ("del", "SUMMARY", CKG.summaryMeasure, None)], SUMMARY),
    ("FigureSummary-population", "SUMMARY", [*SUMMARY, ("set", "SUMMARY", CKG.summaryPopulation, "EVENT")], SUMMARY),
    ("FigureSummary-low", "SUMMARY", [*SUMMARY, ("set", "SUMMARY", CKG.lowEstimate, S("few"))], SUMMARY),
    ("FigureSummary-best", "SUMMARY", [*SUMMARY, ("add", "SUMMARY", CKG.bestEstimate, I(13))], SUMMARY),
    ("FigureSummary-high", "SUMMARY", [*SUMMARY, ("set", "SUMMARY", CKG.highEstimate, I(-1))], SUMMARY),
    ("FigureSummary-lowFrom", "SUMMARY", [*SUMMARY, ("add", "SUMMARY", CKG.lowFrom, "FIG")], SUMMARY),
    ("FigureSummary-bestFrom", "SUMMARY", [*SUMMARY, ("add", "SUMMARY", CKG.bestFrom, "FIG")], SUMMARY),
    ("FigureSummary-highFrom", "SUMMARY", [*SUMMARY, ("add", "SUMMARY", CKG.highFrom, "EVENT")], SUMMARY),
    ("FigureSummary-sources", "SUMMARY", [*SUMMARY, ("del", "SUMMARY", CKG.sourceCount, None)], SUMMARY),
    ("FigureSummary-order", "SUMMARY", [*SUMMARY, ("set", "SUMMARY", CKG.lowEstimate, I(30))], SUMMARY),
    # events
    ("Event", "EVENT", [("add", "EVENT", SEM.hasTimeStamp, D("2020-03-03"))], [("add", "EVENT", SEM.hasActor, "MIN")]),
    ("Event-type", "EVENT", [("del", "EVENT", RDF.type, CKG.Attack)], [("del", "EVENT", RDF.type, CKG.Attack), ("add", "EVENT", RDF.type, CKG.AirStrike)]),
    ("Event-typeKnown", "EVENT", [("add", "EVENT", RDF.type, CKG.Atack)], [("add", "EVENT", RDF.type, CKG.Clash)]),
    ("Event-label", "EVENT", [("del", "EVENT", RDFS.label, None)], [("set", "EVENT", RDFS.label, EN("Attack near Valetown"))]),
    ("Event-begin", "EVENT", [("set", "EVENT", SEM.hasEarliestBeginTimeStamp, S("yesterday"))],
     [("set", "EVENT", SEM.hasEarliestBeginTimeStamp, D("2020-03-02"))]),
    ("Event-end", "EVENT", [("set", "EVENT", SEM.hasLatestEndTimeStamp, Literal("2020-03-03T00:00:00", datatype=XSD.dateTime))],
     [("set", "EVENT", SEM.hasLatestEndTimeStamp, D("2020-03-04"))]),
    ("Event-beginSingle", "EVENT", [("add", "EVENT", SEM.hasEarliestBeginTimeStamp, D("2020-03-02"))],
     [("set", "EVENT", SEM.hasEarliestBeginTimeStamp, D("2020-03-02"))]),
    ("Event-endSingle", "EVENT", [("add", "EVENT", SEM.hasLatestEndTimeStamp, D("2020-03-04"))],
     [("set", "EVENT", SEM.hasLatestEndTimeStamp, D("2020-03-04"))]),
    ("Event-interval", "EVENT", [("set", "EVENT", SEM.hasEarliestBeginTimeStamp, D("2020-03-04"))],
     [("set", "EVENT", SEM.hasEarliestBeginTimeStamp, D("2020-03-02"))]),
    ("Event-interval", "EVENT", [("set", "EVENT", SEM.hasEarliestBeginTimeStamp, YM("2020-04")), ("set", "EVENT", SEM.hasLatestEndTimeStamp, YM("2020-03"))],
     [("set", "EVENT", SEM.hasEarliestBeginTimeStamp, YM("2020-03")), ("set", "EVENT", SEM.hasLatestEndTimeStamp, YM("2020-03"))]),
    ("Event-interval", "EVENT", [("set", "EVENT", SEM.hasEarliestBeginTimeStamp, YM("2020-04")), ("set", "EVENT", SEM.hasLatestEndTimeStamp, D("2020-03-20"))],
     [("set", "EVENT", SEM.hasEarliestBeginTimeStamp, YM("2020-03")), ("set", "EVENT", SEM.hasLatestEndTimeStamp, D("2020-03-20"))]),
    ("Event-hasPlace", "EVENT", [("add", "EVENT", SEM.hasPlace, "NORTH")], [("set", "EVENT", SEM.hasPlace, "NORTH")]),
    ("Event-hasPlace", "EVENT", [("set", "EVENT", SEM.hasPlace, S("Valetown"))], [("del", "EVENT", SEM.hasPlace, None)]),
    ("Event-hasActor", "EVENT", [("add", "EVENT", SEM.hasActor, "VALETOWN")], [("add", "EVENT", SEM.hasActor, "MIN")]),
    ("Event-reportedBy", "EVENT", [("del", "EVENT", CKG.reportedBy, None)], [("del", "EVENT", CKG.reportedBy, "REPORT2")]),
    ("Event-hasLink", "EVENT", [("add", "EVENT", CKG.hasLink, "SPAN")], [("del", "EVENT", CKG.hasLink, None)]),
    # event reports and links
    ("EventReport", "REPORT", [("add", "REPORT", CKG.about, "EVENT")], [("add", "REPORT", CKG.quotedFigure, S("killed:12:None"))]),
    ("EventReport-reportOf", "REPORT", [("del", "REPORT", CKG.reportOf, None)], []),
    ("EventReport-reportedIn", "REPORT", [("set", "REPORT", CKG.reportedIn, "EVENT")], [("set", "REPORT", CKG.reportedIn, "ART")]),
    ("EventReport-eventType", "REPORT", [("set", "REPORT", CKG.eventType, CKG.Picnic)], [("set", "REPORT", CKG.eventType, CKG.Ambush)]),
    ("EventReport-begin", "REPORT", [("add", "REPORT", SEM.hasEarliestBeginTimeStamp, D("2020-03-02"))], []),
    ("EventReport-end", "REPORT", [("add", "REPORT", SEM.hasLatestEndTimeStamp, D("2020-03-04"))], []),
    ("EventReport-hasPlace", "REPORT", [("set", "REPORT", SEM.hasPlace, "MIN")], [("set", "REPORT", SEM.hasPlace, "NORTH")]),
    ("EventReport-hasActor", "REPORT", [("add", "REPORT", SEM.hasActor, "VALETOWN")], [("add", "REPORT", SEM.hasActor, "FF")]),
    ("EventReport-quotedFigure", "REPORT", [("add", "REPORT", CKG.quotedFigure, S("twelve killed"))], [("add", "REPORT", CKG.quotedFigure, S("killed:12:None"))]),
    ("EventReport-linkKey", "REPORT", [("set", "REPORT", CKG.linkKey, S("2020-W10"))], [("set", "REPORT", CKG.linkKey, S("week:2020-W11:SY"))]),
    ("EventReport-evidence", "REPORT", [("del", "REPORT", CKG.evidence, None)], []),
    ("EventReport-extractionRule", "REPORT", [("del", "REPORT", CKG.extractionRule, None)], [("set", "REPORT", CKG.extractionRule, S("event.other"))]),
    ("EventLink", "LINK", [("add", "LINK", CKG.about, "EVENT")], []),
    ("EventLink-linkedReport", "LINK", [("del", "LINK", CKG.linkedReport, None)], []),
    ("EventLink-linkedTo", "LINK", [("add", "LINK", CKG.linkedTo, "REPORT2")], []),
    ("EventLink-linkFeature", "LINK", [("del", "LINK", CKG.linkFeature, None)], [("set", "LINK", CKG.linkFeature, S("place:same"))]),
    ("EventLink-linkScore", "LINK", [("set", "LINK", CKG.linkScore, S("high"))], [("set", "LINK", CKG.linkScore, Literal("4.5", datatype=XSD.decimal))]),
    ("EventCuration", "CURATION", CURATION + [("add", "CURATION", CKG.about, "EVENT")], CURATION),
    ("EventCuration-kind", "CURATION", CURATION + [("set", "CURATION", CKG.curationKind, S("join"))], CURATION + [("set", "CURATION", CKG.curationKind, S("split"))]),
    ("EventCuration-report", "CURATION", CURATION + [("del", "CURATION", CKG.curatedReport, "REPORT2")], CURATION),
    ("EventCuration-by", "CURATION", CURATION + [("del", "CURATION", PROV.wasAttributedTo, None)], CURATION),
    ("EventCuration-at", "CURATION", CURATION + [("set", "CURATION", PROV.endedAtTime, D("2020-03-07"))], CURATION),
    ("EventCuration-note", "CURATION", CURATION + [("add", "CURATION", CKG.curationNote, S("other"))], CURATION),
    # actors
    ("Actor", "BRAN", [("add", "BRAN", SCHEMA.name, S("Ivo Bran"))], [("add", "BRAN", SKOS.altLabel, EN("I. Bran"))]),
    ("Actor-prefLabel", "BRAN", [("del", "BRAN", SKOS.prefLabel, None)], []),
    ("Actor-prefLabelUnique", "BRAN", [("add", "BRAN", SKOS.prefLabel, EN("Mr Bran"))], [("add", "BRAN", SKOS.altLabel, EN("Mr Bran"))]),
    ("Actor-label", "BRAN", [("del", "BRAN", RDFS.label, None)], []),
    ("Actor-labelMatchesPrefLabel", "BRAN", [("set", "BRAN", RDFS.label, EN("Bran"))], [("set", "BRAN", RDFS.label, EN("Ivo Bran"))]),
    ("Actor-altLabel", "BRAN", [("add", "BRAN", SKOS.altLabel, URIRef("https://example.org/bran"))], [("add", "BRAN", SKOS.altLabel, EN("I. Bran"))]),
    ("Actor-type", "BRAN", [("del", "BRAN", RDF.type, CKG.Person)], [("del", "BRAN", RDF.type, CKG.Person), ("add", "BRAN", RDF.type, CKG.Organisation)]),
    ("Actor-typeKnown", "BRAN", [("add", "BRAN", RDF.type, CKG.Persn)], [("add", "BRAN", RDF.type, CKG.Monitor)]),
    ("Actor-role", "BRAN", [("add", "BRAN", CKG.role, S(""))], [("add", "BRAN", CKG.role, S("spokesperson"))]),
    ("Actor-affiliatedWith", "BRAN", [("add", "BRAN", CKG.affiliatedWith, "VALETOWN")], [("add", "BRAN", CKG.affiliatedWith, "GOV")]),
    ("Actor-backs", "BRAN", [("add", "BRAN", CKG.backs, "EVENT")], [("add", "BRAN", CKG.backs, "MIN")]),
    ("Actor-country", "BRAN", [("add", "BRAN", CKG.country, "MIN")], [("add", "BRAN", CKG.country, "NORTH")]),
    ("Actor-sameAs", "BRAN", [("add", "BRAN", SCHEMA.sameAs, S("Q42"))], [("add", "BRAN", SCHEMA.sameAs, URIRef("http://www.wikidata.org/entity/Q42"))]),
    ("Actor-dictionaryEntry", "MIN", [("add", "MIN", CKG.dictionaryEntry, S("ministry-2"))], [("set", "MIN", CKG.dictionaryEntry, S("ministry-2"))]),
    ("Actor-wasDerivedFrom", "MIN", [("add", "MIN", PROV.wasDerivedFrom, "ART")], [("add", "MIN", PROV.wasDerivedFrom, CKGG.dictionary)]),
    ("Actor-evidence", "BRAN", [("set", "BRAN", CKG.evidence, "ART")], [("set", "BRAN", CKG.evidence, "SPAN")]),
    ("Actor-scopedTo", "MONITOR", [("set", "MONITOR", CKG.scopedTo, "EVENT")], [("set", "MONITOR", CKG.scopedTo, "ART2")]),
    ("Actor-extractionRule", "BRAN", [("set", "BRAN", CKG.extractionRule, I(5))], [("set", "BRAN", CKG.extractionRule, S("actor.other"))]),
    ("Actor-provenance", "BRAN", [("del", "BRAN", CKG.evidence, None)], [("del", "BRAN", CKG.evidence, None), ("add", "BRAN", CKG.dictionaryEntry, S("ivo-bran"))]),
    ("Dictionary-derivation", "MIN", [("del", "MIN", PROV.wasDerivedFrom, None)], []),
    ("Dictionary-derivation", "VALETOWN", [("del", "VALETOWN", PROV.wasDerivedFrom, None)], []),
    ("UnnamedSource-scopedTo", "MONITOR", [("del", "MONITOR", CKG.scopedTo, None)], []),
    # places
    ("Place", "VALETOWN", [("add", "VALETOWN", SCHEMA.latitude, S("36.1"))], [("add", "VALETOWN", SKOS.altLabel, EN("Vale"))]),
    ("Place-prefLabel", "VALETOWN", [("del", "VALETOWN", SKOS.prefLabel, None)], []),
    ("Place-prefLabelUnique", "VALETOWN", [("add", "VALETOWN", SKOS.prefLabel, EN("Vale"))], [("add", "VALETOWN", SKOS.altLabel, EN("Vale"))]),
    ("Place-label", "VALETOWN", [("del", "VALETOWN", RDFS.label, None)], []),
    ("Place-labelMatchesPrefLabel", "VALETOWN", [("set", "VALETOWN", RDFS.label, EN("Vale"))], [("set", "VALETOWN", RDFS.label, EN("Valetown"))]),
    ("Place-altLabel", "VALETOWN", [("add", "VALETOWN", SKOS.altLabel, URIRef("https://example.org/vale"))], [("add", "VALETOWN", SKOS.altLabel, EN("Vale"))]),
    ("Place-placeType", "VALETOWN", [("set", "VALETOWN", CKG.placeType, S("hamlet"))], [("set", "VALETOWN", CKG.placeType, S("village"))]),
    ("Place-partOf", "VALETOWN", [("set", "VALETOWN", CKG.partOf, "MIN")], [("set", "VALETOWN", CKG.partOf, "NORTH")]),
    ("Place-sameAs", "VALETOWN", [("add", "VALETOWN", SCHEMA.sameAs, S("12345"))], [("add", "VALETOWN", SCHEMA.sameAs, URIRef("https://sws.geonames.org/12345/"))]),
    ("Place-dictionaryEntry", "VALETOWN", [("add", "VALETOWN", CKG.dictionaryEntry, S("vale"))], [("set", "VALETOWN", CKG.dictionaryEntry, S("vale"))]),
    ("Place-evidence", "VALETOWN", [("add", "VALETOWN", CKG.evidence, "ART")], [("add", "VALETOWN", CKG.evidence, "SPAN")]),
    ("Place-extractionRule", "VALETOWN", [("add", "VALETOWN", CKG.extractionRule, S(""))], [("add", "VALETOWN", CKG.extractionRule, S("place.from-text"))]),
    ("Place-provenance", "VALETOWN", [("del", "VALETOWN", CKG.dictionaryEntry, None)],
     [("del", "VALETOWN", CKG.dictionaryEntry, None), ("add", "VALETOWN", CKG.evidence, "SPAN")]),
    ("Place-gazetteerEntry", "VALETOWN", [("add", "VALETOWN", CKG.gazetteerEntry, S("osm:123"))], [("add", "VALETOWN", CKG.gazetteerEntry, S("geonames:123"))]),
    ("Place-wasDerivedFrom", "VALETOWN", [("add", "VALETOWN", PROV.wasDerivedFrom, "ART")], [("add", "VALETOWN", PROV.wasDerivedFrom, CKGG.dictionary)]),
    # text spans and selectors
    ("TextSpan", "SPAN", [("add", "SPAN", OA.hasTarget, "ART")], []),
    ("TextSpan-hasSource", "SPAN", [("set", "SPAN", OA.hasSource, "EVENT")], [("set", "SPAN", OA.hasSource, "ART")]),
    ("TextSpan-selectorCount", "SPAN", [("add", "SPAN", OA.hasSelector, URIRef(f"{N['SPAN']}#extra"))], []),
    ("TextSpan-positionSelector", "SPAN", [("del", "POS", OA.start, None)], [("set", "POS", OA.start, I(100))]),
    ("TextSpan-quoteSelector", "SPAN", [("del", "QUOTE", OA.exact, None)], [("set", "QUOTE", OA.exact, S("said"))]),
    ("TextPositionSelector", "POS", [("add", "POS", OA.exact, S("x"))], []),
    ("TextPositionSelector-start", "POS", [("set", "POS", OA.start, I(-1))], [("set", "POS", OA.start, I(0))]),
    ("TextPositionSelector-end", "POS", [("del", "POS", OA.end, None)], [("set", "POS", OA.end, I(195))]),
    ("TextPositionSelector-order", "POS", [("set", "POS", OA.start, I(194))], [("set", "POS", OA.start, I(193))]),
    ("TextPositionSelector-ofSpan", "POS", [("del", "SPAN", OA.hasSelector, "POS")], []),
    ("TextQuoteSelector", "QUOTE", [("add", "QUOTE", OA.start, I(1))], []),
    ("TextQuoteSelector-exact", "QUOTE", [("del", "QUOTE", OA.exact, None)], [("set", "QUOTE", OA.exact, S("said"))]),
    ("TextQuoteSelector-prefix", "QUOTE", [("set", "QUOTE", OA.prefix, S(LONG))], [("set", "QUOTE", OA.prefix, S("officials said. "))]),
    ("TextQuoteSelector-suffix", "QUOTE", [("set", "QUOTE", OA.suffix, S(LONG))], [("set", "QUOTE", OA.suffix, S(" About 40"))]),
    ("TextQuoteSelector-ofSpan", "QUOTE", [("del", "SPAN", OA.hasSelector, "QUOTE")], []),
    # controlled values (individuals of the ontology)
    ("ControlledValue-prefLabel", "ASSERTS", [("del", "ASSERTS", SKOS.prefLabel, None)], []),
    ("ControlledValue-comment", "ASSERTS", [("del", "ASSERTS", RDFS.comment, None)], []),
]


@pytest.fixture(scope="module", params=SHACL_ENGINES)
def validator(request: pytest.FixtureRequest) -> ShapeValidator:
    """Every test runs on both engines: pyshacl-turbo (the default) and pySHACL (the reference)."""
    return ShapeValidator(engine=request.param)


def _shape_message(validator: ShapeValidator, shape: URIRef) -> str:
    messages = list(validator.shapes.objects(shape, SH.message))
    for sparql in validator.shapes.objects(shape, SH.sparql):
        messages += list(validator.shapes.objects(sparql, SH.message))
    assert messages, f"{shape} has no sh:message"
    return str(messages[0])


def _severity(validator: ShapeValidator, shape: URIRef) -> str:
    return str(validator.shapes.value(shape, SH.severity)).rsplit("#", 1)[-1]


def _check(validator: ShapeValidator, ops: list[tuple], focus: URIRef, *, compare_full: bool = False) -> ValidationReport:
    graph = apply(union(with_ontology=focus == N["ASSERTS"]), ops)
    report = validator.validate_graph(graph, focus_nodes=[focus])
    if compare_full:  # pySHACL's focus mode gives what a full run gives for that node
        full = validator.validate_graph(graph)
        assert report.results == [r for r in full.results if r.focus_node == format_term(focus)]
    return report


def _case_id(case: tuple) -> str:
    return case[0]


@pytest.mark.parametrize("shape_name, focus_key, bad, good", CASES, ids=[_case_id(c) for c in CASES])
def test_shape_bites_and_twin_passes(validator: ShapeValidator, shape_name: str, focus_key: str,
                                     bad: list[tuple], good: list[tuple]) -> None:
    shape = CKGSH[shape_name]
    focus = N[focus_key]
    report = _check(validator, bad, focus, compare_full=True)
    hits = [r for r in report.results if r.shape == f"ckgsh:{shape_name}"]
    assert hits, report.to_text()
    assert {r.focus_node for r in hits} == {format_term(focus)}
    severity = _severity(validator, shape)
    assert {r.severity for r in hits} == {severity}
    template = _shape_message(validator, shape)
    if (shape, SH.sparql, None) in validator.shapes:  # a SPARQL message template, filled in
        assert hits[0].message.startswith(template.split("{")[0]) and "{" not in hits[0].message
    else:
        assert hits[0].message == template
    if severity == "Violation":
        assert not report.conforms
    twin = _check(validator, good, focus)
    assert not [r for r in twin.results if r.shape == f"ckgsh:{shape_name}"], twin.to_text()
    assert twin.conforms, twin.to_text()


def _named_shapes(shapes: Graph) -> set[URIRef]:
    """Shapes of our namespace that state a constraint of their own (have a message or a SPARQL constraint)."""
    return {s for s in shapes.subjects(SH.message, None) if isinstance(s, URIRef) and str(s).startswith(str(CKGSH))
            and (s, RDF.type, SH.SPARQLConstraint) not in shapes} | set(shapes.subjects(SH.sparql, None))


def test_every_shape_has_a_case(validator: ShapeValidator) -> None:
    covered = {CKGSH[c[0]] for c in CASES}
    assert _named_shapes(validator.shapes) - covered == set()


def test_every_shape_has_a_message_in_english_and_a_severity(validator: ShapeValidator) -> None:
    shapes = validator.shapes
    with_severity = {s for s in shapes.subjects(SH.severity, None)}
    assert with_severity == _named_shapes(shapes)
    for shape in with_severity:
        assert isinstance(shape, URIRef), "shapes with a severity are named"
        assert _severity(validator, shape) in ("Violation", "Warning")
        message = _shape_message(validator, shape)
        langs = {m.language for m in shapes.objects(shape, SH.message)} or {
            m.language for c in shapes.objects(shape, SH.sparql) for m in shapes.objects(c, SH.message)}
        assert langs == {"en"}, shape
        assert len(message) > 30, shape


def test_sparql_only_where_core_cannot_say_it(validator: ShapeValidator) -> None:
    """SHACL-SPARQL only where Core cannot say it (pySHACL runs it once per focus node)."""
    assert set(validator.shapes.subjects(SH.sparql, None)) == {CKGSH["Article-claimMonths"], CKGSH["Event-interval"]}


def test_fixture_graphs_conform(validator: ShapeValidator) -> None:
    report = validator.validate_graph(union(with_ontology=True))
    assert report.conforms, report.to_text()
    assert report.results == []


def test_month_precision_claim_date_is_compared_by_month(validator: ShapeValidator) -> None:
    # The article is dated 2020-03-05: a claim "in March 2020" is fine, in April it is not.
    same_month = _check(validator, [("set", "CLAIM", CKG.claimDate, YM("2020-03"))], N["ART"])
    assert same_month.conforms
    later = _check(validator, [("set", "CLAIM", CKG.claimDate, YM("2020-04"))], N["ART"])
    assert [(r.shape, r.path, r.value) for r in later.violations] == [
        ("ckgsh:Article-claimMonths", "^ckg:sourceArticle / ckg:claimDate", "2020-04")]


def test_undated_article_accepts_any_claim_date(validator: ShapeValidator) -> None:
    ops = [("del", "ART", SCHEMA.datePublished, None), ("set", "CLAIM", CKG.claimDate, D("2020-05-01"))]
    report = validator.validate_graph(apply(union(), ops), focus_nodes=[N["CLAIM"], N["ART"]])
    assert report.conforms, report.to_text()
    assert report.results == []


def test_sparql_messages_name_the_nodes(validator: ShapeValidator) -> None:
    later = _check(validator, [("set", "CLAIM", CKG.claimDate, YM("2020-04"))], N["ART"])
    assert later.violations[0].message == (
        f"Claim {format_term(N['CLAIM'])} is dated 2020-04, a month after its source article's publication "
        "date 2020-03-05: fix the date resolution.")
    reversed_ = _check(validator, [("set", "EVENT", SEM.hasEarliestBeginTimeStamp, D("2020-03-09"))], N["EVENT"])
    assert [(r.path, r.value, r.message) for r in reversed_.violations] == [
        ("sem:hasLatestEndTimeStamp", "2020-03-03",
         (f"Event {format_term(N['EVENT'])} begins (2020-03-09) after it ends (2020-03-03): "
          "fix sem:hasEarliestBeginTimeStamp or sem:hasLatestEndTimeStamp."))]


def test_nested_shapes_on_value_nodes_fall_back_to_full_validation() -> None:
    """pySHACL's focus mode skips nested shapes on value nodes; such shapes switch it off."""
    shapes = Graph()
    shapes.parse(data="""
        @prefix sh: <http://www.w3.org/ns/shacl#> . @prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
        @prefix ckg: <https://w3id.org/conflictkg/ontology#> . @prefix ckgsh: <https://w3id.org/conflictkg/shapes#> .
        ckgsh:Dated a sh:PropertyShape ; sh:targetClass ckg:Claim ; sh:path ckg:claimDate ;
            sh:or ( [ sh:datatype xsd:date ] [ sh:datatype xsd:gYearMonth ] ) ;
            sh:severity sh:Violation ; sh:message "bad date"@en .
    """, format="turtle")
    nested = ShapeValidator(shapes=shapes, engine="pyshacl")
    assert not nested.focus_safe
    assert ShapeValidator().focus_safe
    graph = apply(union(), [("set", "CLAIM", CKG.claimDate, S("March 2020"))])
    report = nested.validate_graph(graph, focus_nodes=[N["CLAIM"]])
    assert [(r.focus_node, r.message) for r in report.results] == [(format_term(N["CLAIM"]), "bad date")]


def test_values_pyshacl_cannot_order_are_refused_not_crashed() -> None:
    """pySHACL 0.40 raises TypeError on sh:lessThanOrEquals between two different xsd:gYearMonth
    values; the validator turns that into a Violation naming the suspect literals."""
    shapes = Graph()
    shapes.parse(data="""
        @prefix sh: <http://www.w3.org/ns/shacl#> . @prefix sem: <http://semanticweb.cs.vu.nl/2009/11/sem/> .
        @prefix ckg: <https://w3id.org/conflictkg/ontology#> . @prefix ckgsh: <https://w3id.org/conflictkg/shapes#> .
        ckgsh:Ordered a sh:PropertyShape ; sh:targetClass ckg:Event ; sh:path sem:hasEarliestBeginTimeStamp ;
            sh:lessThanOrEquals sem:hasLatestEndTimeStamp ; sh:severity sh:Violation ; sh:message "order"@en .
    """, format="turtle")
    ops = [("set", "EVENT", SEM.hasEarliestBeginTimeStamp, YM("2020-04")),
           ("set", "EVENT", SEM.hasLatestEndTimeStamp, YM("2020-03"))]
    report = ShapeValidator(shapes=shapes, engine="pyshacl").validate_graph(apply(union(), ops))
    assert not report.conforms
    assert {(r.focus_node, r.path, r.value) for r in report.violations} == {
        (format_term(N["EVENT"]), "sem:hasEarliestBeginTimeStamp", "2020-04"),
        (format_term(N["EVENT"]), "sem:hasLatestEndTimeStamp", "2020-03")}
    assert report.violations[0].message.startswith("This literal is not a valid xsd:gYearMonth (or cannot be ordered)")
