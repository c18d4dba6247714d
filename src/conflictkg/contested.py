"""Contested figures: every number claimed about one event, side by side, and which cannot all be true.

A figure has inclusive bounds ``[low, high]``; an absent bound is open (``low`` 0, ``high``
unbounded): "more than 200" is ``[201, open]``, "up to six" ``[open, 6]``. Two figures of
the same measure *conflict* when their ranges cannot both hold, i.e. do not overlap.

"Approximately" is read honestly: "about 100" is stored as ``[100, 100]`` but means a number
near 100, so for comparison it is widened by :data:`~conflictkg.config.APPROX_RELATIVE_SLACK`
of its value (at least :data:`~conflictkg.config.APPROX_MIN_SLACK`): "about 100" and "more
than 100" do not conflict, "about 100" and "more than 200" do. Vague figures ("several
dozen") keep the bounds the vague-number rules gave them. Figures of claims that *deny*
(stance ``Denies``) are listed but never paired: a denial does not assert its range.

A conflict between figures that count different groups ("five Russian citizens" against
"about 100 fighters") is still flagged, with ``same_group`` false so an analyst can see that
the two may both be right.
"""

from __future__ import annotations

import csv
import json
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import combinations
from typing import IO, Any

from .config import APPROX_MIN_SLACK, APPROX_RELATIVE_SLACK
from .model import MEASURES
from .claim_records import ClaimRecord, FigureRecord
from .projection import node_id
from .namespaces import SPARQL_PROLOGUE, local_name
from .rdf import CAMEL
from .store import GraphStore

__all__ = ["comparison_range", "conflicts", "FigureClaim", "contested_figures", "statements", "MEASURE_ORDER",
           "stored_pairs", "write_pairs", "PAIR_FIELDS", "SIDE_FIELDS"]

#: Measures in the order they are listed (ckg: local names).
MEASURE_ORDER = tuple(CAMEL[m] for m in MEASURES)
NON_ASSERTING = {"Denies"}


def comparison_range(fig: FigureRecord, *, relative: float = APPROX_RELATIVE_SLACK,
                     minimum: float = APPROX_MIN_SLACK) -> tuple[int, int | None]:
    """The range ``[low, high]`` (``high`` None = unbounded) a figure is compared with."""
    low = fig.low if fig.low is not None else 0
    high = fig.high
    if fig.qualifier == "Approximately":
        anchor = fig.low if fig.low is not None else fig.high
        if anchor is not None:
            slack = max(minimum, relative * anchor)
            low = max(0, math.floor(low - slack))
            high = math.ceil(high + slack) if high is not None else None
    return low, high


def _overlap(a: tuple[int, int | None], b: tuple[int, int | None]) -> bool:
    return (a[1] is None or b[0] <= a[1]) and (b[1] is None or a[0] <= b[1])


def _show(r: tuple[int, int | None]) -> str:
    return f"[{r[0]}, {'open' if r[1] is None else r[1]}]"


@dataclass
class FigureClaim:
    """A figure with the claim that states it."""

    figure: FigureRecord
    claim: ClaimRecord

    def order(self, label: Callable[[str], str]) -> tuple[str, str, str, str]:
        return (self.claim.date or "9999", label(self.claim.claimant), self.figure.surface, self.figure.iri)


def conflicts(items: Sequence[FigureClaim]) -> list[dict[str, Any]]:
    """Pairs of figures (same measure assumed) whose comparison ranges do not overlap, in list order."""
    out = []
    for a, b in combinations(items, 2):
        if a.claim.stance in NON_ASSERTING or b.claim.stance in NON_ASSERTING:
            continue
        ra, rb = comparison_range(a.figure), comparison_range(b.figure)
        if _overlap(ra, rb):
            continue
        groups = (a.figure.group, b.figure.group)
        same = None if None in groups else groups[0].strip().lower() == groups[1].strip().lower()  # type: ignore[union-attr]
        out.append({
            "first": node_id(a.figure.iri),
            "second": node_id(b.figure.iri),
            "first_range": list(ra),
            "second_range": list(rb),
            "same_group": same,
            "same_claimant": a.claim.claimant == b.claim.claimant,
            "reason": f"{a.figure.surface!r} read as {_show(ra)} and {b.figure.surface!r} read as {_show(rb)} "
                      "do not overlap",
        })
    return out


