"""Events in the store: where linking looks for reports, and how its decisions are written.

Every report carries *link keys* (``ckg:linkKey``): the ISO weeks its time can fall in
(``week:2023-W01:UA``; the reporting window before publication when the article states no date),
or ``untimed:<country>`` when its time is unknown, and ``country:<ISO code>``. A new report
looks up the stored reports that share a key with it (a ``VALUES`` look-up in the store's
index, not a scan), keeps those it links to, adds the other reports of their events, and goes
on from them until nothing new links (:data:`MAX_NEIGHBOURHOOD` reports at most): linking that
neighbourhood again gives what linking everything at once would.

:class:`EventPlan` is what linking decided for a batch of articles: the event each report is
linked to, the events' own graphs (``ckgg:event/<key>``), the stored articles whose claims and
reports move to another event (an event renamed because a new report joined it), and the
event graphs that are gone. Analysts' merges and splits live in ``ckgg:event-curation``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from rdflib import Graph, Literal, URIRef

from .event_linking import Group, Report, canonical, cluster, link, window
from .gazetteer import Gazetteer
from .model import PartialDate
from .namespaces import CKG, CKGID, EVENT_CURATION_GRAPH, SEM, article_graph, event_graph
from .store import GraphStore

__all__ = ["EventPlan", "link_keys", "plan_links", "stored_reports", "describe_reports", "curation", "moved_graphs", "move_events",
           "MAX_NEIGHBOURHOOD", "MAX_CANDIDATES"]

#: Most stored reports one linking decision reads (the neighbourhood of the new reports).
MAX_NEIGHBOURHOOD = 2000
#: Most stored reports one look-up by key returns.
MAX_CANDIDATES = 500
_REPORT = str(CKGID["event-report/"])
_EVENT = str(CKGID["event/"])
_PLACE = str(CKGID["place/"])
_POPULATION = str(CKGID["population/"])


def link_keys(report: Report, rules, gaz: Gazetteer) -> tuple[str, ...]:  # type: ignore[no-untyped-def]
    """The keys a report is stored under: each ISO week its time can fall in with its country
    (``week:2023-W01:UA``; ``-`` when it has no place), ``untimed:<country>`` when its time is
    unknown, and ``country:<code>``."""
    country = _country(report.place, gaz)
    keys = [f"country:{country}"] if country else []
    lo, hi = window(report, rules)
    if lo is None or hi is None:
        return tuple(sorted([*keys, f"untimed:{country or '-'}"]))
    return tuple(sorted([*keys, *(f"{w}:{country or '-'}" for w in _weeks(lo, hi))]))


def _weeks(lo: dt.date, hi: dt.date) -> set[str]:
    weeks = set()
    day = lo
    while day <= hi:
        year, week, _ = day.isocalendar()
        weeks.add(f"week:{year}-W{week:02d}")
        day += dt.timedelta(days=1)
    return weeks


def _wanted(report: Report, rules, gaz: Gazetteer) -> set[str]:  # type: ignore[no-untyped-def]
    """The keys under which the reports a report may link to are stored: its weeks in its own
    country or with no place (every country when it has none itself), the untimed reports of its
    country, and, when its own time is unknown, every report of its country."""
    country = _country(report.place, gaz)
    lo, hi = window(report, rules)
    out: set[str] = set()
    if lo is not None and hi is not None:
        countries = [country, "-"] if country else [*gaz.country_codes, "-"]
        out |= {f"{w}:{c}" for w in _weeks(lo, hi) for c in countries}
    if country:
        out.add(f"untimed:{country}")
        if lo is None or hi is None:
            out.add(f"country:{country}")
    return out


def _country(place: str | None, gaz: Gazetteer) -> str | None:
    if place is None:
        return None
    p = gaz.get(place)
    return p.country if p is not None else None


@dataclass
class EventPlan:
    """What linking decided for a batch of articles (see the module docstring)."""

    groups: list[Group] = field(default_factory=list)
    graphs: dict[str, Graph] = field(default_factory=dict)
    """Event key -> the event's graph."""
    renames: dict[str, dict[str, str]] = field(default_factory=dict)
    """Stored article key -> {old event key: new event key}."""
    dropped: set[str] = field(default_factory=set)
    """Event keys whose graphs go (every report moved to another event)."""
    key_of: dict[str, str] = field(default_factory=dict)
    """Report id -> event key."""


