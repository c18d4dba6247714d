"""The claims table: one row per claim, as analysts (and ``score_claims.py``) read it."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable
from typing import IO, Any

from .store import GraphStore

__all__ = ["ClaimsTable", "CLAIM_FIELDS"]

#: Columns of the table, in order. ``figures`` is a list of objects (JSON text in CSV).
CLAIM_FIELDS = (
    "article", "claim", "claimant", "claimant_iri", "affiliation", "date", "date_basis", "event", "events",
    "reported_via", "channel", "stance", "certainty", "hedges", "figures", "start", "end", "evidence", "rules",
)

_CLAIMS = """
SELECT ?claim ?file ?claimant ?claimantLabel ?affLabel ?date ?basis ?viaLabel ?channelLabel ?stanceLabel ?certainty
       ?start ?end ?exact
       (GROUP_CONCAT(DISTINCT STR(?event); separator=" ") AS ?events)
       (GROUP_CONCAT(DISTINCT ?rule; separator=" ") AS ?rules)
       (GROUP_CONCAT(DISTINCT ?hedge; separator="|") AS ?hedges)
WHERE {
  ?claim a ckg:Claim ; prov:wasAttributedTo ?claimant ; ckg:sourceArticle ?art ; ckg:evidence ?span ;
         ckg:stance ?stance ; ckg:certainty ?cert .
  ?stance skos:prefLabel ?stanceLabel .
  BIND(REPLACE(STR(?cert), "^.*#", "") AS ?certainty)
  ?art ckg:fileName ?file .
  ?claimant skos:prefLabel ?claimantLabel .
  ?span oa:hasSelector ?pos, ?quote .
  ?pos a oa:TextPositionSelector ; oa:start ?start ; oa:end ?end .
  ?quote a oa:TextQuoteSelector ; oa:exact ?exact .
  OPTIONAL { ?claim ckg:onBehalfOf/skos:prefLabel ?affLabel }
  OPTIONAL { ?claim ckg:claimDate ?date OPTIONAL { ?claim ckg:claimDateBasis/skos:prefLabel ?basis } }
  OPTIONAL { ?claim ckg:about ?event }
  OPTIONAL { ?claim ckg:reportedVia/skos:prefLabel ?viaLabel }
  OPTIONAL { ?claim ckg:channel/skos:prefLabel ?channelLabel }
  OPTIONAL { ?claim ckg:extractionRule ?rule }
  OPTIONAL { ?claim ckg:hedge ?hedge }
}
GROUP BY ?claim ?file ?claimant ?claimantLabel ?affLabel ?date ?basis ?viaLabel ?channelLabel ?stanceLabel ?certainty
         ?start ?end ?exact
ORDER BY ?file ?start ?end ?claimantLabel ?claim
"""

_FIGURES = """
SELECT ?claim ?fig ?measure ?low ?high ?qualifier ?surface ?group WHERE {
  ?claim a ckg:Claim ; ckg:hasFigure ?fig .
  ?fig ckg:measure ?m ; ckg:qualifier ?q ; ckg:surfaceForm ?surface .
  BIND(REPLACE(STR(?m), "^.*#", "") AS ?measure)
  BIND(REPLACE(STR(?q), "^.*#", "") AS ?qualifier)
  OPTIONAL { ?fig schema:minValue ?low }
  OPTIONAL { ?fig schema:maxValue ?high }
  OPTIONAL { ?fig ckg:countedGroup ?group }
} ORDER BY ?claim ?fig
"""

_SNAKE = {"Killed": "killed", "Wounded": "wounded", "KilledOrWounded": "killed_or_wounded", "Attackers": "attackers",
          "Exact": "exact", "Approximately": "approximately", "AtLeast": "at_least", "MoreThan": "more_than",
          "UpTo": "up_to", "LessThan": "less_than", "Range": "range", "Vague": "vague"}


def _s(term: Any) -> str | None:
    return None if term is None else str(term)


class ClaimsTable:
    def __init__(self, store: GraphStore) -> None:
        self.store = store

    def rows(self) -> list[dict[str, Any]]:
        figures: dict[str, list[dict[str, Any]]] = {}
        for r in self.store.select(_FIGURES):
            figures.setdefault(str(r["claim"]), []).append({
                "measure": _SNAKE[str(r["measure"])],
                "low": int(r["low"]) if r["low"] is not None else None,  # type: ignore[call-overload]
                "high": int(r["high"]) if r["high"] is not None else None,  # type: ignore[call-overload]
                "qualifier": _SNAKE[str(r["qualifier"])],
                "surface": str(r["surface"]),
                "group": _s(r["group"]),
            })
        out = []
        for r in self.store.select(_CLAIMS):
            events = sorted(str(r["events"]).split()) if r["events"] else []
            out.append({
                "article": str(r["file"]),
                "claim": str(r["claim"]),
                "claimant": str(r["claimantLabel"]),
                "claimant_iri": str(r["claimant"]),
                "affiliation": _s(r["affLabel"]),
                "date": _s(r["date"]),
                "date_basis": _s(r["basis"]),
                "event": events[0] if events else None,
                "events": events,
                "reported_via": _s(r["viaLabel"]) or _s(r["channelLabel"]),
                "channel": _s(r["channelLabel"]),
                "stance": str(r["stanceLabel"]),
                "certainty": str(r["certainty"]),
                "hedges": sorted(str(r["hedges"]).split("|")) if r["hedges"] else [],
                "figures": figures.get(str(r["claim"]), []),
                "start": int(r["start"]),  # type: ignore[call-overload]
                "end": int(r["end"]),  # type: ignore[call-overload]
                "evidence": str(r["exact"]),
                "rules": sorted(str(r["rules"]).split()) if r["rules"] else [],
            })
        return out

    def write(self, out: IO[str], *, fmt: str = "jsonl", rows: Iterable[dict[str, Any]] | None = None) -> None:
        rows = self.rows() if rows is None else rows
        if fmt == "jsonl":
            for row in rows:
                out.write(json.dumps(row, ensure_ascii=False) + "\n")
            return
        writer = csv.DictWriter(out, fieldnames=CLAIM_FIELDS, lineterminator="\n")
        writer.writeheader()
        for row in rows:
            flat = dict(row)
            flat["events"] = " ".join(row["events"])
            flat["hedges"] = "|".join(row["hedges"])
            flat["rules"] = " ".join(row["rules"])
            flat["figures"] = json.dumps(row["figures"], ensure_ascii=False)
            writer.writerow(flat)