def _ref(iri: str | None, label: Callable[[str], str]) -> dict[str, str] | None:
    return None if iri is None else {"id": node_id(iri), "label": label(iri)}


def _figure_out(fig: FigureRecord) -> dict[str, Any]:
    return {"id": node_id(fig.iri), "measure": fig.measure, "low": fig.low, "high": fig.high,
            "qualifier": fig.qualifier, "surface": fig.surface, "counted_group": fig.group}


def _source(claim: ClaimRecord, article: Callable[[str], dict[str, Any]]) -> dict[str, Any]:
    return {"id": node_id(claim.article), **article(claim.article)}


def contested_figures(event: dict[str, Any], claims: Sequence[ClaimRecord], *, label: Callable[[str], str],
                      article: Callable[[str], dict[str, Any]]) -> dict[str, Any]:
    """Every figure claimed about ``event``, grouped by measure and ordered by claim date, with conflicts.

    ``claims`` are the claims about the event (:func:`conflictkg.claim_records.load_claims`);
    ``label`` names a node by IRI; ``article`` gives an article's ``headline``, ``published``, ``url``.
    """
    by_measure: dict[str, list[FigureClaim]] = {}
    for claim in claims:
        for fig in claim.figures:
            by_measure.setdefault(fig.measure, []).append(FigureClaim(fig, claim))
    groups = []
    order = {m: i for i, m in enumerate(MEASURE_ORDER)}
    for measure in sorted(by_measure, key=lambda m: (order.get(m, len(order)), m)):
        items = sorted(by_measure[measure], key=lambda fc: fc.order(label))
        figures = []
        for fc in items:
            c = fc.claim
            figures.append({
                **_figure_out(fc.figure),
                "claim": node_id(c.iri),
                "claimant": _ref(c.claimant, label),
                "on_behalf_of": _ref(c.on_behalf_of, label),
                "date": c.date,
                "date_basis": c.date_basis,
                "stance": c.stance,
                "certainty": c.certainty,
                "hedges": list(c.hedges),
                "source": _source(c, article),
            })
        found = conflicts(items)
        groups.append({"measure": measure, "figures": figures, "conflicts": found})
    return {"event": event, "measures": groups,
            "conflict_count": sum(len(g["conflicts"]) for g in groups)}


def statements(actor: dict[str, Any], actor_iri: str, claims: Sequence[ClaimRecord], *,
               label: Callable[[str], str], article: Callable[[str], dict[str, Any]]) -> dict[str, Any]:
    """The claims an actor made, or that were made on its behalf, in date order (undated last)."""
    out = []
    for c in sorted(claims, key=lambda c: (c.date or "9999", c.iri)):
        out.append({
            "claim": node_id(c.iri),
            "role": "claimant" if c.claimant == actor_iri else "on_behalf_of",
            "claimant": _ref(c.claimant, label),
            "date": c.date,
            "date_basis": c.date_basis,
            "stance": c.stance,
            "certainty": c.certainty,
            "hedges": list(c.hedges),
            "channel": c.channel,
            "reported_via": _ref(c.reported_via, label),
            "events": [_ref(e, label) for e in c.events],
            "figures": [_figure_out(f) for f in c.figures],
            "quote": c.quote,
            "source": _source(c, article),
        })
    return {"actor": actor, "statements": out}


# --- the stored contradictions and revisions (conflictkg.derived) ------------------------------

#: Columns of the contradictions table in CSV (``a_*`` and ``b_*`` per side, see :data:`SIDE_FIELDS`).
PAIR_FIELDS = ("kind", "event", "event_label", "measure", "relation", "reason")
SIDE_FIELDS = ("article", "start", "end", "claim", "claimant", "date", "figure", "low", "high", "population")

