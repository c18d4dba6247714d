"""Streaming exports of a property graph: GraphML, GEXF 1.3 (dynamic, for Gephi) and JSON node-link.

The writers are generators of text chunks, so a large graph is written with bounded extra
memory: nothing but the current batch of lines is held (plus the set of edge ids, to keep
them unique). They are written by hand with careful escaping rather than with networkx's
writers, which produce files Gephi mangles (see ``../shared/research/gephi-export.md``):

- ids are XML name tokens, edge ids unique across the file;
- every attribute key has one type (:func:`conflictkg.projection.attribute_types`); ``None``,
  NaN and infinities are never written; ints beyond 64 bits are written as strings;
- characters XML 1.0 cannot carry (most C0 controls, lone surrogates, U+FFFE/U+FFFF) become
  U+FFFD; tabs and line breaks in attribute values are written as character references so
  they survive attribute-value normalisation;
- GraphML: ``label``, ``node_type`` and ``relation`` columns, ``weight`` > 0 (XSD-valid);
- GEXF 1.3: ``mode="dynamic"`` with ``timeformat="date"``, ``start``/``end`` on dated nodes and
  edges so Gephi's timeline plays, edge ``kind`` = the relation (Gephi's edge type), and a
  ``viz:color`` per node type (valid against the 1.3 RELAX NG schema).
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import IO, Any

import networkx as nx

from .projection import attribute_types, node_id, positive_weight

__all__ = [
    "FORMATS",
    "UNIQUE_EDGE_IDS",
    "ExportFormat",
    "NODE_COLOURS",
    "iter_graphml",
    "iter_gexf",
    "iter_json",
    "export_chunks",
    "write_export",
    "xml_text",
    "xml_attr",
]

GRAPHML_NS = "http://graphml.graphdrawing.org/xmlns"
GEXF_NS = "http://gexf.net/1.3"
GEXF_VIZ_NS = "http://gexf.net/1.3/viz"
#: Node colours by ``node_type`` (``viz:color`` in GEXF); other types are grey.
NODE_COLOURS: dict[str, tuple[int, int, int]] = {
    "Actor": (31, 119, 180),
    "Event": (214, 39, 40),
    "Claim": (44, 160, 44),
    "Article": (127, 127, 127),
}
DEFAULT_COLOUR = (170, 170, 170)
#: Lines collected before a chunk is yielded.
CHUNK_LINES = 2000

# --- escaping ---------------------------------------------------------------------------------

_BAD_XML = "".join(chr(c) for c in range(0x20) if c not in (0x9, 0xA, 0xD))
_NEEDS_ESCAPE = re.compile("[&<>\"\r\n\t" + _BAD_XML + "\ud800-\udfff\ufffe\uffff]")
_REPLACEMENT = "\ufffd"
_TEXT_TABLE = {ord("&"): "&amp;", ord("<"): "&lt;", ord(">"): "&gt;", ord("\r"): "&#13;"}
_TEXT_TABLE.update({ord(c): _REPLACEMENT for c in _BAD_XML})
_TEXT_TABLE.update({c: _REPLACEMENT for c in range(0xD800, 0xE000)})
_TEXT_TABLE.update({0xFFFE: _REPLACEMENT, 0xFFFF: _REPLACEMENT})
_CLEAN_TABLE = {k: v for k, v in _TEXT_TABLE.items() if v == _REPLACEMENT}
_ATTR_TABLE = dict(_TEXT_TABLE)
_ATTR_TABLE.update({ord('"'): "&quot;", ord("\n"): "&#10;", ord("\t"): "&#9;"})
_NAME_OK = re.compile(r"[A-Za-z0-9._-]+")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def xml_text(value: str) -> str:
    """``value`` escaped for XML element content (invalid characters become U+FFFD)."""
    return value.translate(_TEXT_TABLE) if _NEEDS_ESCAPE.search(value) else value


def xml_attr(value: str) -> str:
    """``value`` escaped for a double-quoted XML attribute, whitespace kept as character references."""
    return value.translate(_ATTR_TABLE) if _NEEDS_ESCAPE.search(value) else value


def clean_text(value: str) -> str:
    """What an XML reader gets back for ``value``: the characters XML cannot carry replaced by U+FFFD."""
    return value.translate(_CLEAN_TABLE) if _NEEDS_ESCAPE.search(value) else value


# --- shared preparation -----------------------------------------------------------------------

def _token(name: str) -> str:
    return name if _NAME_OK.fullmatch(name) else node_id(name)


def _column_names(keys: Iterable[str]) -> dict[str, str]:
    """Attribute keys -> NMTOKEN-safe column names, distinct."""
    out: dict[str, str] = {}
    used: set[str] = set()
    for key in keys:
        name = key if _NAME_OK.fullmatch(key) else re.sub(r"[^A-Za-z0-9._-]", "_", key) or "_"
        base, n = name, 1
        while name in used:
            n += 1
            name = f"{base}_{n}"
        used.add(name)
        out[key] = name
    return out


def _value_text(value: Any, kind: str) -> str | None:
    """The text of one attribute value in a column of type ``kind``, or None to omit it."""
    if value is None:
        return None
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if kind == "boolean":
        return "true" if value else "false"
    if kind == "long":
        return str(int(value))
    if kind == "double":
        return repr(float(value))
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _date(value: Any) -> str | None:
    if isinstance(value, str) and _DATE.fullmatch(value):
        try:
            dt.date.fromisoformat(value)
        except ValueError:
            return None
        return value
    return None


#: ``g.graph[UNIQUE_EDGE_IDS] = True`` promises that every edge key is a unique NMTOKEN string
#: (the projections do): the writers then need not remember the ids they wrote.
UNIQUE_EDGE_IDS = "unique_edge_ids"


class _EdgeIds:
    """Unique NMTOKEN edge ids: the edge key when it is a usable string, else ``e<n>``.

    Unless the graph promises unique keys (:data:`UNIQUE_EDGE_IDS`), the ids written so far
    are remembered to keep them unique: the one part of a writer's memory that grows with the graph.
    """

    def __init__(self, g: nx.Graph) -> None:
        self.trusted = bool(g.graph.get(UNIQUE_EDGE_IDS))
        self.seen: set[str] = set()
        self.counter = 0

    def __call__(self, key: Any) -> str:
        if self.trusted and isinstance(key, str) and _NAME_OK.fullmatch(key):
            return key
        eid = _token(key) if isinstance(key, str) and key else None
        while eid is None or eid in self.seen:
            self.counter += 1
            eid = f"e{self.counter}"
        self.seen.add(eid)
        return eid


def _edges(g: nx.Graph) -> Iterator[tuple[Any, Any, Any, dict[str, Any]]]:
    if g.is_multigraph():
        yield from g.edges(keys=True, data=True)
    else:
        for u, v, d in g.edges(data=True):
            yield u, v, None, d


def _chunked(lines: Iterable[str]) -> Iterator[str]:
    batch: list[str] = []
    for line in lines:
        batch.append(line)
        if len(batch) >= CHUNK_LINES:
            yield "".join(batch)
            batch.clear()
    if batch:
        yield "".join(batch)


# --- GraphML ----------------------------------------------------------------------------------

def iter_graphml(g: nx.Graph) -> Iterator[str]:
    """GraphML (XSD-valid), as text chunks."""
    return _chunked(_graphml_lines(g))


def _graphml_lines(g: nx.Graph) -> Iterator[str]:
    types = attribute_types(g)
    node_types = {k: t for k, t in types["node"].items()}
    edge_types = {k: t for k, t in types["edge"].items()}
    node_cols = _column_names(node_types)
    edge_cols = _column_names(edge_types)
    yield '<?xml version="1.0" encoding="UTF-8"?>\n'
    yield f'<graphml xmlns="{GRAPHML_NS}">\n'
    node_keys: dict[str, tuple[str, str]] = {}
    edge_keys: dict[str, tuple[str, str]] = {}
    for domain, cols, typ, keys in (("node", node_cols, node_types, node_keys), ("edge", edge_cols, edge_types, edge_keys)):
        for i, (key, name) in enumerate(cols.items()):
            kid = f"{domain[0]}{i}"
            keys[key] = (kid, typ[key])
            yield f'<key id="{kid}" for="{domain}" attr.name="{xml_attr(name)}" attr.type="{typ[key]}"/>\n'
    directed = "directed" if g.is_directed() else "undirected"
    yield f'<graph id="G" edgedefault="{directed}">\n'
    for n, data in g.nodes(data=True):
        parts = [f'<node id="{xml_attr(_token(str(n)))}">']
        for key, value in data.items():
            if key not in node_keys:  # only None / NaN values: nothing to write
                continue
            kid, kind = node_keys[key]
            text = value if kind == "string" and type(value) is str else _value_text(value, kind)
            if text is not None:
                parts.append(f'<data key="{kid}">{xml_text(text)}</data>')
        parts.append("</node>\n")
        yield "".join(parts)
    ids = _EdgeIds(g)
    for u, v, k, data in _edges(g):
        parts = [f'<edge id="{xml_attr(ids(k))}" source="{xml_attr(_token(str(u)))}" target="{xml_attr(_token(str(v)))}">']
        for key, value in data.items():
            if key not in edge_keys:
                continue
            kid, kind = edge_keys[key]
            if kind == "string" and type(value) is str:
                text = value
            else:
                number = positive_weight(value) if key == "weight" else value
                text = _value_text(number, kind) if number is not None else None
            if text is not None:
                parts.append(f'<data key="{kid}">{xml_text(text)}</data>')
        parts.append("</edge>\n")
        yield "".join(parts)
    yield "</graph>\n</graphml>\n"


# --- GEXF 1.3 ---------------------------------------------------------------------------------

#: Keys that GEXF carries as XML attributes of ``<node>``/``<edge>`` rather than as attvalues.
_GEXF_NODE_OWN = {"label", "start", "end"}
_GEXF_EDGE_OWN = {"label", "start", "end", "weight"}
_GEXF_TYPES = {"boolean": "boolean", "long": "long", "double": "double", "string": "string"}


def iter_gexf(g: nx.Graph) -> Iterator[str]:
    """GEXF 1.3, dynamic (dates on nodes and edges), as text chunks."""
    return _chunked(_gexf_lines(g))


def _gexf_lines(g: nx.Graph) -> Iterator[str]:
    types = attribute_types(g)
    node_types = {k: t for k, t in types["node"].items() if k not in _GEXF_NODE_OWN}
    edge_types = {k: t for k, t in types["edge"].items() if k not in _GEXF_EDGE_OWN}
    node_cols = _column_names(node_types)
    edge_cols = _column_names(edge_types)
    yield '<?xml version="1.0" encoding="UTF-8"?>\n'
    yield f'<gexf xmlns="{GEXF_NS}" xmlns:viz="{GEXF_VIZ_NS}" version="1.3">\n'
    yield "<meta><creator>conflictkg</creator></meta>\n"
    directed = "directed" if g.is_directed() else "undirected"
    yield f'<graph defaultedgetype="{directed}" mode="dynamic" timeformat="date">\n'
    for domain, cols, typ in (("node", node_cols, node_types), ("edge", edge_cols, edge_types)):
        yield f'<attributes class="{domain}">\n'
        for key, name in cols.items():
            yield f'<attribute id="{xml_attr(name)}" title="{xml_attr(name)}" type="{_GEXF_TYPES[typ[key]]}"/>\n'
        yield "</attributes>\n"
    yield "<nodes>\n"
    for n, data in g.nodes(data=True):
        head = [f'<node id="{xml_attr(_token(str(n)))}"']
        label = data.get("label")
        head.append(f' label="{xml_attr(str(label) if label is not None else str(n))}"')
        head.extend(_gexf_time(data))
        head.append(">")
        head.extend(_gexf_attvalues(data, node_cols, node_types))
        r, gr, b = NODE_COLOURS.get(str(data.get("node_type")), DEFAULT_COLOUR)
        head.append(f'<viz:color r="{r}" g="{gr}" b="{b}"/></node>\n')
        yield "".join(head)
    yield "</nodes>\n<edges>\n"
    ids = _EdgeIds(g)
    for u, v, k, data in _edges(g):
        parts = [f'<edge id="{xml_attr(ids(k))}" source="{xml_attr(_token(str(u)))}" target="{xml_attr(_token(str(v)))}"']
        relation = data.get("relation")
        if relation is not None:
            parts.append(f' kind="{xml_attr(str(relation))}"')
        label = data.get("label")
        if label is not None:
            parts.append(f' label="{xml_attr(str(label))}"')
        weight = positive_weight(data.get("weight"))
        if weight is not None:
            parts.append(f' weight="{weight!r}"')
        parts.extend(_gexf_time(data))
        values = _gexf_attvalues(data, edge_cols, edge_types)
        parts.append(">" + "".join(values) + "</edge>\n" if values else "/>\n")
        yield "".join(parts)
    yield "</edges>\n</graph>\n</gexf>\n"


def _gexf_time(data: dict[str, Any]) -> list[str]:
    out = []
    start, end = _date(data.get("start")), _date(data.get("end"))
    if start is not None:
        out.append(f' start="{start}"')
    if end is not None and (start is None or end >= start):
        out.append(f' end="{end}"')
    return out


def _gexf_attvalues(data: dict[str, Any], cols: dict[str, str], types: dict[str, str]) -> list[str]:
    values = []
    for key, value in data.items():
        if key not in cols:
            continue
        kind = types[key]
        text = value if kind == "string" and type(value) is str else _value_text(value, kind)
        if text is not None:
            values.append(f'<attvalue for="{xml_attr(cols[key])}" value="{xml_attr(text)}"/>')
    if not values:
        return []
    return ["<attvalues>", *values, "</attvalues>"]


# --- JSON node-link ---------------------------------------------------------------------------

def iter_json(g: nx.Graph) -> Iterator[str]:
    """networkx node-link JSON (``edges="edges"``), streamed; edge ids are the ``key``s."""
    return _chunked(_json_lines(g))


def _json_clean(data: dict[str, Any], types: dict[str, str], *, edge: bool = False) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in data.items():
        kind = types.get(key, "string")
        if edge and key == "weight":
            value = positive_weight(value)
        if value is None or (isinstance(value, float) and not math.isfinite(value)):
            continue
        if kind == "string":
            out[key] = value if isinstance(value, str) else _value_text(value, kind)
        elif kind == "double":
            out[key] = float(value)
        else:
            out[key] = value
    return out


def _json_lines(g: nx.Graph) -> Iterator[str]:
    types = attribute_types(g)
    multi = g.is_multigraph()
    yield '{"directed": %s, "multigraph": %s, "graph": {}, "nodes": [' % (
        json.dumps(g.is_directed()), json.dumps(multi))
    sep = "\n"
    for n, data in g.nodes(data=True):
        yield sep + json.dumps({"id": _token(str(n)), **_json_clean(data, types["node"])}, ensure_ascii=True)
        sep = ",\n"
    yield '\n], "edges": ['
    sep = "\n"
    ids = _EdgeIds(g)
    for u, v, k, data in _edges(g):
        record = {"source": _token(str(u)), "target": _token(str(v))}
        if multi:
            record["key"] = ids(k)
        record.update(_json_clean(data, types["edge"], edge=True))
        yield sep + json.dumps(record, ensure_ascii=True)
        sep = ",\n"
    yield "\n]}\n"


# --- formats ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class ExportFormat:
    name: str
    media_type: str
    suffix: str
    writer: Callable[[nx.Graph], Iterator[str]]


FORMATS: dict[str, ExportFormat] = {
    "graphml": ExportFormat("graphml", "application/graphml+xml", ".graphml", iter_graphml),
    "gexf": ExportFormat("gexf", "application/gexf+xml", ".gexf", iter_gexf),
    "json": ExportFormat("json", "application/json", ".json", iter_json),
}


def export_chunks(g: nx.Graph, fmt: str) -> Iterator[bytes]:
    """The export of ``g`` in format ``fmt`` as UTF-8 byte chunks."""
    for chunk in FORMATS[fmt].writer(g):
        yield chunk.encode("utf-8")


def write_export(g: nx.Graph, fmt: str, out: IO[bytes]) -> int:
    """Write the export to a binary file; return the bytes written."""
    total = 0
    for chunk in export_chunks(g, fmt):
        out.write(chunk)
        total += len(chunk)
    return total
