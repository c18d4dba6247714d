"""Claims read from the store as typed records: the one way conflictkg reads claims.

:func:`load_claims` reads every claim (or the claims about one event, or by or for one
actor) with a few bulk SELECTs through the store's ``select``, never one query per claim,
so it works the same on the embedded store and on a remote SPARQL server. Every query
declares its prefixes. The graph projections and the analyst endpoints
(:mod:`conflictkg.projection`, :mod:`conflictkg.network`) and the workbench's explorer and
claims table (:mod:`conflictkg.explorer`, :mod:`conflictkg.claims`) all start from these
records; each names and labels what it needs on top of them.

Records keep IRIs for the resources a claim links to (claimant, article, events, the actor
it spoke for, the outlet that carried it) and the local names of the closed vocabularies
(stance ``Asserts``, certainty ``certain``, measure ``KilledOrWounded``; see docs/model.md).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal, NamedTuple

from rdflib import URIRef
from rdflib.term import Node

from .namespaces import SPARQL_PROLOGUE, local_name
from .store import GraphStore, to_oxigraph

__all__ = ["ClaimRecord", "FigureRecord", "SpanRecord", "FocusKind", "load_claims"]

#: What a read can be narrowed to: the claims about an event, or by or on behalf of an actor.
FocusKind = Literal["event", "actor"]


@dataclass
class FigureRecord:
    """One figure of a claim (bounds inclusive; ``None`` = open)."""

    iri: str
    measure: str
    qualifier: str
    surface: str
    low: int | None = None
    high: int | None = None
    group: str | None = None
    population: str | None = None
    """IRI of the population the figure counts (None: its group could not be placed)."""
    population_label: str | None = None

    def summary(self) -> str:
        group = f" ({self.group})" if self.group else ""
        return f"{self.measure}: {self.surface}{group}"


class SpanRecord(NamedTuple):
    """One evidence span of a claim: character offsets into the article text and the text between them."""

    iri: str
    start: int
    end: int
    exact: str


@dataclass
class ClaimRecord:
    """A claim with its figures, events and hedges; its evidence spans and rules when asked for."""

    iri: str
    claimant: str
    article: str
    stance: str
    certainty: str
    date: str | None = None
    date_basis: str | None = None
    channel: str | None = None
    on_behalf_of: str | None = None
    reported_via: str | None = None
    events: list[str] = field(default_factory=list)
    hedges: list[str] = field(default_factory=list)
    figures: list[FigureRecord] = field(default_factory=list)
    spans: list[SpanRecord] = field(default_factory=list)
    rules: list[str] = field(default_factory=list)

    @property
    def quote(self) -> str | None:
        """The text of the claim's first evidence span (by span IRI), or None when spans were not read."""
        return min(self.spans, key=lambda s: s.iri).exact if self.spans else None

    def sort_key(self) -> tuple[str, str]:
        return (self.date or "9999", self.iri)


# ``%(where)s`` is the pattern that narrows a read (:func:`_restriction`).
_CLAIMS_Q = SPARQL_PROLOGUE + """
SELECT ?claim ?claimant ?article ?stance ?certainty ?date ?basis ?channel ?behalf ?via WHERE {
  ?claim a ckg:Claim ; prov:wasAttributedTo ?claimant ; ckg:sourceArticle ?article ;
         ckg:stance ?stance ; ckg:certainty ?certainty .
  %(where)s
  OPTIONAL { ?claim ckg:claimDate ?date }
  OPTIONAL { ?claim ckg:claimDateBasis ?basis }
  OPTIONAL { ?claim ckg:channel ?channel }
  OPTIONAL { ?claim ckg:onBehalfOf ?behalf }
  OPTIONAL { ?claim ckg:reportedVia ?via }
}"""
_VALUES_Q = SPARQL_PROLOGUE + """
SELECT DISTINCT ?claim ?value WHERE { ?claim a ckg:Claim ; %(predicate)s ?value . %(where)s }"""
_FIGURES_Q = SPARQL_PROLOGUE + """
SELECT DISTINCT ?claim ?figure ?measure ?qualifier ?surface ?min ?max ?group ?population ?populationLabel WHERE {
  ?claim a ckg:Claim ; ckg:hasFigure ?figure .
  ?figure ckg:measure ?measure ; ckg:qualifier ?qualifier ; ckg:surfaceForm ?surface .
  OPTIONAL { ?figure schema:minValue ?min }
  OPTIONAL { ?figure schema:maxValue ?max }
  OPTIONAL { ?figure ckg:countedGroup ?group }
  OPTIONAL { ?figure ckg:counts ?population . OPTIONAL { ?population rdfs:label ?populationLabel } }
  %(where)s
}"""
_SPANS_Q = SPARQL_PROLOGUE + """
SELECT ?claim ?span ?start ?end ?exact WHERE {
  ?claim a ckg:Claim ; ckg:evidence ?span .
  ?span oa:hasSelector ?position, ?quote .
  ?position oa:start ?start ; oa:end ?end .
  ?quote oa:exact ?exact .
  %(where)s
}"""
#: The multi-valued properties of a claim, by record field (read sorted).
_LISTS = {"events": "ckg:about", "hedges": "ckg:hedge"}
_RULES = {"rules": "ckg:extractionRule"}
_FOCUS: dict[FocusKind | None, str] = {
    None: "",
    "event": "?claim ckg:about ?focus .",
    "actor": "{ ?claim prov:wasAttributedTo ?focus } UNION { ?claim ckg:onBehalfOf ?focus }",
}


