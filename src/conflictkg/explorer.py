"""The claims explorer of the workbench (``service.explorer``): claims with their sides, filtered and paged.

Each claim is one record with the columns of :class:`conflictkg.claims.ClaimsTable` (its
evidence spans grouped) and what the page needs besides: the source article's key and
headline, labels of the events, the actor it spoke for, and its *side*:

- ``side``: the party of the conflict the claimant speaks for (a government, coalition, armed
  force or armed group: :data:`PARTY_TYPES`), reached by following what it is
  ``ckg:affiliatedWith`` up to the topmost party: Zakharova -> Russian Ministry of Foreign
  Affairs -> Government of Russia. Media, monitors, international organisations, and sources
  whose description names them as media, activists, experts or witnesses (the head nouns of
  ``data/rules/no_side_heads.jsonl``) have no side unless the dictionary states an
  affiliation (state media: the state). A dictionary actor's side comes from the dictionary
  alone; an actor described in an article (no side of its own) takes the side of the actor
  the claim was made on behalf of.
- ``side_chain``: the path from the claimant to its side (empty when it has none).
- ``allies``: actors linked by ``ckg:backs`` (either way) to any member of the chain: who
  backs the side, and whom it backs.

Actors are named by their preferred label, except the unnamed outlet of an article whose
publisher is not known ("publisher of the article"), named after its article so that two of
them never read the same.

The claims come from :func:`conflictkg.claim_records.load_claims` (with their evidence spans
and rules); labels, articles, event labels and the affiliation and backing links are read
besides. All are bulk SELECTs, each linear in the size of the store (no GROUP BY), and the
records are cached until the store changes; filtering and paging run in memory.
"""

from __future__ import annotations

import re
import threading
from urllib.parse import urlsplit
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .claim_records import load_claims
from .config import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE
from .errors import BadParameter
from .model import MEASURES, STANCES, PartialDate
from .namespaces import CKG, DICTIONARY_GRAPH, SPARQL_PROLOGUE
from .projection import node_id

if TYPE_CHECKING:  # pragma: no cover
    from .service import GraphService

__all__ = ["ClaimExplorer", "ClaimFilters", "SORT_KEYS", "store_stamp", "PARTY_TYPES", "NO_SIDE_TYPES", "Sides"]

#: How the explorer can order claims.
SORT_KEYS = ("article", "date", "claimant")

# The explorer's own reads (the claims themselves come from conflictkg.claim_records), each
# linear in the store, without GROUP BY: joined in Python.
_ARTICLES = SPARQL_PROLOGUE + """
SELECT DISTINCT ?art ?file ?headline ?url WHERE {
  ?art a ckg:Article ; ckg:fileName ?file .
  OPTIONAL { ?art schema:headline ?headline }
  OPTIONAL { ?art schema:url ?url }
}
"""
_LABELS = SPARQL_PROLOGUE + "SELECT DISTINCT ?s ?label WHERE { ?s skos:prefLabel ?label }"
_LINKS = SPARQL_PROLOGUE + """
SELECT DISTINCT ?a ?p ?b ?g WHERE {
  VALUES ?p { ckg:affiliatedWith ckg:backs }
  GRAPH ?g { ?a ?p ?b }
}
"""
_TYPES = SPARQL_PROLOGUE + "SELECT DISTINCT ?a ?type ?g WHERE { GRAPH ?g { ?a a ckg:Actor , ?type } }"
_SOME_LABELS = SPARQL_PROLOGUE + """
SELECT ?s ?label WHERE {
  VALUES ?s { %s }
  { ?s skos:prefLabel ?label } UNION { ?s rdfs:label ?label } UNION { ?s schema:headline ?label }
}
"""
#: Actor types that are parties of a conflict: a side ends at one of them.
PARTY_TYPES = frozenset({"Government", "Coalition", "ArmedForce", "ArmedGroup"})
#: Actor types that speak for no side unless the dictionary states their affiliation.
NO_SIDE_TYPES = frozenset({"MediaOutlet", "NewsAgency", "Monitor", "InternationalOrganisation"})
_EVENTS = SPARQL_PROLOGUE + "SELECT DISTINCT ?event ?label WHERE { ?event a ckg:Event ; rdfs:label ?label }"
_CKG = str(CKG)
_CAMEL = re.compile(r"(?<=[a-z])(?=[A-Z])")


def _snake(name: str) -> str:
    """``KilledOrWounded`` -> ``killed_or_wounded``; ``certain`` -> ``certain``."""
    return _CAMEL.sub("_", name).lower()


_STANCE_NAMES = {s.replace("_", " "): s for s in STANCES}


def store_stamp(service: GraphService) -> tuple[int, int]:
    """Something that changes whenever the store does (its write generation, and its size)."""
    store = service.store
    return (int(getattr(store, "generation", 0)), store.triple_count())