_PAIRS_Q = SPARQL_PROLOGUE + """
SELECT ?node ?type ?event ?eventLabel ?measure ?relation ?reason ?side ?claim ?claimant ?claimantLabel ?date
       ?file ?start ?end ?surface ?min ?max ?population WHERE {
  ?node a ?type ; ckg:conflictEvent ?event ; ckg:conflictMeasure ?measure ; ckg:populationRelation ?relation ;
        ckg:reason ?reason .
  VALUES ?type { ckg:Contradiction ckg:Revision }
  { ?node ckg:firstClaim ?claim ; ckg:firstFigure ?figure ; ckg:firstPopulation ?pop . BIND ("a" AS ?side) }
  UNION
  { ?node ckg:secondClaim ?claim ; ckg:secondFigure ?figure ; ckg:secondPopulation ?pop . BIND ("b" AS ?side) }
  ?claim prov:wasAttributedTo ?claimant ; ckg:sourceArticle/ckg:fileName ?file ; ckg:evidence/oa:hasSelector ?pos .
  ?pos oa:start ?start ; oa:end ?end .
  ?figure ckg:surfaceForm ?surface .
  OPTIONAL { ?figure schema:minValue ?min }
  OPTIONAL { ?figure schema:maxValue ?max }
  OPTIONAL { ?claim ckg:claimDate ?date }
  OPTIONAL { ?claimant skos:prefLabel ?claimantLabel }
  OPTIONAL { ?event rdfs:label ?eventLabel }
  OPTIONAL { ?pop rdfs:label ?population }
}"""


def stored_pairs(store: GraphStore) -> list[dict[str, Any]]:
    """Every stored contradiction and revision, as the scorer reads them: ``{"kind", "a": {...}, "b": {...}}``.

    Each side names the claim's article (file name) and its first evidence span, the claimant,
    the claim date, the figure as written with its bounds, and the population it counts.
    Sorted by kind, event, then the sides.
    """
    nodes: dict[str, dict[str, Any]] = {}
    for r in store.select(_PAIRS_Q):
        node = nodes.setdefault(str(r["node"]), {
            "kind": local_name(str(r["type"])).lower(), "event": str(r["event"]),
            "event_label": _str(r.get("eventLabel")), "measure": local_name(str(r["measure"])),
            "relation": local_name(str(r["relation"])), "reason": str(r["reason"]), "a": None, "b": None})
        side = {"article": str(r["file"]), "start": int(str(r["start"])), "end": int(str(r["end"])),
                "claim": str(r["claim"]), "claimant": _str(r.get("claimantLabel")) or str(r["claimant"]),
                "date": _str(r.get("date")), "figure": str(r["surface"]), "low": _num(r.get("min")),
                "high": _num(r.get("max")), "population": _str(r.get("population"))}
        key = str(r["side"])
        if node[key] is None or (side["start"], side["end"]) < (node[key]["start"], node[key]["end"]):
            node[key] = side
    rows = [n for n in nodes.values() if n["a"] is not None and n["b"] is not None]

    def order(n: dict[str, Any]) -> tuple[Any, ...]:
        return (n["kind"], n["event"], n["measure"], n["a"]["article"], n["a"]["start"], n["b"]["article"],
                n["b"]["start"], n["a"]["figure"], n["b"]["figure"])

    return sorted(rows, key=order)


def write_pairs(rows: Sequence[dict[str, Any]], out: IO[str], *, fmt: str = "jsonl") -> None:
    """The pairs as JSON lines (one object per pair) or CSV (``a_*``/``b_*`` columns)."""
    if fmt == "jsonl":
        for row in rows:
            out.write(json.dumps(row, ensure_ascii=False) + "\n")
        return
    fields = [*PAIR_FIELDS, *(f"{s}_{f}" for s in "ab" for f in SIDE_FIELDS)]
    writer = csv.DictWriter(out, fieldnames=fields, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        flat = {k: row[k] for k in PAIR_FIELDS}
        for s in "ab":
            flat.update({f"{s}_{f}": row[s][f] for f in SIDE_FIELDS})
        writer.writerow(flat)


def _str(term: object) -> str | None:
    return None if term is None else str(term)


def _num(term: object) -> int | None:
    return None if term is None else int(str(term))
