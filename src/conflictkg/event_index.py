"""Events already in the store, so a new article's undated event can join a known one."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from .model import EventRecord, PartialDate
from .namespaces import CKGID
from .store import GraphStore

__all__ = ["stored_events"]

# The events and begin timestamps first (distinct: the union of the graphs repeats an event once
# per article that reports it), then their labels, ends and places as a union rather than a join,
# so an event reported by many articles costs rows in proportion, not to the cube of their number.
_EVENTS = """
SELECT DISTINCT ?event ?begin ?label ?end ?place WHERE {
  { SELECT DISTINCT ?event ?begin WHERE {%s
      GRAPH ?g { ?event a ckg:Event ; sem:hasEarliestBeginTimeStamp ?begin . }
      FILTER(!(?g IN (%s)))
  } }
  { ?event rdfs:label ?label } UNION { ?event sem:hasLatestEndTimeStamp ?end } UNION { ?event sem:hasPlace ?place }
}
"""


def stored_events(store: GraphStore, *, skip_articles: set[str],
                  days: Iterable[dt.date] | None = None) -> list[EventRecord]:
    """Dated events of the store, except those known only from the articles in ``skip_articles``.

    ``days``: only events that began on one of these days, or in the month of one of them (an
    ``xsd:gYearMonth`` begin; callers apply the exact test). The days become a ``VALUES`` list
    of the begin timestamps, which the store looks up in its index: scanning and filtering
    every event of a large store costs a tenth of a second and more, the look-ups milliseconds.
    The shapes allow a begin only as an ``xsd:date`` or an ``xsd:gYearMonth``, so the list
    misses no stored event of those days.
    """
    skip = ", ".join(f"<https://w3id.org/conflictkg/graph/article/{k}>" for k in sorted(skip_articles)) or "<urn:none>"
    values = ""
    if days is not None:
        chosen = sorted(set(days))
        months = sorted({d.isoformat()[:7] for d in chosen})
        literals = [f'"{d.isoformat()}"^^xsd:date' for d in chosen] + [f'"{m}"^^xsd:gYearMonth' for m in months]
        values = f"\n  VALUES ?begin {{ {' '.join(literals)} }}"
    prefix = str(CKGID["event/"])
    begins: dict[str, set[str]] = {}
    labels: dict[str, set[str]] = {}
    ends: dict[str, set[str]] = {}
    places: dict[str, set[str]] = {}
    for row in store.select(_EVENTS % (values, skip)):
        iri = str(row["event"])
        if not iri.startswith(prefix):
            continue
        begins.setdefault(iri, set()).add(str(row["begin"]))
        for values_of, name in ((labels, "label"), (ends, "end"), (places, "place")):
            if row.get(name) is not None:
                values_of.setdefault(iri, set()).add(str(row[name]))
    # One record per event, begin, label and end (as many as the graphs disagree on), like the
    # rows of a join; every record of an event lists all its places.
    out = []
    for iri in sorted(begins):
        for begin_text in sorted(begins[iri]):
            begin = PartialDate.parse(begin_text)
            for label in sorted(labels.get(iri, ())):
                for end_text in sorted(ends.get(iri, ())) or [None]:
                    end = PartialDate.parse(end_text) if end_text is not None else None
                    out.append(EventRecord(key=iri[len(prefix):], label=label, types=(), begin=begin,
                                           end=end if end != begin else None, places=sorted(places.get(iri, ()))))
    return out