def _restriction(focus: str | None, kind: FocusKind | None) -> str:
    """The pattern narrowing a read to the claims about event ``focus`` or by or for actor ``focus``.

    The IRI goes into the text as a ``VALUES`` row, serialised by pyoxigraph (never unescaped),
    rather than as a ``select`` binding: pyoxigraph's substitutions do not narrow these joins
    early, so a read about one event would cost nearly as much as reading every claim.
    """
    if kind is None:
        return ""
    values = f"VALUES ?focus {{ {to_oxigraph(URIRef(focus))} }} " if focus else ""
    return values + _FOCUS[kind]


def _s(term: Node | None) -> str | None:
    return None if term is None else str(term)


def _name(term: Node | None) -> str | None:
    return None if term is None else local_name(str(term))


def _int(term: Node | None) -> int | None:
    return None if term is None else int(str(term))


def load_claims(store: GraphStore, *, focus: str | None = None, focus_kind: FocusKind | None = None,
                spans: bool = False, rules: bool = False) -> list[ClaimRecord]:
    """Every claim, or those about event ``focus`` / by or for actor ``focus``, sorted by date then IRI.

    Figures are sorted by measure, lower bound, surface form and IRI; events and hedges
    alphabetically. ``spans`` also reads each claim's evidence spans (sorted by offsets),
    ``rules`` the ids of the extraction rules that produced it (sorted); each is one more
    query, so only the callers that show them ask. A second value of a 0..1 property is
    ignored (the first row read wins).
    """
    parts = {"where": _restriction(focus, focus_kind)}
    claims: dict[str, ClaimRecord] = {}
    for row in store.select(_CLAIMS_Q % parts):
        iri = str(row["claim"])
        if iri in claims:
            continue
        claims[iri] = ClaimRecord(
            iri=iri, claimant=str(row["claimant"]), article=str(row["article"]),
            stance=local_name(str(row["stance"])), certainty=local_name(str(row["certainty"])),
            date=_s(row.get("date")), date_basis=_name(row.get("basis")), channel=_name(row.get("channel")),
            on_behalf_of=_s(row.get("behalf")), reported_via=_s(row.get("via")),
        )
    lists = {**_LISTS, **(_RULES if rules else {})}
    for name, predicate in lists.items():
        for row in store.select(_VALUES_Q % {**parts, "predicate": predicate}):
            if (c := claims.get(str(row["claim"]))) is not None:
                getattr(c, name).append(str(row["value"]))
    figures: dict[str, tuple[str, FigureRecord]] = {}
    for row in store.select(_FIGURES_Q % parts):
        fig = str(row["figure"])
        if fig not in figures:
            figures[fig] = (str(row["claim"]), FigureRecord(
                iri=fig, measure=local_name(str(row["measure"])), qualifier=local_name(str(row["qualifier"])),
                surface=str(row["surface"]), low=_int(row.get("min")), high=_int(row.get("max")),
                group=_s(row.get("group")), population=_s(row.get("population")),
                population_label=_s(row.get("populationLabel")),
            ))
    for claim, figure in sorted(figures.values(), key=lambda cf: _figure_order(cf[1])):
        if (c := claims.get(claim)) is not None:
            c.figures.append(figure)
    if spans:
        for row in store.select(_SPANS_Q % parts):
            if (c := claims.get(str(row["claim"]))) is not None:
                c.spans.append(SpanRecord(iri=str(row["span"]), start=int(str(row["start"])),
                                          end=int(str(row["end"])), exact=str(row["exact"])))
    for c in claims.values():
        for name in lists:
            getattr(c, name).sort()
        c.spans.sort(key=lambda s: (s.start, s.end, s.exact, s.iri))
    return sorted(claims.values(), key=ClaimRecord.sort_key)


def _figure_order(fig: FigureRecord) -> tuple[str, int, str, str]:
    return (fig.measure, fig.low if fig.low is not None else -1, fig.surface, fig.iri)
