"""Project the RDF graph onto property graphs (networkx ``MultiDiGraph``) for analysis and export.

Two views, both read with a handful of SPARQL SELECTs over the whole store (never one
query per node); the claims come from :func:`conflictkg.claim_records.load_claims`:

- ``actor-event``: actors and events are nodes. Edges are participation (``sem:hasActor``,
  event -> actor), affiliation (``ckg:affiliatedWith``) and backing (``ckg:backs``) between
  actors, and every claim collapsed to one edge from its claimant to each event it is about,
  carrying the claim's figures (flattened), date, stance and source article.
- ``claims``: claims are nodes too (and the articles they come from); each claim links to its
  claimant (``wasAttributedTo``), the events it is ``about``, its ``sourceArticle`` and, when
  given, ``onBehalfOf`` and ``reportedVia``; figures are attributes of the claim node. Articles
  link to their ``publisher``.

IRI-valued properties that do not become edges become attributes: places by label
(``hasPlace``, ``country``), our own resources by node id (``scopedTo``), others by IRI.

Conventions (see docs/model.md and ``../shared/research/gephi-export.md``): node ids are
stable NMTOKEN-safe slugs of the IRI (:func:`node_id`), the full IRI is the ``iri``
attribute, ``rdf:type`` becomes the categorical ``node_type`` (Actor, Event, Claim, Article)
plus the most specific class as ``subtype``; literals become attributes named after the
predicate's local name; each attribute key has one Python type across the graph; no ``None``.
Edge keys are unique edge ids; every edge has ``relation``, ``label``, ``edge_class`` and a
``weight`` > 0.
"""

from __future__ import annotations

import calendar
import math
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping
from typing import Any

import networkx as nx
from rdflib import Literal

from .claim_records import ClaimRecord, load_claims
from .namespaces import CKG, CKGID, PREFIXES, RDF, SPARQL_PROLOGUE, XSD, local_name, short_hash
from .store import GraphStore

__all__ = [
    "VIEWS",
    "NODE_TYPES",
    "node_id",
    "project",
    "harmonise",
    "attribute_types",
    "positive_weight",
    "RESERVED",
    "date_bounds",
]

#: The projections offered, by name.
VIEWS = ("actor-event", "claims")
#: The values of the ``node_type`` attribute.
NODE_TYPES = ("Actor", "Event", "Claim", "Article")

_CKGID = str(CKGID)
_BASE_CLASSES = {str(CKG.Actor): "Actor", str(CKG.Event): "Event", str(CKG.Claim): "Claim", str(CKG.Article): "Article"}
#: Classes too general to be a node's subtype when a more specific one is present.
_GENERAL = {"Actor", "Event", "Claim", "Article", "Organisation"}
#: Predicates whose objects are not projected at all (text spans, an event's reports and the links
#: that joined them are provenance detail).
_DROPPED = {str(CKG.evidence), str(RDF.type), str(CKG.reportedBy), str(CKG.hasLink)}
_LABEL_PREDICATES = (
    "http://www.w3.org/2004/02/skos/core#prefLabel",
    "http://www.w3.org/2000/01/rdf-schema#label",
    "http://schema.org/headline",
)
#: Attribute names the projection itself sets; a predicate with one of these local names is prefixed.
RESERVED = frozenset({"id", "label", "iri", "node_type", "subtype", "start", "end", "date", "weight",
                      "relation", "edge_class", "kind", "key", "source", "target", "claim"})
#: Predicates between view nodes that become edges (subject -> object), by view.
_FACT_EDGES = {
    str(PREFIXES["sem"]["hasActor"]): "participation",
    str(CKG.affiliatedWith): "affiliation",
    str(CKG.backs): "backing",
    str(PREFIXES["schema"]["publisher"]): "publication",  # article -> outlet (claims view)
}
MULTI_SEPARATOR = " | "

_SAFE = re.compile(r"[A-Za-z0-9-]")


def _escape_segment(text: str) -> str:
    out = []
    for ch in text:
        if _SAFE.fullmatch(ch):
            out.append(ch)
        elif ch == "/":
            out.append(".")
        else:
            out.extend(f"_{b:02x}" for b in ch.encode("utf-8", "surrogatepass"))
    return "".join(out)


def node_id(iri: str) -> str:
    """The stable NMTOKEN-safe id of a node: ``ckgid:actor/person/ivo-bran`` -> ``actor.person.ivo-bran``.

    Letters, digits and ``-`` are kept, ``/`` becomes ``.``, anything else ``_`` + hex of its
    UTF-8 bytes, so the mapping is injective. IRIs outside ``ckgid:`` get an ``ext.`` prefix.
    """
    if iri.startswith(_CKGID):
        return _escape_segment(iri[len(_CKGID):]) or "_"
    return "ext." + _escape_segment(iri)


