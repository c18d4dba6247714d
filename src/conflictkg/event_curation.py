"""Analysts' decisions on events: show why reports were joined, merge two events, split one.

A decision is about two reports and lives in ``ckgg:event-curation`` (``ckg:EventCuration``:
kind, the two reports, who, when, a note). Linking always follows it, whatever arrives
later: a merge joins the two reports' groups, a split keeps two reports apart
(:func:`conflictkg.event_linking.cluster`). After a decision the reports concerned, and
everything linked to them, are linked again and written as an ingest writes them (event
graphs, claims and reports moved to renamed events), so the store says what linking the same
articles from scratch, with the same decisions, would say.

- ``merge(a, b)``: the events ``a`` and ``b`` are one: a merge between each report of one and each
  report of the other (splits between them are withdrawn).
- ``split(event, article)``: the article's report is not this event: a split between it and
  each other report of the event (merges that joined them are withdrawn).
"""

from __future__ import annotations

import datetime as dt
import re
from typing import TYPE_CHECKING, Any

from rdflib import Graph, Literal, URIRef

from .errors import BadParameter, NotFound, ValidationFailed
from .event_index import curation, describe_reports, moved_graphs, stored_reports
from .event_linking import Report, canonical, cluster
from .namespaces import CKG, CKGID, EVENT_CURATION_GRAPH, PROV, RDF, XSD, event_graph, short_hash
from .rdf import report_iri, write_event

if TYPE_CHECKING:  # pragma: no cover
    from .service import GraphService

__all__ = ["EventCurator"]

_EVENT = str(CKGID["event/"])
_KEY = re.compile(r"[A-Za-z0-9][A-Za-z0-9-]*")
_REPORTS_OF = """SELECT ?r WHERE { <%s> a ckg:Event . OPTIONAL { ?r ckg:reportOf <%s> } }"""
_EVENT_INFO = """SELECT ?label ?p ?o WHERE { <%s> rdfs:label ?label . OPTIONAL { <%s> ?p ?o FILTER(?p IN (sem:hasEarliestBeginTimeStamp, sem:hasLatestEndTimeStamp, sem:hasPlace)) } }"""
_LINKS = """SELECT ?report ?article ?to ?feature ?score WHERE {
  ?report ckg:reportOf <%s> ; ckg:reportedIn ?article .
  OPTIONAL { <%s> ckg:hasLink ?link . ?link ckg:linkedReport ?report ; ckg:linkedTo ?to ; ckg:linkScore ?score ;
             ckg:linkFeature ?feature } }"""
_DECISIONS_BETWEEN = """SELECT DISTINCT ?c WHERE { GRAPH <%s> { ?c ckg:curationKind "%s" ; ckg:curatedReport ?a, ?b .
  VALUES ?a { %s } VALUES ?b { %s } } }"""


