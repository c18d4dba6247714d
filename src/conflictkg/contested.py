"""Contested figures: every number claimed about one event, side by side, and which cannot all be true.

A figure has inclusive bounds ``[low, high]``; an absent bound is open (``low`` 0, ``high``
unbounded): "more than 200" is ``[201, open]``, "up to six" ``[open, 6]``.

"Approximately" is read honestly: "about 100" is stored as ``[100, 100]`` but means a number
near 100, so for comparison it is widened by :data:`~conflictkg.config.APPROX_RELATIVE_SLACK`
of its value (at least :data:`~conflictkg.config.APPROX_MIN_SLACK`): "about 100" and "more
than 100" do not conflict, "about 100" and "more than 200" do. Vague figures ("several
dozen") keep the bounds the vague-number rules gave them. Figures of claims that *deny*
(stance ``Denies``) are listed but never paired: a denial does not assert its range.

Which figures conflict is decided once, when claims are written (:mod:`conflictkg.derived`):
only figures that count the same people, or a part and its whole, are compared, and the
pairs are stored as ``ckg:Contradiction`` and ``ckg:Revision`` nodes. This module shows them:
:func:`contested_figures` (the workbench's chart and list, ``/graph/events/{id}/figures``),
:func:`stored_pairs` (``conflictkg contradictions``), :func:`figure_summaries` (low, best and
high per measure and population, ``/graph/events/{id}/summary``).
"""

from __future__ import annotations

import csv
import json
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import IO, Any

from rdflib import URIRef

from .claim_records import ClaimRecord, FigureRecord
from .config import APPROX_MIN_SLACK, APPROX_RELATIVE_SLACK
from .model import MEASURES
from .namespaces import SPARQL_PROLOGUE, local_name
from .projection import node_id
from .rdf import CAMEL
from .store import GraphStore, to_oxigraph

__all__ = ["comparison_range", "FigureClaim", "contested_figures", "statements", "MEASURE_ORDER",
           "stored_pairs", "write_pairs", "figure_summaries", "PAIR_FIELDS", "SIDE_FIELDS"]

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


@dataclass
class FigureClaim:
    """A figure with the claim that states it."""

    figure: FigureRecord
    claim: ClaimRecord

    def order(self, label: Callable[[str], str]) -> tuple[str, str, str, str]:
        return (self.claim.date or "9999", label(self.claim.claimant), self.figure.surface, self.figure.iri)


def _ref(iri: str | None, label: Callable[[str], str]) -> dict[str, str] | None:
    return None if iri is None else {"id": node_id(iri), "label": label(iri)}


def _figure_out(fig: FigureRecord) -> dict[str, Any]:
    return {"id": node_id(fig.iri), "measure": fig.measure, "low": fig.low, "high": fig.high,
            "qualifier": fig.qualifier, "surface": fig.surface, "counted_group": fig.group,
            "population": None if fig.population is None else {
                "id": node_id(fig.population), "label": fig.population_label or local_name(fig.population)}}


def _source(claim: ClaimRecord, article: Callable[[str], dict[str, Any]]) -> dict[str, Any]:
    return {"id": node_id(claim.article), **article(claim.article)}


def _conflict_out(pair: dict[str, Any], figures: dict[str, FigureRecord]) -> dict[str, Any]:
    a, b = pair["a"], pair["b"]
    fa, fb = figures.get(a["figure_iri"]), figures.get(b["figure_iri"])
    return {
        "kind": pair["kind"],
        "first": node_id(a["figure_iri"]),
        "second": node_id(b["figure_iri"]),
        "first_range": list(comparison_range(fa)) if fa else None,
        "second_range": list(comparison_range(fb)) if fb else None,
        "relation": pair["relation"],
        "first_population": {"id": node_id(a["population_iri"]),
                             "label": a["population"] or local_name(a["population_iri"])},
        "second_population": {"id": node_id(b["population_iri"]),
                              "label": b["population"] or local_name(b["population_iri"])},
        "same_group": pair["relation"] == "SamePopulation",
        "same_claimant": pair["kind"] == "revision",
        "reason": pair["reason"],
    }


def _revision_lines(pairs: Sequence[dict[str, Any]], items: Sequence[FigureClaim],
                    label: Callable[[str], str]) -> list[dict[str, Any]]:
    """Each source's revised figures, joined into lines in date order (figures linked by revisions)."""
    order = {fc.figure.iri: i for i, fc in enumerate(items)}
    claim_of = {fc.figure.iri: fc.claim for fc in items}
    lines: list[set[str]] = []
    for p in pairs:
        if p["kind"] != "revision":
            continue
        ends = {p["a"]["figure_iri"], p["b"]["figure_iri"]}
        hits = [line for line in lines if line & ends]
        lines = [line for line in lines if line not in hits] + [ends.union(*hits)]
    out = []
    for line in lines:
        figs = sorted((f for f in line if f in order), key=order.__getitem__)
        if len(figs) < 2:
            continue
        claimants = []
        for f in figs:
            ref = _ref(claim_of[f].claimant, label)
            if ref not in claimants:
                claimants.append(ref)
        out.append({"figures": [node_id(f) for f in figs], "claimants": claimants})
    return sorted(out, key=lambda line: line["figures"])