def _attr_name(predicate: str) -> str:
    name = local_name(predicate)
    if name in RESERVED:
        for prefix, ns in PREFIXES.items():
            if predicate.startswith(str(ns)):
                return f"{prefix}_{name}"
        return f"p_{name}"
    return name


def literal_value(term: Literal) -> str | int | float | bool:
    """A literal as a plain Python value: integers, decimals and booleans typed, the rest strings."""
    dt = str(term.datatype) if term.datatype else ""
    if dt in (str(XSD.integer), str(XSD.int), str(XSD.long), str(XSD.nonNegativeInteger)):
        try:
            return int(str(term))
        except ValueError:
            return str(term)
    if dt in (str(XSD.double), str(XSD.float), str(XSD.decimal)):
        try:
            value = float(str(term))
        except ValueError:
            return str(term)
        return value if math.isfinite(value) else str(term)
    if dt == str(XSD.boolean):
        return str(term) in ("true", "1")
    return str(term)


def date_bounds(iso: str) -> tuple[str, str] | None:
    """First and last day of an ``xsd:date`` or ``xsd:gYearMonth`` value, as ``YYYY-MM-DD``."""
    parts = iso.split("-")
    try:
        if len(parts) == 3:
            return iso, iso
        if len(parts) == 2:
            year, month = int(parts[0]), int(parts[1])
            last = calendar.monthrange(year, month)[1]
            return f"{year:04d}-{month:02d}-01", f"{year:04d}-{month:02d}-{last:02d}"
    except ValueError:
        return None
    return None


# --- entity nodes -----------------------------------------------------------------------------

_ENTITY_Q = SPARQL_PROLOGUE + """
SELECT DISTINCT ?s ?cls ?p ?o WHERE {
  VALUES ?cls { %s }
  ?s a ?cls ; ?p ?o .
}"""
_PLACE_LABEL_Q = SPARQL_PROLOGUE + """
SELECT DISTINCT ?s ?label WHERE { ?s a ckg:Place . { ?s skos:prefLabel ?label } UNION { ?s rdfs:label ?label } }"""


def _entities(store: GraphStore, classes: Iterable[str]) -> tuple[dict[str, dict[str, Any]], list[tuple[str, str, str]]]:
    """Entity nodes of the given base classes with their attributes, and IRI-valued triples among them."""
    values = " ".join(f"<{c}>" for c in classes)
    place_labels: dict[str, str] = {}
    for row in store.select(_PLACE_LABEL_Q):
        place_labels.setdefault(str(row["s"]), str(row["label"]))
    types: dict[str, set[str]] = defaultdict(set)
    base: dict[str, str] = {}
    literals: dict[str, dict[str, set[Any]]] = defaultdict(lambda: defaultdict(set))
    labels: dict[str, dict[int, str]] = defaultdict(dict)
    links: list[tuple[str, str, str]] = []
    for row in store.select(_ENTITY_Q % values):
        s, p, o = str(row["s"]), str(row["p"]), row["o"]
        base[s] = _BASE_CLASSES[str(row["cls"])]
        if p == str(RDF.type):
            types[s].add(str(o))
            continue
        if p in _DROPPED:
            continue
        if p in _LABEL_PREDICATES and isinstance(o, Literal):
            rank = _LABEL_PREDICATES.index(p)
            prev = labels[s].get(rank)
            labels[s][rank] = str(o) if prev is None else min(prev, str(o))
            continue
        if isinstance(o, Literal):
            literals[s][_attr_name(p)].add(literal_value(o))
        else:
            links.append((s, p, str(o)))
    nodes: dict[str, dict[str, Any]] = {}
    for s, kind in base.items():
        attrs: dict[str, Any] = {
            "label": labels[s][min(labels[s])] if labels[s] else local_name(s),
            "iri": s,
            "node_type": kind,
            "subtype": _subtype(types[s], kind),
        }
        for name, vals in sorted(literals[s].items()):
            attrs[name] = _one(vals)
        nodes[s] = attrs
    # IRI objects that are not nodes become attributes (places by label, others by IRI)
    linked: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    kept: list[tuple[str, str, str]] = []
    for s, p, o in links:
        if o in nodes and p in _FACT_EDGES:
            kept.append((s, p, o))
        elif o in place_labels:
            linked[s][_attr_name(p)].add(place_labels[o])
        elif o in nodes or o.startswith(_CKGID):
            linked[s][_attr_name(p)].add(node_id(o))
        else:
            linked[s][_attr_name(p)].add(o)
    for s, attrs in linked.items():
        for name, vals in sorted(attrs.items()):
            nodes[s].setdefault(name, MULTI_SEPARATOR.join(sorted(vals)))
    for s, attrs in nodes.items():
        _add_time(attrs)
    return nodes, sorted(set(kept))