class EventCurator:
    """Show, merge and split events (the CLI's ``conflictkg events`` and the API's ``/graph/events``)."""

    def __init__(self, service: GraphService) -> None:
        self.service = service

    @property
    def _res(self) -> Any:
        return self.service.builder.resources

    def event_iri(self, ident: str) -> str:
        """An event's IRI from its key, its node id (``event.<key>``) or its IRI."""
        ident = ident.strip()
        key = ident[len(_EVENT):] if ident.startswith(_EVENT) else ident.removeprefix("event.").removeprefix("event/")
        if not _KEY.fullmatch(key):
            raise NotFound(f"no event {ident!r}: event keys are letters, digits and '-'", code="E125")
        return _EVENT + key

    def reports(self, ident: str) -> list[str]:
        iri = self.event_iri(ident)
        rows = self.service.store.select(_REPORTS_OF % (iri, iri))
        if not rows:
            raise NotFound(f"no event {ident!r} in the store", code="E125")
        return sorted(str(r["r"]).rsplit("/", 1)[-1] for r in rows if r.get("r") is not None)

    def show(self, ident: str) -> dict[str, Any]:
        """An event: its label, time, place, and each report with the article it comes from and
        why it was linked (the report it was linked through, the features matched, the score)."""
        iri = self.event_iri(ident)
        self.reports(ident)
        info = self.service.store.select(_EVENT_INFO % (iri, iri))
        props = {str(r["p"]).rsplit("/", 1)[-1]: str(r["o"]) for r in info if r.get("p") is not None}
        reports: dict[str, dict[str, Any]] = {}
        for r in self.service.store.select(_LINKS % (iri, iri)):
            rid = str(r["report"]).rsplit("/", 1)[-1]
            entry = reports.setdefault(rid, {"report": rid, "article": str(r["article"]).rsplit("/", 1)[-1],
                                             "linked_to": None, "features": [], "score": None})
            if r.get("to") is not None:
                entry["linked_to"] = str(r["to"]).rsplit("/", 1)[-1]
                entry["score"] = float(str(r["score"]))
                if str(r["feature"]) not in entry["features"]:
                    entry["features"].append(str(r["feature"]))
        for entry in reports.values():
            entry["features"].sort()
        return {"event": iri, "label": str(info[0]["label"]) if info else None,
                "begin": props.get("hasEarliestBeginTimeStamp"), "end": props.get("hasLatestEndTimeStamp"),
                "place": props.get("hasPlace"), "reports": [reports[k] for k in sorted(reports)]}

    def merge(self, first: str, second: str, *, by: str, note: str | None = None) -> dict[str, Any]:
        """Decide that two events are one; returns the event they are now (:meth:`show`)."""
        a, b = self.reports(first), self.reports(second)
        if not a or not b or set(a) == set(b):
            raise BadParameter(f"{first!r} and {second!r} are the same event: nothing to merge", code="E126", status=400)
        self._decide("merge", [(x, y) for x in a for y in b], by=by, note=note, withdraw=(a, b))
        return self.show(self._event_of(a[0]))

    def split(self, ident: str, article: str, *, by: str, note: str | None = None) -> dict[str, Any]:
        """Decide that an article's report is not this event; returns both events (:meth:`show`)."""
        reports = self.reports(ident)
        mine = [r for r in reports if r.rsplit("-", 1)[0] == article]
        if not mine:
            raise BadParameter(f"article {article!r} has no report of event {ident!r} "
                               f"(its reports come from {sorted({r.rsplit('-', 1)[0] for r in reports})})", code="E127",
                               status=400)
        others = [r for r in reports if r not in mine]
        if not others:
            raise BadParameter(f"event {ident!r} has no other report than article {article!r}'s: nothing to split",
                               code="E128", status=400)
        self._decide("split", [(m, o) for m in mine for o in others], by=by, note=note, withdraw=(mine, others))
        return {"split": self.show(self._event_of(mine[0])), "rest": self.show(self._event_of(others[0]))}

    # -- writing --------------------------------------------------------------------------------

    def _decide(self, kind: str, pairs: list[tuple[str, str]], *, by: str, note: str | None,
                withdraw: tuple[list[str], list[str]] | None = None) -> None:
        """Record a decision on pairs of reports through the SHACL gate (withdrawing the earlier
        decisions it contradicts between the ``withdraw`` reports: a split withdraws merges, a
        merge splits), then link the reports concerned again."""
        store = self.service.store
        now = dt.datetime.now(dt.timezone.utc).replace(microsecond=0)
        g = store.graph(EVENT_CURATION_GRAPH)
        if withdraw is not None:
            values = lambda ids: " ".join(report_iri(i).n3() for i in ids)  # noqa: E731
            opposite = "split" if kind == "merge" else "merge"
            query = _DECISIONS_BETWEEN % (EVENT_CURATION_GRAPH, opposite, values(withdraw[0]), values(withdraw[1]))
            for row in store.select(query):
                g.remove((URIRef(str(row["c"])), None, None))
        for x, y in pairs:
            node = CKGID[f"event-curation/{short_hash(kind, x, y, now.isoformat(), length=16)}"]
            g.add((node, RDF.type, CKG.EventCuration))
            g.add((node, CKG.curationKind, Literal(kind)))
            g.add((node, CKG.curatedReport, report_iri(x)))
            g.add((node, CKG.curatedReport, report_iri(y)))
            g.add((node, PROV.wasAttributedTo, Literal(by)))
            g.add((node, PROV.endedAtTime, Literal(now.isoformat().replace("+00:00", "Z"), datatype=XSD.dateTime)))
            if note:
                g.add((node, CKG.curationNote, Literal(note)))
        report = self.service.validator.validate_delta({EVENT_CURATION_GRAPH: g}, store)
        if not report.conforms:
            raise ValidationFailed("the decision breaks the shapes; nothing was written", report=report)
        self.service.commit({EVENT_CURATION_GRAPH: g})
        self._relink(sorted({r for p in pairs for r in p}))

    def _relink(self, report_ids: list[str]) -> None:
        """Link the reports concerned, and everything linked to them, again; write what changed."""
        store, rules, gaz = self.service.store, self._res.rules, self._res.gazetteer
        seeds = describe_reports(store, [str(report_iri(r)) for r in report_ids])
        known = {r.id for r in seeds}
        mates = [r for r in stored_reports(store, seeds, rules, gaz) if r.id not in known]
        everyone: list[Report] = [*seeds, *mates]
        merges, splits = curation(store, [r.id for r in everyone])
        groups = [canonical(g, gaz, rules) for g in cluster(everyone, gaz, rules, merges=merges, splits=splits)]
        renames: dict[str, dict[str, str]] = {}
        graphs: dict[URIRef, Graph | None] = {}
        for g in groups:
            for r in g.reports:
                if r.event and r.event != g.key:
                    renames.setdefault(r.article, {})[r.event] = g.key
            graphs[event_graph(g.key)] = write_event(g)
        dropped = {r.event for r in everyone if r.event} - {g.key for g in groups}
        graphs.update(moved_graphs(store, renames, dropped))
        from .building import _with_derived

        self.service.commit(_with_derived(self.service, graphs))

    def _event_of(self, report: str) -> str:
        rows = self.service.store.select(f"SELECT ?e WHERE {{ {report_iri(report).n3()} ckg:reportOf ?e }}")
        return str(rows[0]["e"])
