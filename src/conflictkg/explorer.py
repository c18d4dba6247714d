"""The claims explorer of the workbench (``service.explorer``): claims with their sides, filtered and paged.

Each claim is one record with the columns of :class:`conflictkg.claims.ClaimsTable` (its
evidence spans grouped) and what the page needs besides: the source article's key and
headline, labels of the events, the actor it spoke for, and its *side*:

- ``side_chain``: the claimant, then what it is ``ckg:affiliatedWith`` (transitively), then
  the same for the actor the claim was made on behalf of. Zakharova -> Russian Ministry of
  Foreign Affairs -> Government of Russia.
- ``allies``: actors linked by ``ckg:backs`` (either way) to any member of the chain: who
  backs the side, and whom it backs.

Everything is read with a few bulk SELECTs, each linear in the number of claims (no
GROUP BY), and cached until the store changes; filtering and paging run in memory.
"""

from __future__ import annotations

import re
import threading
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .config import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE
from .errors import BadParameter
from .model import MEASURES, STANCES, PartialDate

if TYPE_CHECKING:  # pragma: no cover
    from .service import GraphService

__all__ = ["ClaimExplorer", "ClaimFilters", "SORT_KEYS", "store_stamp"]

#: How the explorer can order claims.
SORT_KEYS = ("article", "date", "claimant")

# Bulk SELECTs without GROUP BY (each linear in the claims): joined in Python.
_CLAIMS = """
SELECT ?claim ?claimant ?art ?stance ?cert ?date ?basis ?channel ?behalf ?via WHERE {
  ?claim a ckg:Claim ; prov:wasAttributedTo ?claimant ; ckg:sourceArticle ?art ; ckg:stance ?stance ;
         ckg:certainty ?cert .
  OPTIONAL { ?claim ckg:claimDate ?date }
  OPTIONAL { ?claim ckg:claimDateBasis ?basis }
  OPTIONAL { ?claim ckg:channel ?channel }
  OPTIONAL { ?claim ckg:onBehalfOf ?behalf }
  OPTIONAL { ?claim ckg:reportedVia ?via }
}
"""
_SPANS = """
SELECT ?claim ?start ?end ?exact WHERE {
  ?claim a ckg:Claim ; ckg:evidence ?span .
  ?span oa:hasSelector ?pos, ?quote .
  ?pos oa:start ?start ; oa:end ?end .
  ?quote oa:exact ?exact .
}
"""
_MULTI = {
    "events": "SELECT DISTINCT ?claim ?v WHERE { ?claim a ckg:Claim ; ckg:about ?v }",
    "hedges": "SELECT DISTINCT ?claim ?v WHERE { ?claim a ckg:Claim ; ckg:hedge ?v }",
    "rules": "SELECT DISTINCT ?claim ?v WHERE { ?claim a ckg:Claim ; ckg:extractionRule ?v }",
}
_FIGURES = """
SELECT DISTINCT ?claim ?fig ?measure ?qualifier ?surface ?low ?high ?group WHERE {
  ?claim a ckg:Claim ; ckg:hasFigure ?fig .
  ?fig ckg:measure ?measure ; ckg:qualifier ?qualifier ; ckg:surfaceForm ?surface .
  OPTIONAL { ?fig schema:minValue ?low }
  OPTIONAL { ?fig schema:maxValue ?high }
  OPTIONAL { ?fig ckg:countedGroup ?group }
}
"""
_ARTICLES = """
SELECT DISTINCT ?art ?file ?headline WHERE {
  ?art a ckg:Article ; ckg:fileName ?file .
  OPTIONAL { ?art schema:headline ?headline }
}
"""
_LABELS = "SELECT DISTINCT ?s ?label WHERE { ?s skos:prefLabel ?label }"
_LINKS = """
SELECT DISTINCT ?a ?p ?b WHERE {
  VALUES ?p { ckg:affiliatedWith ckg:backs }
  ?a ?p ?b .
}
"""
_EVENTS = "SELECT DISTINCT ?event ?label WHERE { ?event a ckg:Event ; rdfs:label ?label }"
_CAMEL = re.compile(r"(?<=[a-z])(?=[A-Z])")


