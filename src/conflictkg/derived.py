"""Derived graphs: per event, the contradictions, revisions and figure summaries its claims imply.

Every write that changes article graphs (a build, an ingest, a SPARQL update, a Graph Store
upload or delete, loading Turtle files) passes the graphs it is about to write to
:meth:`Derivation.graphs_for`, which answers the derived graphs to write *in the same
transaction*: ``ckgg:derived/event/<event-key>`` for every event whose populations the
write adds, changes or removes, recomputed from the event's claims as they will be after
the write (the store's other graphs plus the new content). So the derived graphs never go
stale: a claim replaced, moved to another event or deleted takes its pairs with it, and an
article replaced twice leaves no trace. The SHACL gate validates them with the write.

Each derived graph holds (docs/model.md, "Contradiction and revision", "Figure summary"):

- a ``ckg:Contradiction`` or ``ckg:Revision`` node per pair of figures that cannot both be true
  (:func:`conflictkg.contradictions.find_pairs`), with both figures, both claims, both
  populations, how the populations relate and the reason in words;
- a ``ckg:FigureSummary`` per measure and population: low, best and high estimates (like
  UCDP's) from each source's latest figure, with the claims behind each;
- ``ckg:withinPopulation`` links between the event's populations that lie within one another.

Reads are a few SELECTs per write, narrowed to the events concerned (``VALUES``), so their
cost depends on the events' claims, not on the size of the store.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import Any

import pyoxigraph as ox
from rdflib import Graph, Literal, URIRef

from .contradictions import (UNNAMED_ACTORS, ClaimFact, FigureFact, FigurePair, find_pairs, name_variant_key,
                             one_source, same_by_name_only, show_range)
from .errors import QueryError
from .model import PopulationRecord
from .namespaces import CKG, CKGG, CKGID, RDF, SPARQL_PROLOGUE, XSD, local_name, short_hash
from .populations import EventContext, event_context, population_key, relation
from .rdf import new_graph
from .store import GraphContent, GraphStore, ox_quads, ox_terms, ox_triples

__all__ = ["Derivation", "derived_graph", "is_derived_graph", "EventFacts", "read_facts", "summaries", "Summary",
           "DERIVED_PREFIX"]

#: Named graphs under this prefix are derived: computed at every write, never written directly.
DERIVED_PREFIX = str(CKGG["derived/"])
_EVENT_PREFIX = str(CKGID["event/"])
_RELATION = {"same": CKG.SamePopulation, "within": CKG.FirstWithinSecond, "contains": CKG.SecondWithinFirst}
_MEDIA = {str(CKG.MediaOutlet), str(CKG.NewsAgency)}
_PERSON = str(CKG.Person)
#: The predicates that tie a claim or a population to its event.
_EVENT_LINKS = frozenset(ox.NamedNode(str(p)) for p in (CKG.populationOf, CKG.about))


def derived_graph(event: str) -> URIRef:
    """The derived graph of an event (by IRI)."""
    key = event[len(_EVENT_PREFIX):] if event.startswith(_EVENT_PREFIX) else short_hash(event)
    return CKGG[f"derived/event/{key}"]


def is_derived_graph(name: str) -> bool:
    return str(name).startswith(DERIVED_PREFIX)


# --- reading ------------------------------------------------------------------------------------

_EVENTS_OF = SPARQL_PROLOGUE + """
SELECT DISTINCT ?e WHERE { VALUES ?g { %s } GRAPH ?g { { ?p ckg:populationOf ?e } UNION { ?c ckg:about ?e } } }"""
# Each read starts from the terms the previous one found (a VALUES block in the text, which
# pyoxigraph's planner sees), so that it is a few index lookups per figure.
_COUNTING = SPARQL_PROLOGUE + """
SELECT ?g ?pop ?fig ?measure ?qualifier ?surface ?min ?max WHERE {
  VALUES ?pop { %s }
  GRAPH ?g {
    ?fig ckg:counts ?pop ; ckg:measure ?measure ; ckg:qualifier ?qualifier ; ckg:surfaceForm ?surface .
    OPTIONAL { ?fig schema:minValue ?min }
    OPTIONAL { ?fig schema:maxValue ?max }
  }
}"""
_CLAIMS = SPARQL_PROLOGUE + """
SELECT ?g ?fig ?claim ?e ?claimant ?behalf ?stance ?date WHERE {
  VALUES ?fig { %s }
  GRAPH ?g {
    ?claim ckg:hasFigure ?fig ; ckg:about ?e ; prov:wasAttributedTo ?claimant ; ckg:stance ?stance .
    OPTIONAL { ?claim ckg:onBehalfOf ?behalf }
    OPTIONAL { ?claim ckg:claimDate ?date }
  }
}"""
# The evidence is read on its own, from the claims found: inside the claims read, an OPTIONAL over
# the evidence's selector was planned as a hash left join that read every selector in the store.
_EVIDENCE = SPARQL_PROLOGUE + """
SELECT ?g ?claim ?pre ?text ?suf WHERE {
  VALUES ?claim { %s }
  GRAPH ?g {
    ?claim ckg:evidence ?ev . ?ev oa:hasSelector ?q . ?q oa:exact ?text .
    OPTIONAL { ?q oa:prefix ?pre }
    OPTIONAL { ?q oa:suffix ?suf }
  }
}"""
_POPULATIONS = SPARQL_PROLOGUE + """
SELECT ?g ?e ?pop ?label ?kind ?nat ?side ?align ?role ?mark ?within WHERE {
  VALUES ?e { %s }
  GRAPH ?g {
    ?pop ckg:populationOf ?e ; ckg:populationKind ?kind ; rdfs:label ?label .
    OPTIONAL { ?pop ckg:nationality ?nat }
    OPTIONAL { ?pop ckg:side ?side }
    OPTIONAL { ?pop ckg:alignment ?align }
    OPTIONAL { ?pop ckg:eventRole ?role }
    OPTIONAL { ?pop ckg:populationMark ?mark }
    OPTIONAL { ?pop ckg:withinPopulation ?within }
  }
}"""
_AFFILIATIONS = SPARQL_PROLOGUE + """
SELECT ?g ?a ?org ?type ?label WHERE {
  VALUES ?a { %s }
  GRAPH ?g { { ?a ckg:affiliatedWith ?org } UNION { ?a a ?type } UNION { ?a skos:prefLabel ?label } }
}"""


@dataclass
class EventFacts:
    """What one event's derived graph is computed from."""

    event: str
    claims: list[ClaimFact] = field(default_factory=list)
    populations: dict[str, PopulationRecord] = field(default_factory=dict)
    """Population IRI -> record."""
    labels: dict[str, str] = field(default_factory=dict)
    within: set[tuple[str, str]] = field(default_factory=set)
    """(part IRI, whole IRI) stated by breakdowns."""