@dataclass(frozen=True)
class ClaimFilters:
    """What the explorer's filters ask for; every field is optional (None or empty: no filter)."""

    event: str | None = None
    claimant: str | None = None
    side: str | None = None
    allies: bool = False
    measure: str | None = None
    date_from: str | None = None
    date_to: str | None = None
    stance: str | None = None
    article: str | None = None
    text: str | None = None

    def check(self) -> None:
        if self.measure and self.measure not in MEASURES:
            raise BadParameter(f"measure must be one of {', '.join(MEASURES)}; got {self.measure!r}")
        if self.stance and self.stance not in STANCES:
            raise BadParameter(f"stance must be one of {', '.join(STANCES)}; got {self.stance!r}")
        for name in ("date_from", "date_to"):
            value = getattr(self, name)
            if value:
                try:
                    PartialDate.parse(value)
                except ValueError:
                    raise BadParameter(f"{name} must be YYYY-MM-DD or YYYY-MM; got {value!r}") from None


def _label(iri: str, labels: Mapping[str, str]) -> str:
    return labels.get(iri) or iri.rsplit("/", 1)[-1]


def _ref(iri: str, labels: Mapping[str, str]) -> dict[str, str]:
    return {"iri": iri, "label": _label(iri, labels)}


def _interval(value: str | None) -> tuple[str, str] | None:
    """First and last day (ISO) of a date or a year-month."""
    if not value:
        return None
    d = PartialDate.parse(value)
    return d.first_day.isoformat(), d.last_day.isoformat()


