"""Result formats and content negotiation for the SPARQL service.

The media types each query form can be answered in are data (:data:`RESULT_FORMATS`,
:data:`GRAPH_FORMATS`); :func:`negotiate` picks one from an ``Accept`` header by RFC 9110
rules (q-values, ``type/*`` and ``*/*``, the most specific range decides), and answers
``None`` when nothing acceptable is offered, which the API turns into a 406, never into a
silent fallback. This module imports only pyoxigraph, so query workers can use it.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import Any

import pyoxigraph as ox

__all__ = [
    "RESULT_FORMATS",
    "BOOLEAN_FORMATS",
    "GRAPH_FORMATS",
    "DEFAULT_RESULT_TYPE",
    "DEFAULT_GRAPH_TYPE",
    "offers_for",
    "negotiate",
    "content_type",
    "parse_accept",
    "term_json",
    "solutions_json",
    "convert_results",
    "serialize_triples",
]

#: SELECT results: media type -> pyoxigraph format. The first is the default.
RESULT_FORMATS: dict[str, ox.QueryResultsFormat] = {
    "application/sparql-results+json": ox.QueryResultsFormat.JSON,
    "application/json": ox.QueryResultsFormat.JSON,
    "application/sparql-results+xml": ox.QueryResultsFormat.XML,
    "application/xml": ox.QueryResultsFormat.XML,
    "text/csv": ox.QueryResultsFormat.CSV,
    "text/tab-separated-values": ox.QueryResultsFormat.TSV,
}
#: ASK results: CSV and TSV are defined for SELECT only.
BOOLEAN_FORMATS: dict[str, ox.QueryResultsFormat] = {
    k: v for k, v in RESULT_FORMATS.items() if v in (ox.QueryResultsFormat.JSON, ox.QueryResultsFormat.XML)
}
#: CONSTRUCT/DESCRIBE results and Graph Store Protocol bodies. The first is the default.
GRAPH_FORMATS: dict[str, ox.RdfFormat] = {
    "text/turtle": ox.RdfFormat.TURTLE,
    "application/n-triples": ox.RdfFormat.N_TRIPLES,
    "application/ld+json": ox.RdfFormat.JSON_LD,
    "application/rdf+xml": ox.RdfFormat.RDF_XML,
}
DEFAULT_RESULT_TYPE = "application/sparql-results+json"
DEFAULT_GRAPH_TYPE = "text/turtle"
_TEXT_TYPES = {"text/csv", "text/tab-separated-values", "text/turtle", "application/n-triples"}


def offers_for(form: str) -> list[str]:
    """The media types a query form can be answered in, server preference first."""
    if form == "ASK":
        return list(BOOLEAN_FORMATS)
    if form == "SELECT":
        return list(RESULT_FORMATS)
    return list(GRAPH_FORMATS)


def parse_accept(header: str | None) -> list[tuple[str, str, float]]:
    """``Accept`` -> [(type, subtype, q)]; malformed ranges are ignored, a missing header is ``*/*``."""
    if header is None or not header.strip():
        return [("*", "*", 1.0)]
    ranges = []
    for part in header.split(","):
        pieces = [p.strip() for p in part.split(";")]
        kind = pieces[0].lower()
        if "/" not in kind:
            continue
        main, sub = kind.split("/", 1)
        q = 1.0
        for param in pieces[1:]:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    q = min(max(float(value.strip()), 0.0), 1.0)
                except ValueError:
                    q = 0.0
        ranges.append((main, sub, q))
    return ranges


def _quality(offer: str, ranges: Sequence[tuple[str, str, float]]) -> float:
    main, sub = offer.split("/", 1)
    best, specificity = 0.0, -1
    for r_main, r_sub, q in ranges:
        if (r_main, r_sub) == (main, sub):
            level = 2
        elif r_main == main and r_sub == "*":
            level = 1
        elif (r_main, r_sub) == ("*", "*"):
            level = 0
        else:
            continue
        if level > specificity:
            best, specificity = q, level
    return best


def negotiate(header: str | None, offers: Iterable[str]) -> str | None:
    """The offer the client prefers most (ties go to the server's order), or None if none is acceptable."""
    ranges = parse_accept(header)
    chosen, chosen_q = None, 0.0
    for offer in offers:
        q = _quality(offer, ranges)
        if q > chosen_q:
            chosen, chosen_q = offer, q
    return chosen


def content_type(media_type: str) -> str:
    """The Content-Type header for a media type we serve (text types say their charset)."""
    return f"{media_type}; charset=utf-8" if media_type in _TEXT_TYPES or media_type.startswith("text/") else media_type


def term_json(term: Any) -> dict[str, Any]:
    """One RDF term in SPARQL 1.1 Query Results JSON."""
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, ox.Literal):
        out: dict[str, Any] = {"type": "literal", "value": term.value}
        if term.language:
            out["xml:lang"] = term.language
        elif term.datatype.value != "http://www.w3.org/2001/XMLSchema#string":
            out["datatype"] = term.datatype.value
        return out
    if isinstance(term, ox.Triple):
        return {"type": "triple", "value": {
            "subject": term_json(term.subject), "predicate": term_json(term.predicate), "object": term_json(term.object)}}
    raise TypeError(f"not an RDF term: {term!r}")


def solutions_json(variables: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    """SELECT results as SPARQL JSON; ``rows`` hold one term or None per variable."""
    bindings = [
        {name: term_json(value) for name, value in zip(variables, row) if value is not None} for row in rows
    ]
    return json.dumps({"head": {"vars": list(variables)}, "results": {"bindings": bindings}},
                      ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def convert_results(data: bytes, media_type: str) -> bytes:
    """Re-serialize SPARQL JSON results in another results format (pyoxigraph's serializers)."""
    target = RESULT_FORMATS[media_type]
    if target == ox.QueryResultsFormat.JSON:
        return data
    parsed = ox.parse_query_results(data, format=ox.QueryResultsFormat.JSON)
    return parsed.serialize(format=target)  # type: ignore[no-any-return]


def serialize_triples(triples: Sequence[ox.Triple], media_type: str, prefixes: dict[str, str] | None = None) -> bytes:
    """CONSTRUCT/DESCRIBE results (or a graph) in an RDF format."""
    fmt = GRAPH_FORMATS[media_type]
    use_prefixes = prefixes if fmt in (ox.RdfFormat.TURTLE, ox.RdfFormat.RDF_XML) else None
    return ox.serialize(triples, format=fmt, prefixes=use_prefixes)  # type: ignore[no-any-return]