class _Reader:
    """SELECTs over the store's graphs except ``hidden``, plus an overlay of new graph contents."""

    def __init__(self, store: GraphStore, overlay: Mapping[URIRef, GraphContent]) -> None:
        self.store = store
        self.hidden = {str(g) for g in overlay}
        self.memory: ox.Store | None = None
        quads = [q for name, graph in overlay.items() if graph is not None for q in ox_quads(graph, ox.NamedNode(str(name)))]
        if quads:
            self.memory = ox.Store()
            self.memory.extend(quads)

    def select(self, query: str) -> list[dict[str, str | None]]:
        rows = [{k: (None if v is None else str(v)) for k, v in r.items()} for r in self.store.select(query)]
        rows = [r for r in rows if r.get("g") not in self.hidden]
        if self.memory is not None:
            result = self.memory.query(query)
            names = [v.value for v in result.variables]  # type: ignore[union-attr]
            for sol in result:  # type: ignore[union-attr]
                rows.append({n: None if v is None else v.value for n, v in zip(names, sol)})
        return rows


def _values(iris: Iterable[str]) -> str:
    return " ".join(f"<{i}>" for i in sorted(set(iris)))


def affected_events(store: GraphStore, graphs: Mapping[URIRef, GraphContent]) -> set[str]:
    """Events whose claims or populations the write of ``graphs`` adds, changes or removes.

    A figure is compared within an event only while its claim is about that event and it counts a
    population of that event: a claim moved to another event leaves the old event's pairs at once.
    """
    events = {o.value for g in graphs.values() if g is not None for _s, p, o in ox_terms(g) if p in _EVENT_LINKS}
    existing = [str(g) for g in graphs if not is_derived_graph(str(g))]
    if existing:
        events |= {str(r["e"]) for r in store.select(_EVENTS_OF % _values(existing))}
    return events