class ClaimExplorer:
    """Claims as the workbench lists them."""

    def __init__(self, service: GraphService) -> None:
        self.service = service
        self._lock = threading.Lock()
        self._cache: tuple[tuple[int, int], list[dict[str, Any]]] | None = None
        self._parties: frozenset[str] = frozenset()

    # --- loading ------------------------------------------------------------------------------

    def records(self) -> list[dict[str, Any]]:
        """Every claim, one record each, in the claims table's order (cached until the store changes)."""
        stamp = store_stamp(self.service)
        with self._lock:
            if self._cache is not None and self._cache[0] == stamp:
                return self._cache[1]
            records = self._load()
            self._cache = (stamp, records)
            return records

    def labels(self, iris: Iterable[str]) -> dict[str, str]:
        """Labels of the given IRIs (preferred label, else label, else headline) as the explorer
        names them; IRIs without one are left out."""
        wanted = sorted({i for i in iris if _IRI.match(i)})
        if not wanted:
            return {}
        out: dict[str, str] = {}
        for r in self.service.store.select(_SOME_LABELS % " ".join(f"<{i}>" for i in wanted)):
            out.setdefault(str(r["s"]), str(r["label"]))
        named = {r["claimant"]["iri"]: r["claimant"]["label"] for r in self.records()}
        return {i: named.get(i, label) for i, label in out.items()}

    def _load(self) -> list[dict[str, Any]]:
        store = self.service.store
        labels = {str(r["s"]): str(r["label"]) for r in store.select(_LABELS)}
        sides = Sides(self.service.builder.resources.rules.no_side_heads, labels)
        for r in store.select(_TYPES):
            sides.add_type(str(r["a"]), str(r["type"]), str(r["g"]))
        for r in store.select(_LINKS):
            sides.add_link(str(r["a"]), str(r["p"]), str(r["b"]), str(r["g"]))
        events = {str(r["event"]): str(r["label"]) for r in store.select(_EVENTS)}
        articles = {str(r["art"]): (str(r["file"]), None if r["headline"] is None else str(r["headline"]))
                    for r in store.select(_ARTICLES)}
        _name_outlets(labels, {str(r["art"]).rsplit("/", 1)[-1]: r for r in store.select(_ARTICLES)})
        self._parties = sides.parties

        records: list[dict[str, Any]] = []
        for c in load_claims(store, spans=True, rules=True):
            if not c.spans:  # a claim has 1..n evidence spans
                continue
            file_name, headline = articles.get(c.article, ("", None))
            side = sides.chain(c.claimant, c.on_behalf_of)
            allies = sides.allies(side)
            spans = sorted({(s.start, s.end, s.exact) for s in c.spans})
            records.append({
                "claim": c.iri,
                "article_key": c.article.rsplit("/", 1)[-1],
                "article_file": file_name,
                "article_headline": headline,
                "claimant": _ref(c.claimant, labels),
                "on_behalf_of": _ref(c.on_behalf_of, labels) if c.on_behalf_of else None,
                "side": _ref(side[-1], labels) if side else None,
                "side_chain": [_ref(a, labels) for a in side],
                "allies": [_ref(a, labels) for a in allies],
                "date": c.date,
                # channels and date bases are terms of the closed ckg: vocabularies, named by local name
                "date_basis": None if c.date_basis is None else _label(_CKG + c.date_basis, labels),
                "events": [{"iri": e, "label": events.get(e, e.rsplit("/", 1)[-1])} for e in c.events],
                "stance": _snake(c.stance),
                "certainty": _snake(c.certainty),
                "hedges": c.hedges,
                "channel": None if c.channel is None else _label(_CKG + c.channel, labels),
                "reported_via": None if c.reported_via is None else _label(c.reported_via, labels),
                "figures": [{"measure": _snake(f.measure), "low": f.low, "high": f.high,
                             "qualifier": _snake(f.qualifier), "surface": f.surface, "group": f.group}
                            for f in sorted(c.figures, key=lambda f: f.iri)],
                "spans": [{"start": start, "end": end, "exact": exact} for start, end, exact in spans],
                "rules": c.rules,
            })
        records.sort(key=lambda r: (r["article_file"], r["spans"][0]["start"], r["spans"][0]["end"],
                                    r["claimant"]["label"], r["claim"]))
        return records

    # --- querying -----------------------------------------------------------------------------

    def page(self, filters: ClaimFilters, *, offset: int = 0, limit: int = DEFAULT_PAGE_SIZE,
             sort: str = "article") -> dict[str, Any]:
        """One page of the claims that pass ``filters``, with the total that do."""
        filters.check()
        if not 0 <= offset:
            raise BadParameter(f"offset must be 0 or more; got {offset}")
        if not 1 <= limit <= MAX_PAGE_SIZE:
            raise BadParameter(f"limit must be between 1 and {MAX_PAGE_SIZE}; got {limit}")
        if sort not in SORT_KEYS:
            raise BadParameter(f"sort must be one of {', '.join(SORT_KEYS)}; got {sort!r}")
        rows = [r for r in self.records() if _passes(r, filters)]
        if sort == "date":
            rows.sort(key=lambda r: (r["date"] is None, r["date"] or "", r["claimant"]["label"], r["claim"]))
        elif sort == "claimant":
            rows.sort(key=lambda r: (r["claimant"]["label"].casefold(), r["date"] or "", r["claim"]))
        return {"total": len(rows), "offset": offset, "limit": limit, "sort": sort,
                "rows": rows[offset:offset + limit]}

    def for_article(self, key: str) -> list[dict[str, Any]]:
        """The claims of one article, by position of their first evidence span."""
        rows = [r for r in self.records() if r["article_key"] == key]
        return sorted(rows, key=lambda r: (r["spans"][0]["start"], r["spans"][0]["end"], r["claim"]))

    def facets(self) -> dict[str, Any]:
        """The values the filters offer, each with how many claims have it."""
        records = self.records()
        events: Counter[tuple[str, str]] = Counter()
        claimants: Counter[tuple[str, str]] = Counter()
        sides: Counter[tuple[str, str]] = Counter()
        measures: Counter[str] = Counter()
        stances: Counter[str] = Counter()
        dates: list[str] = []
        for r in records:
            events.update({(e["iri"], e["label"]) for e in r["events"]})
            claimants[(r["claimant"]["iri"], r["claimant"]["label"])] += 1
            sides.update({(a["iri"], a["label"]) for a in r["side_chain"] if a["iri"] in self._parties})
            measures.update({f["measure"] for f in r["figures"]})
            stances[r["stance"]] += 1
            if r["date"]:
                dates.append(r["date"])

        def listed(counter: Counter[tuple[str, str]]) -> list[dict[str, Any]]:
            return [{"iri": iri, "label": label, "count": n, "node": node_id(iri)}
                    for (iri, label), n in sorted(counter.items(), key=lambda x: (x[0][1].casefold(), x[0][0]))]

        return {
            "total": len(records),
            "events": listed(events),
            "claimants": listed(claimants),
            "sides": listed(sides),
            "measures": [{"value": m, "count": measures[m]} for m in MEASURES if measures[m]],
            "stances": [{"value": s, "count": stances[s]} for s in STANCES if stances[s]],
            "date_min": min(dates) if dates else None,
            "date_max": max(dates) if dates else None,
        }


_IRI = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:[^\s<>\"{}|\\^`]*$")
_OUTLET = re.compile(r"/actor/unnamed/([0-9a-f]{16})/publisher-of-the-article$")


def _name_outlets(labels: dict[str, str], articles: Mapping[str, Mapping[str, Any]]) -> None:
    """Name each article's unnamed outlet (its publisher is not a known actor) after the article:
    its web site, else its headline; the words "publisher of the article" stay in the name."""
    for iri in [i for i in labels if _OUTLET.search(i)]:
        row = articles.get(_OUTLET.search(iri).group(1))  # type: ignore[union-attr]
        if row is None:
            continue
        site = urlsplit(str(row["url"])).hostname if row.get("url") is not None else None
        title = str(row["headline"]) if row.get("headline") is not None else str(row["file"])
        labels[iri] = f"{site} (publisher of the article)" if site else f"publisher of the article \u201c{title}\u201d"


