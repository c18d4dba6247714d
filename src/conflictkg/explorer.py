"""The claims explorer of the workbench (``service.explorer``): claims with their sides, filtered and paged.

Each claim is one record with the columns of :class:`conflictkg.claims.ClaimsTable` (its
evidence spans grouped) and what the page needs besides: the source article's key and
headline, labels of the events, the actor it spoke for, and its *side*:

- ``side_chain``: the claimant, then what it is ``ckg:affiliatedWith`` (transitively), then
  the same for the actor the claim was made on behalf of. Zakharova -> Russian Ministry of
  Foreign Affairs -> Government of Russia.
- ``allies``: actors linked by ``ckg:backs`` (either way) to any member of the chain: who
  backs the side, and whom it backs.

The claims come from :func:`conflictkg.claim_records.load_claims` (with their evidence spans
and rules); labels, articles, event labels and the affiliation and backing links are read
besides. All are bulk SELECTs, each linear in the size of the store (no GROUP BY), and the
records are cached until the store changes; filtering and paging run in memory.
"""

from __future__ import annotations

import re
import threading
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .claim_records import load_claims
from .config import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE
from .errors import BadParameter
from .model import MEASURES, STANCES, PartialDate
from .namespaces import CKG, SPARQL_PROLOGUE

if TYPE_CHECKING:  # pragma: no cover
    from .service import GraphService

__all__ = ["ClaimExplorer", "ClaimFilters", "SORT_KEYS", "store_stamp"]

#: How the explorer can order claims.
SORT_KEYS = ("article", "date", "claimant")

# The explorer's own reads (the claims themselves come from conflictkg.claim_records), each
# linear in the store, without GROUP BY: joined in Python.
_ARTICLES = SPARQL_PROLOGUE + """
SELECT DISTINCT ?art ?file ?headline WHERE {
  ?art a ckg:Article ; ckg:fileName ?file .
  OPTIONAL { ?art schema:headline ?headline }
}
"""
_LABELS = SPARQL_PROLOGUE + "SELECT DISTINCT ?s ?label WHERE { ?s skos:prefLabel ?label }"
_LINKS = SPARQL_PROLOGUE + """
SELECT DISTINCT ?a ?p ?b WHERE {
  VALUES ?p { ckg:affiliatedWith ckg:backs }
  ?a ?p ?b .
}
"""
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

    def _load(self) -> list[dict[str, Any]]:
        store = self.service.store
        labels = {str(r["s"]): str(r["label"]) for r in store.select(_LABELS)}
        affiliated: dict[str, list[str]] = {}
        backs: dict[str, set[str]] = {}
        for r in store.select(_LINKS):
            a, p, b = str(r["a"]), str(r["p"]), str(r["b"])
            if p.endswith("affiliatedWith"):
                affiliated.setdefault(a, []).append(b)
            else:
                backs.setdefault(a, set()).add(b)
                backs.setdefault(b, set()).add(a)
        for targets in affiliated.values():
            targets.sort()
        events = {str(r["event"]): str(r["label"]) for r in store.select(_EVENTS)}
        articles = {str(r["art"]): (str(r["file"]), None if r["headline"] is None else str(r["headline"]))
                    for r in store.select(_ARTICLES)}

        def chain(start: str | None) -> list[str]:
            out: list[str] = []
            todo = [start] if start else []
            while todo:
                node = todo.pop(0)
                if node not in out:
                    out.append(node)
                    todo.extend(affiliated.get(node, ()))
            return out

        records: list[dict[str, Any]] = []
        for c in load_claims(store, spans=True, rules=True):
            if not c.spans:  # a claim has 1..n evidence spans
                continue
            file_name, headline = articles.get(c.article, ("", None))
            side = chain(c.claimant)
            side += [a for a in chain(c.on_behalf_of) if a not in side]
            allies = sorted({b for a in side for b in backs.get(a, ()) if b not in side})
            spans = sorted({(s.start, s.end, s.exact) for s in c.spans})
            records.append({
                "claim": c.iri,
                "article_key": c.article.rsplit("/", 1)[-1],
                "article_file": file_name,
                "article_headline": headline,
                "claimant": _ref(c.claimant, labels),
                "on_behalf_of": _ref(c.on_behalf_of, labels) if c.on_behalf_of else None,
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
            sides.update({(a["iri"], a["label"]) for a in r["side_chain"]})
            measures.update({f["measure"] for f in r["figures"]})
            stances[r["stance"]] += 1
            if r["date"]:
                dates.append(r["date"])

        def listed(counter: Counter[tuple[str, str]]) -> list[dict[str, Any]]:
            return [{"iri": iri, "label": label, "count": n}
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