def read_facts(store: GraphStore, events: Iterable[str], overlay: Mapping[URIRef, GraphContent] = {}) -> dict[str, EventFacts]:
    """The claims, figures and populations of ``events``, as the store will hold them after ``overlay``."""
    events = sorted(set(events))
    out = {e: EventFacts(e) for e in events}
    if not events:
        return out
    reader = _Reader(store, overlay)
    values = _values(events)
    marks: dict[str, set[str]] = {}
    pops: dict[str, dict[str, Any]] = {}
    for r in reader.select(_POPULATIONS % values):
        pop, ev = r["pop"], r["e"]
        assert pop is not None and ev is not None
        entry = pops.setdefault(pop, {"event": ev, "kind": local_name(r["kind"] or ""), "nationality": r["nat"],
                                      "side": r["side"], "alignment": r["align"] and local_name(r["align"]),
                                      "role": r["role"] and local_name(r["role"]), "label": r["label"]})
        if r["mark"]:
            marks.setdefault(pop, set()).add(r["mark"])
        if r["within"]:
            out[ev].within.add((pop, r["within"]))
        entry.setdefault("label", r["label"])
    for pop, e in sorted(pops.items()):
        facts = out[e["event"]]
        facts.populations[pop] = PopulationRecord(
            kind=e["kind"], nationality=e["nationality"], side=e["side"], alignment=e["alignment"], role=e["role"],
            marks=tuple(sorted(marks.get(pop, ()))), label=e["label"] or "")
        facts.labels[pop] = e["label"] or ""
    event_of = {pop: e for e, f in out.items() for pop in f.populations}
    figures: dict[str, dict[str, str | None]] = {}
    if event_of:
        for r in reader.select(_COUNTING % _values(event_of)):
            figures.setdefault(r["fig"] or "", r)
    claims: dict[tuple[str, str], ClaimFact] = {}
    claim_rows = reader.select(_CLAIMS % _values(figures)) if figures else []
    evidence: dict[str, list[str]] = {}
    if claim_rows:
        for r in sorted(reader.select(_EVIDENCE % _values(r["claim"] or "" for r in claim_rows)),
                        key=lambda r: (r["claim"] or "", r["text"] or "")):
            evidence.setdefault(r["claim"] or "", []).append(" ".join(r[k] or "" for k in ("pre", "text", "suf")))
    for r in sorted(claim_rows, key=lambda r: (r["claim"] or "", r["fig"] or "", r["e"] or "")):
        fig, claim, ev = r["fig"] or "", r["claim"] or "", r["e"] or ""
        f = figures[fig]
        pop = f["pop"] or ""
        if event_of.get(pop) != ev or any(x.iri == fig for c in out[ev].claims for x in c.figures):
            continue  # a figure is compared within its own population's event, once
        c = claims.get((ev, claim))
        if c is None:
            c = claims[(ev, claim)] = ClaimFact(
                iri=claim, claimant=r["claimant"] or "", sources=frozenset(x for x in (r["claimant"], r["behalf"]) if x),
                stance=local_name(r["stance"] or ""), date=r["date"], article=r["g"], behalf=(r["behalf"],) if r["behalf"] else (),
                tells_change=_tells_change(" ".join(evidence.get(claim, ()))))
            out[ev].claims.append(c)
        c.figures.append(FigureFact(
            iri=fig, measure=local_name(f["measure"] or ""), qualifier=local_name(f["qualifier"] or ""),
            surface=f["surface"] or "", low=_int(f["min"]), high=_int(f["max"]),
            population=out[ev].populations[pop], population_iri=pop))
    _add_organisations(reader, [c for f in out.values() for c in f.claims])
    return out