class Sides:
    """Which party of the conflict each actor speaks for (see the module's doc)."""

    def __init__(self, no_side_heads: Iterable[Any], labels: Mapping[str, str]) -> None:
        heads = sorted((h.pattern for h in no_side_heads), key=len, reverse=True)
        self._no_side_words = re.compile(r"\b(?:" + "|".join(re.escape(h) for h in heads) + r")\b", re.I) if heads else None
        self._labels = labels
        self._types: dict[str, set[str]] = {}
        self._dictionary: set[str] = set()
        self._affiliated: dict[str, list[str]] = {}
        self._stated: dict[str, list[str]] = {}
        self._backs: dict[str, set[str]] = {}

    def add_type(self, actor: str, type_iri: str, graph: str) -> None:
        self._types.setdefault(actor, set()).add(type_iri.rsplit("#", 1)[-1])
        if graph == str(DICTIONARY_GRAPH):
            self._dictionary.add(actor)

    def add_link(self, a: str, predicate: str, b: str, graph: str) -> None:
        if predicate.endswith("affiliatedWith"):
            self._affiliated.setdefault(a, []).append(b)
            if graph == str(DICTIONARY_GRAPH):
                self._stated.setdefault(a, []).append(b)
        else:
            self._backs.setdefault(a, set()).add(b)
            self._backs.setdefault(b, set()).add(a)

    @property
    def parties(self) -> frozenset[str]:
        return frozenset(a for a, types in self._types.items() if types & PARTY_TYPES)

    def speaks_for_no_side(self, actor: str) -> bool:
        """Media, monitors and the like, and sources described as media, activists, experts or witnesses."""
        if self._types.get(actor, set()) & NO_SIDE_TYPES:
            return True
        if actor in self._dictionary or self._no_side_words is None:
            return False
        return bool(self._no_side_words.search(self._labels.get(actor, "")))

    def _up(self, actor: str) -> list[str]:
        """What counts of ``actor``'s affiliations: the dictionary's alone for dictionary actors and for
        those that speak for no side; all of them for actors described in articles."""
        if actor in self._dictionary or self.speaks_for_no_side(actor):
            return sorted(self._stated.get(actor, ()))
        return sorted(self._affiliated.get(actor, ()))

    def path(self, actor: str | None) -> list[str]:
        """``actor``, then its affiliations up to the topmost party; [] when no party is reached."""
        if not actor:
            return []
        path, best = [actor], [actor] if self._types.get(actor, set()) & PARTY_TYPES else []
        while True:
            nxt = next((a for a in self._up(path[-1]) if a not in path), None)
            if nxt is None:
                return best
            path.append(nxt)
            if self._types.get(nxt, set()) & PARTY_TYPES:
                best = list(path)

    def chain(self, claimant: str, on_behalf_of: str | None) -> list[str]:
        """A claim's side chain: the claimant's path to its side, or, for a claimant described in the
        article with no side of its own, the path of the actor the claim was made on behalf of."""
        own = self.path(claimant)
        if own or claimant in self._dictionary or self.speaks_for_no_side(claimant):
            return own
        behalf = self.path(on_behalf_of)
        return [claimant, *behalf] if behalf else []

    def allies(self, chain: list[str]) -> list[str]:
        return sorted({b for a in chain for b in self._backs.get(a, ()) if b not in chain})


def _passes(r: Mapping[str, Any], f: ClaimFilters) -> bool:
    if f.event and f.event not in {e["iri"] for e in r["events"]}:
        return False
    if f.claimant and r["claimant"]["iri"] != f.claimant:
        return False
    if f.side:
        members: Iterable[Mapping[str, str]] = r["side_chain"] + (r["allies"] if f.allies else [])
        if f.side not in {a["iri"] for a in members}:
            return False
    if f.measure and f.measure not in {fig["measure"] for fig in r["figures"]}:
        return False
    if f.stance and r["stance"] != f.stance:
        return False
    if f.article and r["article_key"] != f.article:
        return False
    if f.date_from or f.date_to:
        span = _interval(r["date"])
        if span is None:
            return False
        low = _interval(f.date_from)
        high = _interval(f.date_to)
        if low is not None and span[1] < low[0]:
            return False
        if high is not None and span[0] > high[1]:
            return False
    if f.text:
        needle = f.text.casefold()
        hay = " ".join([r["claimant"]["label"], *(s["exact"] for s in r["spans"])]).casefold()
        if needle not in hay:
            return False
    return True