def contested_figures(event: dict[str, Any], claims: Sequence[ClaimRecord], pairs: Sequence[dict[str, Any]], *,
                      label: Callable[[str], str], article: Callable[[str], dict[str, Any]]) -> dict[str, Any]:
    """Every figure claimed about ``event``, grouped by measure and ordered by claim date, with its real pairs.

    ``claims`` are the claims about the event (:func:`conflictkg.claim_records.load_claims`),
    ``pairs`` its stored contradictions and revisions (:func:`stored_pairs`); ``label`` names a
    node by IRI; ``article`` gives an article's ``headline``, ``published``, ``url``.
    """
    by_measure: dict[str, list[FigureClaim]] = {}
    figures: dict[str, FigureRecord] = {}
    for claim in claims:
        for fig in claim.figures:
            by_measure.setdefault(fig.measure, []).append(FigureClaim(fig, claim))
            figures[fig.iri] = fig
    groups = []
    order = {m: i for i, m in enumerate(MEASURE_ORDER)}
    measures = set(by_measure) | {p["measure"] for p in pairs}
    for measure in sorted(measures, key=lambda m: (order.get(m, len(order)), m)):
        items = sorted(by_measure.get(measure, []), key=lambda fc: fc.order(label))
        listed = []
        for fc in items:
            c = fc.claim
            listed.append({
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
        mine = [p for p in pairs if p["measure"] == measure]
        groups.append({"measure": measure, "figures": listed,
                       "conflicts": [_conflict_out(p, figures) for p in mine],
                       "revision_lines": _revision_lines(mine, items, label)})
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
       ?file ?start ?end ?figure ?surface ?min ?max ?pop ?population WHERE {
  %s
  ?node ckg:conflictEvent ?event ; a ?type ; ckg:conflictMeasure ?measure ; ckg:populationRelation ?relation ;
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


def stored_pairs(store: GraphStore, event: str | None = None) -> list[dict[str, Any]]:
    """Every stored contradiction and revision, as the scorer reads them: ``{"kind", "a": {...}, "b": {...}}``.

    Each side names the claim's article (file name) and its first evidence span, the claimant,
    the claim date, the figure as written with its bounds, and the population it counts (label
    and IRI). Sorted by kind, event, then the sides. ``event`` (an IRI) narrows to one event.
    """
    focus = f"VALUES ?event {{ {to_oxigraph(URIRef(event))} }}" if event else ""
    nodes: dict[str, dict[str, Any]] = {}
    for r in store.select(_PAIRS_Q % focus):
        node = nodes.setdefault(str(r["node"]), {
            "kind": local_name(str(r["type"])).lower(), "event": str(r["event"]),
            "event_label": _str(r.get("eventLabel")), "measure": local_name(str(r["measure"])),
            "relation": local_name(str(r["relation"])), "reason": str(r["reason"]), "a": None, "b": None})
        side = {"article": str(r["file"]), "start": int(str(r["start"])), "end": int(str(r["end"])),
                "claim": str(r["claim"]), "claimant": _str(r.get("claimantLabel")) or str(r["claimant"]),
                "date": _str(r.get("date")), "figure": str(r["surface"]), "low": _num(r.get("min")),
                "high": _num(r.get("max")), "population": _str(r.get("population")),
                "figure_iri": str(r["figure"]), "population_iri": str(r["pop"])}
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


_SUMMARIES_Q = SPARQL_PROLOGUE + """
SELECT ?summary ?measure ?population ?populationLabel ?low ?best ?high ?sources ?bound ?claim WHERE {
  VALUES ?event { %s }
  ?summary ckg:summaryEvent ?event ; ckg:summaryMeasure ?measure ; ckg:summaryPopulation ?population ;
           ckg:sourceCount ?sources .
  OPTIONAL { ?population rdfs:label ?populationLabel }
  OPTIONAL { ?summary ckg:lowEstimate ?low }
  OPTIONAL { ?summary ckg:bestEstimate ?best }
  OPTIONAL { ?summary ckg:highEstimate ?high }
  OPTIONAL { { ?summary ckg:lowFrom ?claim BIND ("low" AS ?bound) } UNION { ?summary ckg:bestFrom ?claim BIND ("best" AS ?bound) }
             UNION { ?summary ckg:highFrom ?claim BIND ("high" AS ?bound) } }
}"""


def figure_summaries(store: GraphStore, event: str, *,
                     claim_ref: Callable[[str], dict[str, Any]]) -> list[dict[str, Any]]:
    """The event's low, best and high estimates per measure and population, with the claims behind each bound.

    ``claim_ref`` describes a claim by its IRI (``{"id", "claimant", "date", ...}``). Ordered by
    measure (:data:`MEASURE_ORDER`), then population label.
    """
    out: dict[str, dict[str, Any]] = {}
    for r in store.select(_SUMMARIES_Q % to_oxigraph(URIRef(event))):
        row = out.setdefault(str(r["summary"]), {
            "measure": local_name(str(r["measure"])),
            "population": {"id": node_id(str(r["population"])), "label": _str(r.get("populationLabel"))},
            "low": _num(r.get("low")), "best": _num(r.get("best")), "high": _num(r.get("high")),
            "sources": int(str(r["sources"])), "low_from": [], "best_from": [], "high_from": []})
        if r.get("claim") is not None:
            ref = claim_ref(str(r["claim"]))
            bucket = row[f"{r['bound']}_from"]
            if ref not in bucket:
                bucket.append(ref)
    order = {m: i for i, m in enumerate(MEASURE_ORDER)}
    rows = sorted(out.values(), key=lambda x: (order.get(x["measure"], len(order)), x["population"]["label"] or "",
                                               x["population"]["id"]))
    for row in rows:
        for k in ("low_from", "best_from", "high_from"):
            row[k].sort(key=lambda ref: ref["id"])
    return rows
