"""Named analyst queries: ``api/queries/*.rq`` with a header that documents them.

A file starts with a comment block::

    # title: Casualty figures about one event
    # description: Every casualty figure claimed about an event, by claimant and date.
    # param event: iri  The event (ckgid:event/...)
    # param measure: iri?  Optional: only this measure

Each ``param NAME: TYPE`` line declares a variable ``?NAME`` of the query and its type:
``iri``, ``string``, ``integer`` or ``date``; a trailing ``?`` makes it optional. Values
arrive as strings (URL parameters), are checked against their type, and are bound as RDF
terms through pyoxigraph's ``substitutions``: they never enter the query text. Bad or
missing values are one :class:`QueryError` (422, E054) listing every problem. Every named query
is also paged: ``limit`` and ``offset`` (:data:`PAGING_PARAMS`) are no parameter names.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from rdflib import Literal, URIRef
from rdflib.namespace import XSD
from rdflib.term import Node

from ..errors import DataFileError, QueryError
from ..resources import QUERIES_DIR

__all__ = ["NamedQuery", "Param", "load_named_queries", "PARAM_TYPES", "PAGING_PARAMS"]

PARAM_TYPES = ("iri", "string", "integer", "date")
#: URL parameters every named query takes besides its own: its page (``SparqlEngine.run_named``).
PAGING_PARAMS = ("limit", "offset")
_HEADER = re.compile(r"^#\s*(title|description|param)\s*(\w*)\s*:\s*(.*)$")
_ABSOLUTE_IRI = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:[^\s<>\"{}|\\^`]*$")


@dataclass(frozen=True)
class Param:
    name: str
    type: str
    required: bool
    description: str

    def term(self, raw: str) -> Node:
        """The RDF term for a raw value; raises ValueError with a message."""
        if self.type == "iri":
            if not _ABSOLUTE_IRI.match(raw):
                raise ValueError(f"{raw!r} is not an absolute IRI")
            return URIRef(raw)
        if self.type == "integer":
            if not re.fullmatch(r"[+-]?\d+", raw.strip()):
                raise ValueError(f"{raw!r} is not an integer")
            return Literal(int(raw), datatype=XSD.integer)
        if self.type == "date":
            try:
                return Literal(dt.date.fromisoformat(raw), datatype=XSD.date)
            except ValueError:
                raise ValueError(f"{raw!r} is not a date (YYYY-MM-DD)") from None
        return Literal(raw)


@dataclass(frozen=True)
class NamedQuery:
    name: str
    title: str
    description: str
    params: tuple[Param, ...]
    text: str

    def bind(self, values: Mapping[str, str]) -> dict[str, Node]:
        """Check ``values`` against the declared parameters; the bindings as RDF terms."""
        problems: list[str] = []
        declared = {p.name: p for p in self.params}
        for extra in sorted(set(values) - set(declared)):
            problems.append(f"unknown parameter {extra!r} (this query takes: {', '.join(declared) or 'none'})")
        bindings: dict[str, Node] = {}
        for param in self.params:
            raw = values.get(param.name)
            if raw is None or raw == "":
                if param.required:
                    problems.append(f"missing parameter {param.name!r} ({param.type}): {param.description}")
                continue
            try:
                bindings[param.name] = param.term(raw)
            except ValueError as exc:
                problems.append(f"parameter {param.name!r}: {exc}")
        if problems:
            raise QueryError(f"bad parameters for query {self.name!r}: " + "; ".join(problems), code="E054", status=422)
        return bindings

    def to_dict(self) -> dict[str, object]:
        return {
            "name": self.name,
            "title": self.title,
            "description": self.description,
            "params": [{"name": p.name, "type": p.type, "required": p.required, "description": p.description}
                       for p in self.params],
        }


def parse_named_query(path: Path) -> NamedQuery:
    """Read one ``.rq`` file and its header; a malformed header is a :class:`DataFileError`."""
    text = path.read_text(encoding="utf-8")
    title = description = ""
    params: list[Param] = []
    for line in text.splitlines():
        if not line.startswith("#"):
            break
        m = _HEADER.match(line)
        if not m:
            continue
        key, name, value = m.groups()
        if key == "title":
            title = value.strip()
        elif key == "description":
            description = (description + " " + value.strip()).strip()
        else:
            kind, _, doc = value.strip().partition(" ")
            required = not kind.endswith("?")
            kind = kind.rstrip("?")
            if not name or kind not in PARAM_TYPES:
                raise DataFileError(f"{path}: parameter line {line!r} needs 'param NAME: TYPE' with TYPE one of "
                                    f"{', '.join(PARAM_TYPES)}", code="E028")
            if name in PAGING_PARAMS:
                raise DataFileError(f"{path}: {name!r} is a paging parameter of every named query, not a query "
                                    "variable's name", code="E028")
            if not re.search(rf"\?{name}\b", text):
                raise DataFileError(f"{path}: parameter {name!r} is not a variable of the query", code="E028")
            params.append(Param(name, kind, required, doc.strip()))
    if not description:
        raise DataFileError(f"{path}: the header needs a '# description: ...' line", code="E028")
    return NamedQuery(path.stem, title or path.stem, description, tuple(params), text)


def load_named_queries(directory: Path = QUERIES_DIR) -> dict[str, NamedQuery]:
    """Every ``*.rq`` of ``directory`` by name (the file stem), sorted."""
    return {p.stem: parse_named_query(p) for p in sorted(directory.glob("*.rq"))}