@cache
def _change_cues() -> re.Pattern[str]:
    from .rules import load_rules

    return re.compile("|".join(f"(?:{r.pattern})" for r in load_rules().revision_cues), re.I)


def _tells_change(text: str) -> bool:
    """Whether a claim's evidence (with the words around it) says a figure changed ("rose to", "initially")."""
    return bool(_change_cues().search(text))


def _int(value: str | None) -> int | None:
    return None if value is None else int(value)


def _add_organisations(reader: _Reader, claims: list[ClaimFact]) -> None:
    """Extend each claim's sources with the organisations its claimant belongs to (not through media),
    and name its claimant."""
    edges: dict[str, set[str]] = {}
    media: set[str] = set()
    people: set[str] = set()
    names: dict[str, str] = {}
    frontier = {s for c in claims for s in c.sources}
    seen: set[str] = set()
    while frontier - seen:
        batch = frontier - seen
        seen |= batch
        frontier = set()
        for r in reader.select(_AFFILIATIONS % _values(batch)):
            a = r["a"] or ""
            if r["type"] in _MEDIA:
                media.add(a)
            if r["type"] == _PERSON:
                people.add(a)
            if r["label"] and (a not in names or r["label"] < names[a]):
                names[a] = r["label"]
            if r["org"]:
                edges.setdefault(a, set()).add(r["org"])
                frontier.add(r["org"])
    for c in claims:
        closure: set[str] = set()
        todo = list(c.sources)
        while todo:
            a = todo.pop()
            if a in closure:
                continue
            closure.add(a)
            if a not in media:
                todo += edges.get(a, ())
        # the claimant's own name, spelt any way: not the names of whom it speaks for or belongs to
        variants = {name_variant_key(names[a]) for a in (c.claimant,) if a not in media and a in names}
        c.sources = frozenset(closure | {k for k in variants if k})
        c.claimant_label = names.get(c.claimant)
        c.claimant_is_body = c.claimant not in people and UNNAMED_ACTORS not in c.claimant
    _add_relayed([c for c in claims if c.claimant in media], claims)


def _add_relayed(outlet_claims: list[ClaimFact], claims: list[ClaimFact]) -> None:
    """An outlet stating in its own voice a figure a source it quotes in the same article gives
    (same measure, same bounds) relays that source: its claim is that source's too (a headline's
    "toll rises to 56" over the governor's "56 people were killed")."""
    for c in outlet_claims:
        mine = {(f.measure, f.low, f.high) for f in c.figures}
        relayed = [o for o in claims if o is not c and o.article == c.article and o not in outlet_claims
                   and mine & {(f.measure, f.low, f.high) for f in o.figures}]
        for o in relayed:
            c.sources = c.sources | o.sources


# --- the derived graph --------------------------------------------------------------------------


@dataclass(frozen=True)
class Summary:
    """Low, best and high estimates of one measure for one population, with the claims behind each."""

    measure: str
    population: str
    low: int | None
    best: int | None
    high: int | None
    low_from: tuple[str, ...]
    best_from: tuple[str, ...]
    high_from: tuple[str, ...]
    sources: int


def _point(f: FigureFact) -> int | None:
    """The one number a figure states: its value, a range's middle, an open bound's bound."""
    if f.low is not None and f.high is not None:
        return (f.low + f.high) // 2
    return f.low if f.low is not None else f.high


def _clusters(claims: list[ClaimFact]) -> list[list[ClaimFact]]:
    """Claims grouped by source (:func:`conflictkg.contradictions.one_source`)."""
    groups: list[list[ClaimFact]] = []
    for c in sorted(claims, key=lambda c: c.iri):
        hits = [g for g in groups if any(one_source(c, o) for o in g)]
        merged = [c] + [x for g in hits for x in g]
        groups = [g for g in groups if g not in hits] + [merged]
    return groups