def _subtype(types: set[str], kind: str) -> str:
    names = sorted({local_name(t) for t in types if t.startswith(str(CKG))})
    specific = [n for n in names if n not in _GENERAL]
    if specific:
        return MULTI_SEPARATOR.join(specific)
    rest = [n for n in names if n != kind]
    return rest[0] if rest else kind


def _one(values: set[Any]) -> Any:
    if len(values) == 1:
        return next(iter(values))
    return MULTI_SEPARATOR.join(sorted(str(v) for v in values))


def _add_time(attrs: dict[str, Any]) -> None:
    """``date`` (as given) and ``start`` (first day) for events and articles: the timeline's anchor."""
    for key in ("hasEarliestBeginTimeStamp", "hasLatestEndTimeStamp", "datePublished"):
        value = attrs.get(key)
        if isinstance(value, str) and (bounds := date_bounds(value)) is not None:
            attrs["date"] = value
            attrs["start"] = bounds[0]
            return


# --- the projections --------------------------------------------------------------------------

def _fact_edge_id(s: str, p: str, o: str) -> str:
    return f"{local_name(p)}-{short_hash(s, p, o)}"


def _figure_attrs(claim: ClaimRecord) -> dict[str, Any]:
    attrs: dict[str, Any] = {"figure_count": len(claim.figures)}
    if claim.figures:
        first = claim.figures[0]
        attrs["figures"] = "; ".join(f.summary() for f in claim.figures)
        attrs["measure"] = first.measure
        attrs["qualifier"] = first.qualifier
        attrs["surface"] = first.surface
        if first.low is not None:
            attrs["low"] = first.low
        if first.high is not None:
            attrs["high"] = first.high
        if first.group:
            attrs["counted_group"] = first.group
    return attrs


def _claim_attrs(claim: ClaimRecord) -> dict[str, Any]:
    attrs: dict[str, Any] = {"stance": claim.stance, "certainty": claim.certainty,
                             "source_article": node_id(claim.article)}
    if claim.date:
        attrs["date"] = claim.date
        bounds = date_bounds(claim.date)
        if bounds:
            attrs["start"], attrs["end"] = bounds
    if claim.date_basis:
        attrs["date_basis"] = claim.date_basis
    if claim.channel:
        attrs["channel"] = claim.channel
    if claim.hedges:
        attrs["hedge"] = MULTI_SEPARATOR.join(claim.hedges)
    if claim.on_behalf_of:
        attrs["on_behalf_of"] = node_id(claim.on_behalf_of)
    if claim.reported_via:
        attrs["reported_via"] = node_id(claim.reported_via)
    attrs.update(_figure_attrs(claim))
    return attrs


def _edge(g: nx.MultiDiGraph, s: str, o: str, eid: str, relation: str, edge_class: str, **attrs: Any) -> None:
    g.add_edge(node_id(s), node_id(o), key=eid, relation=relation, label=relation, edge_class=edge_class,
               weight=1.0, **attrs)


def project(store: GraphStore, view: str) -> nx.MultiDiGraph:
    """Build projection ``view`` (one of :data:`VIEWS`) from the store."""
    if view not in VIEWS:
        raise ValueError(f"unknown view {view!r}")
    classes = [str(CKG.Actor), str(CKG.Event)] + ([str(CKG.Article)] if view == "claims" else [])
    entities, facts = _entities(store, classes)
    claims = load_claims(store)
    g = nx.MultiDiGraph()
    nodes: dict[str, dict[str, Any]] = dict(entities)
    if view == "claims":
        for c in claims:
            attrs = {"label": _claim_label(c, entities), "iri": c.iri, "node_type": "Claim",
                     "subtype": c.stance, **_claim_attrs(c)}
            nodes[c.iri] = attrs
    for iri in sorted(nodes, key=node_id):
        g.add_node(node_id(iri), **nodes[iri])
    for s, p, o in facts:
        _edge(g, s, o, _fact_edge_id(s, p, o), local_name(p), _FACT_EDGES[p])
    for c in claims:
        cid = node_id(c.iri)
        if view == "actor-event":
            if c.claimant not in nodes:
                continue
            for i, event in enumerate(e for e in c.events if e in nodes):
                eid = cid if i == 0 else f"{cid}-{i + 1}"
                _edge(g, c.claimant, event, eid, "claim", "claim", claim=cid, **_claim_attrs(c))
            continue
        links = [("wasAttributedTo", c.claimant), ("sourceArticle", c.article)]
        links += [("about", e) for e in c.events]
        if c.on_behalf_of:
            links.append(("onBehalfOf", c.on_behalf_of))
        if c.reported_via:
            links.append(("reportedVia", c.reported_via))
        for relation, target in links:
            if target in nodes:
                extra = {k: v for k, v in (("start", nodes[c.iri].get("start")), ("end", nodes[c.iri].get("end"))) if v}
                _edge(g, c.iri, target, f"{relation}-{short_hash(c.iri, relation, target)}", relation, "claim-link",
                      **extra)
    harmonise(g)
    g.graph["unique_edge_ids"] = True  # see conflictkg.exports.UNIQUE_EDGE_IDS: keys are unique slugs
    return g