def _local(iri: Any) -> str:
    """``ckg:KilledOrWounded`` -> ``killed_or_wounded``; ``graspf:certain`` -> ``certain``."""
    name = re.split(r"[#/]", str(iri))[-1]
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


def _ref(iri: str, labels: Mapping[str, str]) -> dict[str, str]:
    return {"iri": iri, "label": labels.get(iri) or iri.rsplit("/", 1)[-1]}


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

        def label(iri: str) -> str:
            return labels.get(iri) or iri.rsplit("/", 1)[-1]

        by_claim: dict[str, dict[str, Any]] = {}
        for r in store.select(_CLAIMS):
            claim = str(r["claim"])
            if claim in by_claim:  # a second value of a 0..1 property: keep the first
                continue
            art = str(r["art"])
            file_name, headline = articles.get(art, ("", None))
            claimant = str(r["claimant"])
            behalf = None if r["behalf"] is None else str(r["behalf"])
            side = chain(claimant)
            side += [a for a in chain(behalf) if a not in side]
            allies = sorted({b for a in side for b in backs.get(a, ()) if b not in side})
            by_claim[claim] = {
                "claim": claim,
                "article_key": art.rsplit("/", 1)[-1],
                "article_file": file_name,
                "article_headline": headline,
                "claimant": {"iri": claimant, "label": label(claimant)},
                "on_behalf_of": {"iri": behalf, "label": label(behalf)} if behalf else None,
                "side_chain": [{"iri": a, "label": label(a)} for a in side],
                "allies": [{"iri": a, "label": label(a)} for a in allies],
                "date": None if r["date"] is None else str(r["date"]),
                "date_basis": None if r["basis"] is None else label(str(r["basis"])),
                "events": [],
                "stance": _local(r["stance"]),
                "certainty": _local(r["cert"]),
                "hedges": [],
                "channel": None if r["channel"] is None else label(str(r["channel"])),
                "reported_via": None if r["via"] is None else label(str(r["via"])),
                "figures": [],
                "spans": [],
                "rules": [],
            }
        for key, query in _MULTI.items():
            for r in store.select(query):
                if (record := by_claim.get(str(r["claim"]))) is not None:
                    record[key].append(str(r["v"]))
        figures: dict[str, tuple[str, dict[str, Any]]] = {}
        for r in store.select(_FIGURES):
            figures.setdefault(str(r["fig"]), (str(r["claim"]), {
                "measure": _local(r["measure"]),
                "low": None if r["low"] is None else int(str(r["low"])),
                "high": None if r["high"] is None else int(str(r["high"])),
                "qualifier": _local(r["qualifier"]),
                "surface": str(r["surface"]),
                "group": None if r["group"] is None else str(r["group"]),
            }))
        for fig, (claim, figure) in sorted(figures.items()):
            if (record := by_claim.get(claim)) is not None:
                record["figures"].append(figure)
        for r in store.select(_SPANS):
            if (record := by_claim.get(str(r["claim"]))) is not None:
                record["spans"].append({"start": int(str(r["start"])), "end": int(str(r["end"])),
                                        "exact": str(r["exact"])})
        for record in by_claim.values():
            record["spans"] = sorted({(s["start"], s["end"], s["exact"]) for s in record["spans"]})
            record["spans"] = [{"start": a, "end": b, "exact": e} for a, b, e in record["spans"]]
            record["events"] = [{"iri": e, "label": events.get(e, e.rsplit("/", 1)[-1])} for e in sorted(record["events"])]
            record["hedges"].sort()
            record["rules"].sort()
        records = [r for r in by_claim.values() if r["spans"]]  # a claim has 1..n evidence spans
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