def plan_links(new: Sequence[Report], store: GraphStore | None, rules, gaz: Gazetteer, *,  # type: ignore[no-untyped-def]
               skip_articles: set[str] = frozenset()) -> EventPlan:  # type: ignore[assignment]
    """Link the new reports with each other and with the store's, and say what changes."""
    from .rdf import write_event

    stored = stored_reports(store, new, rules, gaz, skip_articles=skip_articles) if store is not None else []
    old_keys = {r.event for r in stored if r.event}
    if store is not None and skip_articles:
        # Articles built again: the events their earlier reports were in are decided again too.
        before = _by_events(store, sorted(_events_of_articles(store, skip_articles)))
        old_keys |= {r.event for r in before if r.event}
        known = {r.id for r in stored}
        stored += [r for r in before if r.article not in skip_articles and r.id not in known]
    everyone = [*new, *stored]
    merges, splits = curation(store, [r.id for r in everyone]) if store is not None else ([], [])
    groups = [canonical(g, gaz, rules) for g in cluster(everyone, gaz, rules, merges=merges, splits=splits)]
    plan = EventPlan(groups=groups)
    for g in groups:
        for r in g.reports:
            plan.key_of[r.id] = g.key
            if r.event and r.event != g.key:
                plan.renames.setdefault(r.article, {})[r.event] = g.key
        changed = any(r.event != g.key for r in g.reports)
        if changed or any(r in new for r in g.reports):
            plan.graphs[g.key] = write_event(g)
    plan.dropped = old_keys - {g.key for g in groups}
    return plan


def stored_reports(store: GraphStore, new: Sequence[Report], rules, gaz: Gazetteer, *,  # type: ignore[no-untyped-def]
                   skip_articles: Iterable[str] = ()) -> list[Report]:
    """The stored reports the new ones can end up with: those they link to, the other reports
    of those reports' events, and so on (at most :data:`MAX_NEIGHBOURHOOD`)."""
    skip = set(skip_articles)
    found: dict[str, Report] = {}
    frontier = list(new)
    asked: set[str] = set()
    while frontier and len(found) < MAX_NEIGHBOURHOOD:
        keys = set().union(*(_wanted(r, rules, gaz) for r in frontier)) - asked
        asked |= keys
        candidates = [r for r in _by_keys(store, sorted(keys)) if r.article not in skip and r.id not in found]
        linked = [c for c in candidates if any(link(c, f, gaz, rules) for f in frontier)]
        events = sorted({c.event for c in linked if c.event})
        mates = [r for r in _by_events(store, events) if r.article not in skip and r.id not in found]
        fresh = {r.id: r for r in [*linked, *mates] if r.id not in found}
        found.update(fresh)
        frontier = list(fresh.values())
    return sorted(found.values(), key=lambda r: r.id)


_OF_ARTICLES = """SELECT DISTINCT ?e WHERE { VALUES ?a { %s } ?r ckg:reportedIn ?a ; ckg:reportOf ?e }"""


def _events_of_articles(store: GraphStore, articles: Iterable[str]) -> set[str]:
    from .rdf import article_iri

    values = " ".join(article_iri(a).n3() for a in sorted(articles))
    return {str(r["e"])[len(_EVENT):] for r in store.select(_OF_ARTICLES % values) if str(r["e"]).startswith(_EVENT)}


_BY_KEYS = """SELECT DISTINCT ?r WHERE { VALUES ?k { %s } ?r ckg:linkKey ?k } LIMIT %d"""
_BY_EVENTS = """SELECT DISTINCT ?r WHERE { VALUES ?e { %s } ?r ckg:reportOf ?e } LIMIT %d"""
_DESCRIBE = """
SELECT ?r (SAMPLE(?ev) AS ?event) (SAMPLE(?art) AS ?article) (SAMPLE(?b) AS ?begin) (SAMPLE(?e) AS ?end)
       (SAMPLE(?pl) AS ?place) (SAMPLE(?pub) AS ?published) (GROUP_CONCAT(DISTINCT STR(?t); SEPARATOR=" ") AS ?types)
       (GROUP_CONCAT(DISTINCT STR(?act); SEPARATOR=" ") AS ?actors) (GROUP_CONCAT(DISTINCT ?fig; SEPARATOR=" ") AS ?figures)
WHERE {
  VALUES ?r { %s }
  ?r ckg:reportOf ?ev ; ckg:reportedIn ?art .
  OPTIONAL { ?r ckg:eventType ?t } OPTIONAL { ?r sem:hasEarliestBeginTimeStamp ?b } OPTIONAL { ?r sem:hasLatestEndTimeStamp ?e }
  OPTIONAL { ?r sem:hasPlace ?pl } OPTIONAL { ?r sem:hasActor ?act } OPTIONAL { ?r ckg:quotedFigure ?fig }
  OPTIONAL { ?art schema:datePublished ?pub }
} GROUP BY ?r"""