def _claim_label(c: ClaimRecord, entities: Mapping[str, Mapping[str, Any]]) -> str:
    who = entities.get(c.claimant, {}).get("label", local_name(c.claimant))
    what = f": {c.figures[0].surface}" if c.figures else ""
    when = f" ({c.date})" if c.date else ""
    return f"{who} {c.stance}{what}{when}"


# --- type discipline --------------------------------------------------------------------------

_INT64 = (-(2**63), 2**63 - 1)
_FAST_KINDS: dict[type, str] = {str: "string", bool: "boolean", float: "double"}


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "long" if _INT64[0] <= value <= _INT64[1] else "string"
    if isinstance(value, float):
        return "double"
    return "string"


def attribute_types(g: nx.Graph) -> dict[str, dict[str, str]]:
    """The one type of every attribute key: ``{"node"|"edge": {key: type}}``, keys sorted (no mutation).

    Types are GraphML names: ``boolean``, ``long``, ``double``, ``string``. ``None`` and
    non-finite floats are ignored (they are never written); a key whose values mix types is
    ``double`` when they are all numbers (ints within 64 bits and floats), else ``string``;
    ints beyond 64 bits and values of other Python types make a key ``string``. An edge
    ``weight`` is always ``double`` (values that are not positive numbers are never written:
    :func:`positive_weight`).
    """
    result: dict[str, dict[str, str]] = {}
    edges = (d for *_, d in g.edges(data=True))
    for domain, items in (("node", (d for _, d in g.nodes(data=True))), ("edge", edges)):
        kinds: dict[str, set[str]] = defaultdict(set)
        for data in items:
            for key, value in data.items():
                kind = _FAST_KINDS.get(type(value))  # exact types first: this loop sees every value
                if kind is None:
                    if value is None or (isinstance(value, float) and not math.isfinite(value)):
                        continue
                    kind = _kind(value)
                elif kind == "double" and not math.isfinite(value):
                    continue
                kinds[key].add(kind)
        types: dict[str, str] = {}
        for key, found in kinds.items():
            if len(found) == 1:
                types[key] = next(iter(found))
            elif found <= {"long", "double"}:
                types[key] = "double"
            else:
                types[key] = "string"
            if key == "weight" and domain == "edge":
                types[key] = "double"  # Gephi's edge weight: a positive double, other values are dropped
        result[domain] = dict(sorted(types.items()))
    return result


def positive_weight(value: Any) -> float | None:
    """``value`` as a finite positive float, or None (Gephi needs edge weights > 0)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    try:
        w = float(value)
    except OverflowError:
        return None
    return w if math.isfinite(w) and w > 0 else None


def harmonise(g: nx.Graph) -> dict[str, dict[str, str]]:
    """Make every attribute value match its key's type (:func:`attribute_types`), in place.

    ``None`` and non-finite floats are removed; values in ``string`` columns become strings
    (booleans as ``true``/``false``), numbers in ``double`` columns floats. Returns the types.
    """
    types = attribute_types(g)
    for domain, items in (("node", [d for _, d in g.nodes(data=True)]),
                          ("edge", [d for *_, d in g.edges(data=True)])):
        column = types[domain]
        for data in items:
            for key, value in list(data.items()):
                if value is None or (isinstance(value, float) and not math.isfinite(value)):
                    del data[key]
                    continue
                kind = column[key]
                if domain == "edge" and key == "weight":
                    weight = positive_weight(value)
                    if weight is None:
                        del data[key]
                    else:
                        data[key] = weight
                elif kind == "string" and not isinstance(value, str):
                    data[key] = ("true" if value else "false") if isinstance(value, bool) else str(value)
                elif kind == "double" and not isinstance(value, float):
                    data[key] = float(value)
    return types
