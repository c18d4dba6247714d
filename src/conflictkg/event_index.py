"""Events already in the store, so a new article's undated event can join a known one."""

from __future__ import annotations

import datetime as dt

from .model import EventRecord, PartialDate
from .namespaces import CKGID
from .store import GraphStore

__all__ = ["stored_events"]

_EVENTS = """
SELECT ?event ?label ?begin ?end (GROUP_CONCAT(DISTINCT STR(?place); separator=" ") AS ?places) WHERE {
  GRAPH ?g { ?event a ckg:Event ; sem:hasEarliestBeginTimeStamp ?begin . }
  FILTER(!(?g IN (%s)))%s
  ?event rdfs:label ?label .
  OPTIONAL { ?event sem:hasLatestEndTimeStamp ?end }
  OPTIONAL { ?event sem:hasPlace ?place }
} GROUP BY ?event ?label ?begin ?end ORDER BY ?event
"""


def stored_events(store: GraphStore, *, skip_articles: set[str],
                  window: tuple[dt.date, dt.date] | None = None) -> list[EventRecord]:
    """Dated events of the store, except those known only from the articles in ``skip_articles``.

    ``window`` (first, last): only events whose first day may fall between the two dates; the
    filter compares the lexical forms, so it keeps a superset (a ``YYYY-MM`` begin is kept for
    any day of its month) and callers apply the exact test. Scanning every event of a large
    store costs seconds; the window keeps the work proportional to the events of a few weeks.
    """
    skip = ", ".join(f"<https://w3id.org/conflictkg/graph/article/{k}>" for k in sorted(skip_articles)) or "<urn:none>"
    window_filter = ""
    if window is not None:
        first, last = window
        window_filter = f'\n  FILTER(STR(?begin) >= "{first.isoformat()[:7]}" && STR(?begin) <= "{last.isoformat()}")'
    prefix = str(CKGID["event/"])
    out = []
    for row in store.select(_EVENTS % (skip, window_filter)):
        iri = str(row["event"])
        if not iri.startswith(prefix):
            continue
        begin = PartialDate.parse(str(row["begin"]))
        end = PartialDate.parse(str(row["end"])) if row.get("end") is not None else None
        out.append(EventRecord(key=iri[len(prefix):], label=str(row["label"]), types=(), begin=begin,
                               end=end if end != begin else None, places=str(row["places"] or "").split()))
    return out