def summaries(facts: EventFacts) -> list[Summary]:
    """One summary per measure and population, from each source's latest figure (denials left out)."""
    by_key: dict[tuple[str, str], list[tuple[ClaimFact, FigureFact]]] = {}
    for c in facts.claims:
        if c.stance == "Denies":
            continue
        for f in c.figures:
            if f.population_iri is not None and _point(f) is not None:
                by_key.setdefault((f.measure, f.population_iri), []).append((c, f))
    out = []
    for (measure, pop), items in sorted(by_key.items()):
        latest: list[tuple[ClaimFact, FigureFact]] = []
        for group in _clusters([c for c, _ in items]):
            mine = [(c, f) for c, f in items if c in group]
            last_date = max((c.date or "") for c, _ in mine)
            latest += [(c, f) for c, f in mine if (c.date or "") == last_date]
        lows = [(f.low if f.low is not None else 0, c.iri) for c, f in latest]
        highs = [(f.high if f.high is not None else (f.low or 0), c.iri) for c, f in latest]
        points = sorted((_point(f), c.iri) for c, f in latest)  # type: ignore[type-var]
        best = points[(len(points) - 1) // 2][0]
        low, high = min(v for v, _ in lows), max(v for v, _ in highs)
        out.append(Summary(
            measure=measure, population=pop, low=low, best=best, high=high,
            low_from=tuple(sorted({i for v, i in lows if v == low})),
            best_from=tuple(sorted({i for v, i in points if v == best})),
            high_from=tuple(sorted({i for v, i in highs if v == high})),
            sources=len(_clusters([c for c, _ in items]))))
    return out


def _reason(p: FigurePair, labels: Mapping[str, str]) -> str:
    """Why the pair cannot both be true, naming both sources: the reason column of ``contradictions``."""
    la = labels.get(p.first.population_iri or "", "") or "?"
    lb = labels.get(p.second.population_iri or "", "") or "?"
    who = [c.claimant_label or local_name(c.claimant) for c in (p.first_claim, p.second_claim)]
    a = f"'{p.first.surface}' ({show_range(p.first_range)})"
    b = f"'{p.second.surface}' ({show_range(p.second_range)})"
    if p.relation == "same":
        why = f"{a} and {b} count the same people ({la}) and their ranges do not overlap"
    elif p.relation == "within":
        why = f"{la} are part of {lb}, yet {a} is more than {b} allows"
    else:
        why = f"{lb} are part of {la}, yet {b} is more than {a} allows"
    if p.kind == "revision":
        dates = " to ".join(d or "an unknown date" for d in (p.first_claim.date, p.second_claim.date))
        one = "one person, the name spelt two ways," if same_by_name_only(p.first_claim, p.second_claim) else "one source,"
        names = who[0] if who[0] == who[1] else f"{who[0]} and then {who[1]}, {one}"
        return f"{names} changed the figure ({dates}): {why}."
    return f"{who[0]} and {who[1]} disagree: {why}."


def event_graph(facts: EventFacts, ctx: EventContext) -> Graph:
    """The derived graph of one event."""
    g = new_graph()
    event = URIRef(facts.event)
    for pair in find_pairs(facts.claims, ctx):
        cls = CKG.Revision if pair.kind == "revision" else CKG.Contradiction
        node = CKGID[f"{pair.kind}/{short_hash(facts.event, pair.first.iri, pair.second.iri)}"]
        g.add((node, RDF.type, cls))
        g.add((node, RDF.type, CKG.FigureConflict))
        g.add((node, CKG.conflictEvent, event))
        g.add((node, CKG.conflictMeasure, CKG[pair.measure]))
        g.add((node, CKG.firstFigure, URIRef(pair.first.iri)))
        g.add((node, CKG.secondFigure, URIRef(pair.second.iri)))
        g.add((node, CKG.firstClaim, URIRef(pair.first_claim.iri)))
        g.add((node, CKG.secondClaim, URIRef(pair.second_claim.iri)))
        g.add((node, CKG.firstClaimant, URIRef(pair.first_claim.claimant)))
        g.add((node, CKG.secondClaimant, URIRef(pair.second_claim.claimant)))
        g.add((node, CKG.firstPopulation, URIRef(pair.first.population_iri or "")))
        g.add((node, CKG.secondPopulation, URIRef(pair.second.population_iri or "")))
        g.add((node, CKG.populationRelation, _RELATION[pair.relation]))
        g.add((node, CKG.reason, Literal(_reason(pair, facts.labels))))
    for s in summaries(facts):
        node = CKGID[f"summary/{short_hash(facts.event, s.measure, s.population)}"]
        g.add((node, RDF.type, CKG.FigureSummary))
        g.add((node, CKG.summaryEvent, event))
        g.add((node, CKG.summaryMeasure, CKG[s.measure]))
        g.add((node, CKG.summaryPopulation, URIRef(s.population)))
        for prop, value, claims in ((CKG.lowEstimate, s.low, s.low_from), (CKG.bestEstimate, s.best, s.best_from),
                                    (CKG.highEstimate, s.high, s.high_from)):
            if value is not None:
                g.add((node, prop, Literal(value, datatype=XSD.integer)))
                for c in claims:
                    g.add((node, {CKG.lowEstimate: CKG.lowFrom, CKG.bestEstimate: CKG.bestFrom,
                                  CKG.highEstimate: CKG.highFrom}[prop], URIRef(c)))
        g.add((node, CKG.sourceCount, Literal(s.sources, datatype=XSD.integer)))
    counted = {f.population_iri for c in facts.claims for f in c.figures}
    pops = sorted((i, p) for i, p in facts.populations.items() if i in counted)
    for (ia, pa), (ib, pb) in ((x, y) for x in pops for y in pops if x[0] != y[0]):
        if relation(pa, pb, ctx) == "within":
            g.add((URIRef(ia), CKG.withinPopulation, URIRef(ib)))
    return g


def context_of(facts: EventFacts, parent: Mapping[str, str | None]) -> EventContext:
    pops = [p for i, p in facts.populations.items() if any(f.population_iri == i for c in facts.claims for f in c.figures)]
    part_of = [(facts.populations[a], facts.populations[b]) for a, b in sorted(facts.within)
               if a in facts.populations and b in facts.populations]
    side_by_side: dict[tuple[str, str], list[PopulationRecord]] = {}
    for c in facts.claims:
        for f in c.figures:
            if f.population is not None:
                side_by_side.setdefault((c.iri, f.measure), []).append(f.population)
    return event_context(pops, parent, part_of, [g for _, g in sorted(side_by_side.items(), key=lambda kv: kv[0])])


class Derivation:
    """Computes the derived graphs a write implies (one per event it touches)."""

    def __init__(self, store: GraphStore, parent: Mapping[str, str | None] | None = None) -> None:
        self.store = store
        if parent is None:
            from .rules import load_rules

            parent = {k.kind: k.within for k in load_rules().population_kinds}
        self.parent = parent

    def graphs_for(self, graphs: Mapping[URIRef, GraphContent]) -> dict[URIRef, Graph | None]:
        """The derived graphs to write together with ``graphs`` (new contents of the graphs they replace);
        None drops the derived graph of an event that no longer implies anything.

        Raises :class:`QueryError` (E130) when ``graphs`` writes a derived graph itself.
        """
        direct = sorted(str(g) for g, content in graphs.items()
                        if is_derived_graph(str(g)) and set(ox_triples(content or [])) != set(ox_triples(self.store.graph(g))))
        if direct:
            raise QueryError(f"derived graphs are computed from the claims, never written: {', '.join(direct)}",
                             code="E130", status=403)
        events = affected_events(self.store, graphs)
        if not events:
            return {}
        facts = read_facts(self.store, events, graphs)
        out: dict[URIRef, Graph | None] = {}
        for e, f in sorted(facts.items()):
            g = event_graph(f, context_of(f, self.parent))
            out[derived_graph(e)] = g if len(g) else None
        return out

    def rebuild(self) -> dict[URIRef, Graph]:
        """Every event's derived graph, from the store as it is (after a bulk load)."""
        events = {str(r["e"]) for r in self.store.select(SPARQL_PROLOGUE + "SELECT DISTINCT ?e WHERE { ?p ckg:populationOf ?e }")}
        facts = read_facts(self.store, events)
        graphs = {derived_graph(e): event_graph(f, context_of(f, self.parent)) for e, f in sorted(facts.items())}
        return {name: g for name, g in graphs.items() if len(g)}

