"""The claims table: one row per claim, as analysts (and ``score_claims.py``) read it."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable
from typing import IO, TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    from .explorer import ClaimExplorer

__all__ = ["ClaimsTable", "CLAIM_FIELDS"]

#: Columns of the table, in order. ``figures`` is a list of objects (JSON text in CSV).
CLAIM_FIELDS = (
    "article", "claim", "claimant", "claimant_iri", "affiliation", "date", "date_basis", "event", "events",
    "reported_via", "channel", "stance", "certainty", "hedges", "figures", "start", "end", "evidence", "rules",
)


class ClaimsTable:
    """The claims table, read through the explorer's bulk queries (linear in the claims, cached)."""

    def __init__(self, explorer: ClaimExplorer) -> None:
        self.explorer = explorer

    def rows(self) -> list[dict[str, Any]]:
        out = []
        for r in self.explorer.records():
            span = r["spans"][0]
            events = [e["iri"] for e in r["events"]]
            behalf = r["on_behalf_of"]
            out.append({
                "article": r["article_file"],
                "claim": r["claim"],
                "claimant": r["claimant"]["label"],
                "claimant_iri": r["claimant"]["iri"],
                "affiliation": behalf["label"] if behalf else None,
                "date": r["date"],
                "date_basis": r["date_basis"],
                "event": events[0] if events else None,
                "events": events,
                "reported_via": r["reported_via"] or r["channel"],
                "channel": r["channel"],
                "stance": r["stance"].replace("_", " "),
                "certainty": r["certainty"],
                "hedges": r["hedges"],
                "figures": r["figures"],
                "start": span["start"],
                "end": span["end"],
                "evidence": span["exact"],
                "rules": r["rules"],
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
