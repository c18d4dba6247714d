"""Events already in the store, so a new article's undated event can join a known one."""

from __future__ import annotations

from .model import EventRecord, PartialDate
from .namespaces import CKGID
from .store import GraphStore

__all__ = ["stored_events"]

_EVENTS = """
SELECT ?event ?label ?begin ?end (GROUP_CONCAT(DISTINCT STR(?place); separator=" ") AS ?places) WHERE {
  GRAPH ?g { ?event a ckg:Event ; sem:hasEarliestBeginTimeStamp ?begin . }
  ?event rdfs:label ?label .
  OPTIONAL { ?event sem:hasLatestEndTimeStamp ?end }
  OPTIONAL { ?event sem:hasPlace ?place }
  FILTER(!(?g IN (%s)))
} GROUP BY ?event ?label ?begin ?end ORDER BY ?event
"""


def stored_events(store: GraphStore, *, skip_articles: set[str]) -> list[EventRecord]:
    """Dated events of the store, except those known only from the articles in ``skip_articles``."""
    skip = ", ".join(f"<https://w3id.org/conflictkg/graph/article/{k}>" for k in sorted(skip_articles)) or "<urn:none>"
    prefix = str(CKGID["event/"])
    out = []
    for row in store.select(_EVENTS % skip):
        iri = str(row["event"])
        if not iri.startswith(prefix):
            continue
        begin = PartialDate.parse(str(row["begin"]))
        end = PartialDate.parse(str(row["end"])) if row.get("end") is not None else None
        out.append(EventRecord(key=iri[len(prefix):], label=str(row["label"]), types=(), begin=begin,
                               end=end if end != begin else None, places=str(row["places"] or "").split()))
    return out