def _by_keys(store: GraphStore, keys: list[str]) -> list[Report]:
    if not keys:
        return []
    values = " ".join(Literal(k).n3() for k in keys)
    ids = [str(r["r"]) for r in store.select(_BY_KEYS % (values, MAX_CANDIDATES))]
    return describe_reports(store, ids)


def _by_events(store: GraphStore, keys: list[str]) -> list[Report]:
    if not keys:
        return []
    values = " ".join(URIRef(_EVENT + k).n3() for k in keys)
    ids = [str(r["r"]) for r in store.select(_BY_EVENTS % (values, MAX_CANDIDATES))]
    return describe_reports(store, ids)


def describe_reports(store: GraphStore, iris: list[str]) -> list[Report]:
    """The stored reports ``iris`` as linking sees them (one row each)."""
    if not iris:
        return []
    out = []
    for row in store.select(_DESCRIBE % " ".join(URIRef(i).n3() for i in sorted(set(iris)))):
        iri, event, place = str(row["r"]), str(row["event"]), row.get("place")
        begin, end, pub = (str(row[k]) if row.get(k) is not None else None for k in ("begin", "end", "published"))
        b = PartialDate.parse(begin) if begin else None
        e = PartialDate.parse(end) if end and begin else None
        words = lambda name: tuple(sorted(str(row[name]).split())) if row.get(name) is not None else ()  # noqa: E731
        out.append(Report(
            id=iri[len(_REPORT):], article=str(row["article"]).rsplit("/", 1)[-1],
            types=tuple(t.rsplit("#", 1)[-1] for t in words("types")), begin=b, end=e if e != b else None,
            published=dt.date.fromisoformat(pub[:10]) if pub and len(pub) >= 10 else None,
            place=str(place)[len(_PLACE):] if place is not None and str(place).startswith(_PLACE) else None,
            actors=words("actors"), figures=words("figures"),
            event=event[len(_EVENT):] if event.startswith(_EVENT) else None,
        ))
    return sorted(out, key=lambda r: r.id)


_CURATION = """
SELECT ?kind ?a ?b WHERE { GRAPH <%s> {
  ?c ckg:curationKind ?kind ; ckg:curatedReport ?a, ?b .
  VALUES ?a { %s }
  FILTER(STR(?a) < STR(?b))
} }"""


def curation(store: GraphStore, report_ids: Sequence[str]) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """The analysts' merges and splits that concern these reports: (merges, splits) as pairs of report ids."""
    if not report_ids:
        return [], []
    values = " ".join(URIRef(_REPORT + r).n3() for r in sorted(set(report_ids)))
    merges, splits = [], []
    for row in store.select(_CURATION % (EVENT_CURATION_GRAPH, values)):
        pair = (str(row["a"])[len(_REPORT):], str(row["b"])[len(_REPORT):])
        (merges if str(row["kind"]) == "merge" else splits).append(pair)
    return merges, splits


def moved_graphs(store: GraphStore, renames: dict[str, dict[str, str]], dropped: Iterable[str]) -> dict[URIRef, Graph | None]:
    """The new contents of the stored articles whose reports and claims move to renamed events
    (their event IRIs and their events' population IRIs rewritten), and None for the graphs of
    events that are gone: written together, with the derived graphs they imply
    (:meth:`conflictkg.service.GraphService.with_derived`)."""
    out: dict[URIRef, Graph | None] = {}
    for article, moves in sorted(renames.items()):
        name = article_graph(article)
        out[name] = move_events(store.graph(name), moves)
    out.update({event_graph(k): None for k in sorted(dropped)})
    return out


def move_events(graph: Graph, moves: dict[str, str]) -> Graph:
    """``graph`` with every event IRI of ``moves`` (old key -> new key), and the IRIs of those
    events' populations, rewritten."""
    prefixes = [(f"{_EVENT}{old}", f"{_EVENT}{new}") for old, new in moves.items()]
    prefixes += [(f"{_POPULATION}{old}/", f"{_POPULATION}{new}/") for old, new in moves.items()]

    def move(term):  # type: ignore[no-untyped-def]
        if isinstance(term, URIRef):
            text = str(term)
            for old, new in prefixes:
                if text == old or (old.endswith("/") and text.startswith(old)):
                    return URIRef(new + text[len(old):])
        return term

    out = Graph()
    for s, p, o in graph:
        out.add((move(s), p, move(o)))
    return out
