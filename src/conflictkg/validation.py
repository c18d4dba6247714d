"""The SHACL gate: nothing that breaks the shapes in ``shapes/`` enters the graph.

:class:`ShapeValidator` loads the shapes once and validates with pySHACL (the reference
engine; ``inference="none"``, ``advanced=False``: no inference, no cloning of the data):

- :meth:`ShapeValidator.validate_graph`: one rdflib graph (Turtle files, fixtures);
- :meth:`ShapeValidator.validate_delta`: the gate of an ingest. It validates the new named
  graphs together with the little of the store they reference, on the focus nodes the delta
  adds or touches, so the cost of one article does not grow with the size of the store;
- :meth:`ShapeValidator.validate_store`: everything in the store.

Beyond the shapes, two checks that SHACL core cannot state (each result's message starts with its code):

- **typed subjects** (E105): every subject of a data graph (any named graph but the ontology)
  must have, in the store as it would be after the write, an ``rdf:type`` that some *closed*
  shape targets (:attr:`ShapeValidator.closed_classes`). The closed shapes then say exactly which properties
  it may have, so nothing enters a data graph that no shape looks at. The gate checks this
  first and refuses untyped data without running the shapes (linear in the delta);
- **reference graphs** (E103 missing, E104 altered): with ``reference`` given,
  :meth:`ShapeValidator.validate_store` requires the store's ontology and dictionary graphs to
  be exactly the shipped ontology and the curated dictionary (``conflictkg validate`` passes
  them; see :meth:`conflictkg.service.GraphService.reference_graphs`).

Each returns a :class:`ValidationReport`: the flattened ``sh:result`` list with prefixed
names, Violations first, as JSON (:meth:`ValidationReport.to_dict`) or as text for analysts
(:meth:`ValidationReport.to_text`). A report *conforms* when it has no Violation; Warnings
are reported but do not block.

How the delta's context is chosen (see ``docs/model.md`` and ``shapes/``): the focus nodes
are the IRI subjects of the new graphs, the subjects of triples the new graphs remove from
a graph they replace, the objects of triples whose predicate some shape walks backwards
(``sh:inversePath``: the article a new claim points at), and, only when the delta changes
a triple that shapes read through an edge (a node's ``rdf:type``, an article's date), the
nodes that point at it. The data graph is the delta plus, from the store's *other* graphs,
the outgoing triples of those nodes and of the nodes they point at, the incoming triples
over the backwards-walked predicates, and the ``rdf:type`` of the nodes at the edge: every
path in the shapes is at most that deep. The engine then validates only the focus nodes
(``focus_nodes``), so the cost of one article depends on the article and on the degree of
the nodes it touches, not on the size of the store (``benchmarks/validation.py``).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any, ClassVar

import pyoxigraph as ox
from pyshacl import validate as pyshacl_validate
from pyshacl.errors import ReportableRuntimeError
from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.collection import Collection
from rdflib.compare import isomorphic
from rdflib.namespace import SH
from rdflib.plugins.sparql import prepareQuery
from rdflib.term import Node

from .config import DEFAULT_SHACL_ENGINE, SHACL_ENGINES
from .errors import ConfigError, DataFileError
from .namespaces import DICTIONARY_GRAPH, ONTOLOGY_GRAPH, PREFIXES, RDF
from .rdflib_lock import SPARQL_LOCK
from .resources import SHAPES_DIR
from .store import GraphStore, ox_terms, to_ntriples, to_oxigraph, to_rdflib

__all__ = [
    "CKGSH",
    "REFERENCE_NAMES",
    "MAX_REPORT_RESULTS",
    "SEVERITIES",
    "ShapeValidator",
    "ValidationReport",
    "ValidationResult",
    "format_path",
    "format_term",
    "load_shapes",
]

#: Namespace of the shapes (``ckgsh:Claim-claimant``).
CKGSH = Namespace("https://w3id.org/conflictkg/shapes#")
#: Most results a report prints or returns as JSON; the counts always cover all of them.
MAX_REPORT_RESULTS = 200
#: Severities, most severe first (the order of the report).
SEVERITIES = ("Violation", "Warning", "Info")
#: What each reference graph must be a copy of (see :meth:`ShapeValidator.validate_store`).
REFERENCE_NAMES = {
    ONTOLOGY_GRAPH: "the shipped ontology (ontology/conflictkg.ttl)",
    DICTIONARY_GRAPH: "the curated dictionary (data/dictionary/)",
}
#: The ``shape`` named in results of the checks that are not SHACL shapes.
_TYPED_SUBJECT = "ckgsh:TypedSubject"
_REFERENCE_GRAPH = "ckgsh:ReferenceGraph"
#: Most IRIs in one ``VALUES`` block when reading context from the store.
_VALUES_CHUNK = 500

_PREFIXES: dict[str, str] = {k: str(v) for k, v in PREFIXES.items()}
_PREFIXES.update({"sh": str(SH), "ckgsh": str(CKGSH)})
# Longest namespace first, so ckgid: wins over a shorter namespace it starts with.
_BY_LENGTH = sorted(_PREFIXES.items(), key=lambda kv: -len(kv[1]))


def format_term(term: Node | None) -> str | None:
    """An IRI as a prefixed name (``ckgid:claim/...``), a literal as its lexical form."""
    if term is None:
        return None
    if isinstance(term, URIRef):
        text = str(term)
        for prefix, ns in _BY_LENGTH:
            if text.startswith(ns) and len(text) > len(ns):
                return f"{prefix}:{text[len(ns):]}"
        return f"<{text}>"
    if isinstance(term, BNode):
        return f"_:{term}"
    return str(term)


def _shorten_iris(text: str) -> str:
    for prefix, ns in _BY_LENGTH:
        text = text.replace(ns, f"{prefix}:")
    return text


def format_path(graph: Graph, path: Node | None) -> str | None:
    """A SHACL property path as text: ``ckg:hasFigure / schema:minValue``, ``^oa:hasSource``."""
    if path is None:
        return None
    if isinstance(path, URIRef):
        return format_term(path)
    if (path, RDF.first, None) in graph:
        return " / ".join(format_path(graph, p) or "?" for p in Collection(graph, path))
    for predicate, template in (
        (SH.inversePath, "^{}"),
        (SH.zeroOrMorePath, "{}*"),
        (SH.oneOrMorePath, "{}+"),
        (SH.zeroOrOnePath, "{}?"),
    ):
        inner = graph.value(path, predicate)
        if inner is not None:
            text = format_path(graph, inner) or "?"
            return template.format(f"({text})" if " " in text else text)
    alternatives = graph.value(path, SH.alternativePath)
    if alternatives is not None:
        return "(" + " | ".join(format_path(graph, p) or "?" for p in Collection(graph, alternatives)) + ")"
    return format_term(path)


@dataclass(frozen=True)
class ValidationResult:
    """One ``sh:result``, flattened: terms as prefixed names, literals as their lexical form."""

    focus_node: str
    path: str | None
    value: str | None
    message: str
    severity: str
    shape: str | None
    constraint: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "severity": self.severity,
            "focusNode": self.focus_node,
            "path": self.path,
            "value": self.value,
            "shape": self.shape,
            "constraint": self.constraint,
            "message": self.message,
        }

    def sort_key(self) -> tuple[int, str, str, str, str, str, str]:
        rank = SEVERITIES.index(self.severity) if self.severity in SEVERITIES else len(SEVERITIES)
        return (rank, self.focus_node, self.path or "", self.shape or "", self.constraint or "", self.value or "",
                self.message)


@dataclass
class ValidationReport:
    """The outcome of a validation: ``conforms`` is False when there is at least one Violation."""

    conforms: bool
    results: list[ValidationResult] = field(default_factory=list)
    focus_nodes: int | None = None
    """How many focus nodes were checked (None: every target of every shape)."""
    triples: int = 0
    """Size of the data graph that was validated (the delta and its context, or everything)."""

    @property
    def counts(self) -> dict[str, int]:
        counts = {s: 0 for s in SEVERITIES}
        for r in self.results:
            counts[r.severity] = counts.get(r.severity, 0) + 1
        return counts

    @property
    def violations(self) -> list[ValidationResult]:
        return [r for r in self.results if r.severity == "Violation"]

    @property
    def warnings(self) -> list[ValidationResult]:
        return [r for r in self.results if r.severity == "Warning"]

    def summary(self) -> str:
        """One line: ``"does not conform: 2 violations, 1 warning"``."""
        c = self.counts
        parts = [f"{c['Violation']} violation{'s' * (c['Violation'] != 1)}",
                 f"{c['Warning']} warning{'s' * (c['Warning'] != 1)}"]
        if c["Info"]:
            parts.append(f"{c['Info']} info")
        return ("conforms" if self.conforms else "does not conform") + ": " + ", ".join(parts)

    def to_dict(self, limit: int = MAX_REPORT_RESULTS) -> dict[str, Any]:
        """JSON for API clients: conforms, counts, the first ``limit`` results, and whether it was cut."""
        return {
            "conforms": self.conforms,
            "counts": self.counts,
            "truncated": len(self.results) > limit,
            "results": [r.to_dict() for r in self.results[:limit]],
        }

    def to_text(self, limit: int = MAX_REPORT_RESULTS) -> str:
        """A readable report for analysts: one block per result, Violations first."""
        lines = [f"SHACL validation {self.summary()}"]
        for r in self.results[:limit]:
            lines.append("")
            lines.append(f"{r.severity}: {r.message}")
            lines.append(f"  node:  {r.focus_node}")
            if r.path:
                lines.append(f"  path:  {r.path}")
            if r.value is not None and r.value != r.focus_node:
                lines.append(f"  value: {r.value}")
            lines.append(f"  rule:  {r.shape or '(anonymous shape)'} ({r.constraint})")
        if len(self.results) > limit:
            lines.append("")
            lines.append(f"... and {len(self.results) - limit} more results not shown")
        return "\n".join(lines) + "\n"


class _QueryCachingGraph(Graph):
    """An rdflib graph that parses each SPARQL text once.

    pySHACL runs a SHACL-SPARQL constraint once per focus node and rdflib parses the query
    text every time (~30 ms); the prepared query is reused instead.
    """

    _prepared: ClassVar[dict[str, Any]] = {}

    def query(self, query_object: Any, *args: Any, **kwargs: Any) -> Any:  # type: ignore[override]
        if isinstance(query_object, str):
            prepared = self._prepared.get(query_object)
            if prepared is None:
                prepared = self._prepared[query_object] = prepareQuery(query_object)
            query_object = prepared
        return super().query(query_object, *args, **kwargs)


def load_shapes(shapes_dir: Path = SHAPES_DIR) -> Graph:
    """All ``*.ttl`` files of ``shapes_dir`` as one graph."""
    files = sorted(shapes_dir.glob("*.ttl"))
    if not files:
        raise ConfigError(f"no SHACL shapes (*.ttl) in {shapes_dir}", code="E014")
    graph = Graph()
    for prefix, ns in _PREFIXES.items():
        graph.bind(prefix, ns, override=True, replace=True)
    for path in files:
        try:
            graph.parse(path, format="turtle")
        except Exception as exc:  # rdflib raises several types for bad syntax
            raise ConfigError(f"{path}: not valid Turtle: {exc}", code="E014") from exc
    return graph


class ShapeValidator:
    """Validates graphs against the shapes of ``shapes_dir`` (loaded and parsed once)."""

    def __init__(self, shapes_dir: Path = SHAPES_DIR, *, shapes: Graph | None = None,
                 engine: str = DEFAULT_SHACL_ENGINE) -> None:
        if engine not in SHACL_ENGINES:
            raise ConfigError(f"SHACL engine must be one of {', '.join(SHACL_ENGINES)}, not {engine!r}", code="E011")
        self.shapes_dir = shapes_dir
        self._shapes = shapes
        self.engine = engine

    @cached_property
    def _turbo(self) -> Any:
        """The shapes compiled once by pyshacl-turbo (Rust), reused for every validation."""
        import pyshacl_turbo

        plain = Graph()
        for triple in self.shapes:
            plain.add(triple)
        return pyshacl_turbo.compile_shapes(plain.serialize(format="turtle"), shacl_graph_format="turtle")

    @property
    def shapes(self) -> Graph:
        """The shapes graph (all files of ``shapes/``)."""
        if self._shapes is None:
            self._shapes = load_shapes(self.shapes_dir)
        return self._shapes

    @cached_property
    def _closed_nodes(self) -> frozenset[ox.NamedNode]:
        return frozenset(ox.NamedNode(str(c)) for c in self.closed_classes)

    @cached_property
    def closed_classes(self) -> frozenset[URIRef]:
        """Classes some closed node shape targets: a subject of a data graph needs one of them as its type."""
        closed = [shape for shape, value in self.shapes.subject_objects(SH.closed)
                  if isinstance(value, Literal) and value.value is True]
        return frozenset(c for shape in closed for c in self.shapes.objects(shape, SH.targetClass)
                         if isinstance(c, URIRef))

    def untyped(self, graphs: Mapping[URIRef, Graph | Sequence[ox.Triple]], *,
                typed: Callable[[set[ox.NamedNode]], set[ox.NamedNode]] | None = None) -> list[ValidationResult]:
        """Subjects of data graphs that have no type a closed shape covers, in any of ``graphs`` nor,
        through ``typed`` (given the IRIs typed nowhere in ``graphs``, it answers those the rest of the
        store types), elsewhere. The ontology graph is not data (see :meth:`validate_store`'s
        ``reference``). At most :data:`MAX_REPORT_RESULTS` results, the last one then counting the rest."""
        closed = self._closed_nodes
        subjects: list[tuple[URIRef, set[Any]]] = []
        covered: set[Any] = set()
        for name, content in graphs.items():
            if name == ONTOLOGY_GRAPH:
                continue
            mine: set[Any] = set()
            for s, p, o in ox_terms(content):
                mine.add(s)
                if p == _OX_TYPE and o in closed:
                    covered.add(s)
            subjects.append((name, mine))
        missing = set().union(*(mine for _name, mine in subjects)) - covered
        if missing and typed is not None:
            missing -= typed({s for s in missing if isinstance(s, ox.NamedNode)})
        bad = sorted(((str(name), to_rdflib(s)) for name, mine in subjects for s in mine & missing),
                     key=lambda b: (b[0], str(b[1])))
        names = ", ".join(sorted(format_term(c) or "" for c in self.closed_classes))
        results = [_typed_result(format_term(s) or "?", f"In graph {format_term(URIRef(name))}, this subject has no "
                                 f"type that a closed shape covers ({names}), so no shape checks what is said about "
                                 "it: type it, or leave it out.", code="E105")
                   for name, s in bad[:MAX_REPORT_RESULTS]]
        if len(bad) > MAX_REPORT_RESULTS:
            shown = MAX_REPORT_RESULTS - 1
            results[shown:] = [_typed_result("?", f"... and {len(bad) - shown} more subjects without such a type.",
                                             code="E105")]
        return results

    def compare_reference(self, store: GraphStore, reference: Mapping[URIRef, Graph]) -> list[ValidationResult]:
        """A result for each reference graph the store lacks (E103) or holds altered (E104)."""
        present = set(store.named_graphs())
        results = []
        for name, expected in sorted(reference.items()):
            what = REFERENCE_NAMES.get(name, "its shipped content")
            if name not in present:
                results.append(_reference_result(name, f"The graph {format_term(name)} is missing: it must hold "
                                                       f"{what}. Rebuild the store.", code="E103"))
                continue
            actual = store.graph(name)
            if isomorphic(actual, expected):
                continue
            missing, added = set(expected) - set(actual), set(actual) - set(expected)
            example = next(iter(sorted(added, key=str)), None) or next(iter(sorted(missing, key=str)), None)
            shown = " ".join(format_term(t) or "" for t in example) if example else ""
            results.append(_reference_result(name, f"The graph {format_term(name)} differs from {what}: "
                                                   f"{len(missing)} triples missing, {len(added)} added (e.g. {shown}). "
                                                   "Rebuild the store.", code="E104"))
        return results

    @cached_property
    def inverse_predicates(self) -> frozenset[URIRef]:
        """Predicates some shape path walks backwards (``sh:inversePath``): e.g. ``oa:hasSource``."""
        return frozenset(p for p in self.shapes.objects(None, SH.inversePath) if isinstance(p, URIRef))

    @cached_property
    def focus_safe(self) -> bool:
        """Whether pySHACL's ``focus_nodes`` option gives the same results as a full run.

        pySHACL 0.40 applies the focus filter to nested shapes too, so a nested shape evaluated
        on a *value* node (``sh:or`` inside a property shape) silently passes. Our shapes only
        nest on the focus node itself (node-level ``sh:or``/``sh:not``); when some shape does
        otherwise, every target is validated and results are filtered instead (slower).
        """
        nesting = (SH["or"], SH["and"], SH.xone, SH["not"], SH.node, SH.qualifiedValueShape)
        property_shapes = set(self.shapes.subjects(SH.path, None))
        return not any((s, p, None) in self.shapes for s in property_shapes for p in nesting)

    @cached_property
    def dependent_predicates(self) -> frozenset[URIRef]:
        """Predicates whose triples other nodes' shapes read through an edge: ``rdf:type`` (for
        ``sh:class``) and every predicate after the first step of a sequence path
        (``ckg:sourceArticle / schema:datePublished``). A delta that changes these on an existing
        node makes the nodes pointing at it worth checking again."""
        found = {RDF.type}
        for path in self.shapes.objects(None, SH.path):
            if (path, RDF.first, None) in self.shapes:
                for step in list(Collection(self.shapes, path))[1:]:
                    inner = self.shapes.value(step, SH.inversePath) if isinstance(step, BNode) else step
                    if isinstance(inner, URIRef):
                        found.add(inner)
        return frozenset(found)

    # --- validation ------------------------------------------------------------------------

    def validate_graph(self, graph: Graph, *, focus_nodes: Iterable[URIRef] | None = None) -> ValidationReport:
        """Validate ``graph`` (all targets, or only ``focus_nodes`` when given)."""
        data = _QueryCachingGraph()
        data += graph
        return self._run(data, focus_nodes)

    def validate_files(self, paths: Iterable[Path]) -> ValidationReport:
        """Validate the union of Turtle files; a missing or unparsable file raises :class:`DataFileError`."""
        data = _QueryCachingGraph()
        for path in paths:
            if not path.is_file():
                raise DataFileError(f"{path}: no such file", code="E029")
            try:
                data.parse(path, format="turtle")
            except Exception as exc:  # rdflib raises several types for bad syntax
                detail = " ".join(str(exc).split())
                raise DataFileError(f"{path}: not valid Turtle: {detail[:300]}", code="E026") from exc
        return self._run(data, None)

    def validate_delta(self, new_graphs: Mapping[URIRef, Graph | Sequence[ox.Triple]], store: GraphStore) -> ValidationReport:
        """The gate of an ingest: would the store still conform with these named graphs in it?

        ``new_graphs`` maps named graph IRIs to their new content (replacing what the store
        holds in those graphs): rdflib graphs, pyoxigraph triples, or both (:class:`conflictkg.store.Converted`).
        Validates them with the context they reference from the store's other graphs, on the focus
        nodes they add or touch (see the module docstring).
        Nothing is written. Data with subjects no closed shape covers is refused first, without
        running the shapes (see :meth:`untyped`).
        """
        replaced = sorted(URIRef(g) for g in new_graphs)
        closed = self._closed_nodes
        old = {t for name in replaced for t in _stored_graph(store, name)}

        def typed_in_store(nodes: set[ox.NamedNode]) -> set[ox.NamedNode]:
            return {s for s, _p, o in _match(store, replaced, nodes, "s", _OX_TYPE, old) if o in closed}

        untyped = self.untyped(new_graphs, typed=typed_in_store)
        if untyped:
            return ValidationReport(conforms=False, results=untyped, focus_nodes=0,
                                    triples=sum(len(g) for g in new_graphs.values()))
        return _Delta(self, new_graphs, store, old).validate()

    def validate_store(self, store: GraphStore, *, reference: Mapping[URIRef, Graph] | None = None) -> ValidationReport:
        """Validate everything in the store (the union of its named graphs), check that every subject
        of its data graphs is typed (:meth:`untyped`) and, with ``reference``, that those graphs are in
        the store exactly as given (:meth:`compare_reference`)."""
        data = _QueryCachingGraph()
        graphs = {}
        for name in store.named_graphs():
            graphs[name] = store.graph(name)
            data += graphs[name]
        extra = self.untyped(graphs)
        if reference is not None:
            extra = self.compare_reference(store, reference) + extra
        report = self._run(data, None)
        if not extra:
            return report
        results = sorted(extra + report.results, key=ValidationResult.sort_key)
        return ValidationReport(conforms=False, results=results, focus_nodes=report.focus_nodes, triples=report.triples)

    def _run(self, data: Any, focus_nodes: Iterable[URIRef] | None) -> ValidationReport:
        """Validate ``data``: an rdflib graph, or (pyshacl-turbo only) its native input (:func:`_turbo_input`)."""
        focus = set(focus_nodes) if focus_nodes is not None else None
        size = len(data) if isinstance(data, Graph) else data.source.count("\n")
        if focus is not None and not focus:
            return ValidationReport(conforms=True, results=[], focus_nodes=0, triples=size)
        # See focus_safe: when the engines' focus_nodes option is unreliable for these shapes,
        # validate every target of the (small) data graph and keep the focus nodes' results.
        options: dict[str, Any] = {}
        if focus is not None and self.focus_safe:
            options["focus_nodes"] = sorted(focus)
        try:
            if self.engine == "turbo":
                _conforms, report_graph, _text = self._turbo.validate(
                    data, inference="none", allow_warnings=True, allow_infos=True, **options)
            else:
                with SPARQL_LOCK:  # pySHACL evaluates SHACL-SPARQL with rdflib, which is not thread-safe
                    _conforms, report_graph, _text = pyshacl_validate(
                        data,
                        shacl_graph=self.shapes,
                        inference="none",
                        advanced=False,
                        allow_warnings=True,
                        allow_infos=True,
                        **options,
                    )
        except (TypeError, ValueError, ReportableRuntimeError) as exc:
            # pySHACL cannot order some ill-typed literals (sh:lessThan on "abc"^^xsd:integer):
            # refuse the data, saying which literals are suspect, rather than crash the caller.
            return ValidationReport(conforms=False, results=_unorderable(_rdflib_graph(data), exc), triples=size)
        results = self._flatten(report_graph, focus)
        results = sorted(results, key=ValidationResult.sort_key)
        conforms = not any(r.severity == "Violation" for r in results)
        return ValidationReport(
            conforms=conforms, results=results, focus_nodes=len(focus) if focus is not None else None,
            triples=size,
        )

    def _flatten(self, report: Graph, focus: set[URIRef] | None) -> Iterator[ValidationResult]:
        seen: set[tuple[Any, ...]] = set()
        for node in report.objects(None, SH.result):
            if focus is not None and report.value(node, SH.focusNode) not in focus:
                continue
            severity_iri = report.value(node, SH.resultSeverity)
            severity = str(severity_iri).rsplit("#", 1)[-1] if severity_iri is not None else "Violation"
            shape = report.value(node, SH.sourceShape)
            messages = list(report.objects(node, SH.resultMessage))
            message = _pick_message(messages) or self._shape_message(shape) or "Validation failed."
            result = ValidationResult(
                focus_node=format_term(report.value(node, SH.focusNode)) or "?",
                path=format_path(report, report.value(node, SH.resultPath)),
                value=format_term(report.value(node, SH.value)),
                message=_shorten_iris(message),
                severity=severity,
                shape=format_term(shape) if isinstance(shape, URIRef) else None,
                constraint=format_term(report.value(node, SH.sourceConstraintComponent)) or "?",
            )
            key = (result.focus_node, result.path, result.value, result.shape, result.constraint, result.message)
            if key not in seen:
                seen.add(key)
                yield result

    def _shape_message(self, shape: Node | None) -> str | None:
        if shape is None:
            return None
        return _pick_message(list(self.shapes.objects(shape, SH.message)))


def _typed_result(focus: str, message: str, *, code: str) -> ValidationResult:
    return ValidationResult(focus_node=focus, path=None, value=None, message=f"[{code}] {message}", severity="Violation",
                            shape=_TYPED_SUBJECT, constraint="sh:ClosedConstraintComponent")


def _reference_result(name: URIRef, message: str, *, code: str) -> ValidationResult:
    return ValidationResult(focus_node=format_term(name) or "?", path=None, value=None, message=f"[{code}] {message}",
                            severity="Violation", shape=_REFERENCE_GRAPH, constraint="sh:EqualsConstraintComponent")


def _unorderable(data: Graph, exc: Exception) -> list[ValidationResult]:
    suspects = sorted(
        {(s, p, o) for s, p, o in data if isinstance(o, Literal) and (o.ill_typed or
                                                                        (o.datatype is not None and o.value is None))},
        key=str,
    )[:MAX_REPORT_RESULTS]
    detail = " ".join(str(exc).split())[:200]
    if not suspects:
        return [ValidationResult(focus_node="?", path=None, value=None, severity="Violation", shape=None,
                                 constraint="?", message=f"The validator failed on this data: {detail}")]
    return [
        ValidationResult(
            focus_node=format_term(s) or "?", path=format_term(p), value=str(o), severity="Violation",
            shape=None, constraint="?",
            message=f"This literal is not a valid {format_term(o.datatype)} (or cannot be ordered), so the "
                    f"shapes that compare it could not run: fix the value. ({detail})",
        )
        for s, p, o in suspects
    ]


def _rdflib_graph(data: Any) -> Graph:
    """The triples of ``data`` (an rdflib graph, or N-Triples text as pyshacl-turbo's input)."""
    return data if isinstance(data, Graph) else Graph().parse(data=data.source, format="nt")


def _pick_message(messages: list[Node]) -> str | None:
    if not messages:
        return None
    for m in messages:
        if isinstance(m, Literal) and m.language == "en":
            return str(m)
    return str(min(messages, key=str))


#: A triple of pyoxigraph terms: the gate reads and indexes the store's terms as they come.
_Triple = tuple[Any, Any, Any]


class _Delta:
    """One :meth:`ShapeValidator.validate_delta` run: focus nodes and context for new graphs.

    The delta and its context are held as sets of pyoxigraph terms, as the store returns them:
    no rdflib graph is built for the context, and pyshacl-turbo reads the data as N-Triples
    text with its native parser (no parsing in Python).
    """

    def __init__(self, validator: ShapeValidator, new_graphs: Mapping[URIRef, Graph | Sequence[ox.Triple]],
                 store: GraphStore, old: set[_Triple]) -> None:
        self.validator = validator
        self.store = store
        self.replaced = sorted(URIRef(g) for g in new_graphs)
        self.delta: set[_Triple] = {t for graph in new_graphs.values() for t in ox_terms(graph)}
        self.old = old
        """What the graphs being replaced hold now."""
        self.context: set[_Triple] = set()
        #: IRI objects of each subject, over the delta and the context read so far.
        self._objects: dict[Any, set[Any]] = {}
        for triple in self.delta:
            self._index(triple)
        self._fetched: set[Any] = set()

    def validate(self) -> ValidationReport:
        inverse = {ox.NamedNode(str(p)) for p in self.validator.inverse_predicates}
        removed = self.old - self.delta
        focus = {s for s, _p, _o in self.delta | removed if isinstance(s, ox.NamedNode)}
        # Nodes whose backwards-walked paths gain or lose an edge (a claim's article).
        focus |= {o for _s, p, o in self.delta | removed if p in inverse and isinstance(o, ox.NamedNode)}

        referenced = {o for _s, _p, o in self.delta | removed if isinstance(o, ox.NamedNode)}
        self._fetch_out(focus | referenced)

        # When the delta changes what the store says about an existing node (adds or removes
        # a triple that shapes read through an edge, such as its type), the nodes pointing at
        # it may change verdict: check them too.
        dependent = {ox.NamedNode(str(p)) for p in self.validator.dependent_predicates}
        existing = {s for s, _p, _o in self.context if isinstance(s, ox.NamedNode)}
        changed = {s for s, p, o in self.delta if p in dependent and s in existing and (s, p, o) not in self.context}
        changed |= {s for s, p, o in removed
                    if p in dependent and isinstance(s, ox.NamedNode) and (s, p, o) not in self.context}
        if changed:
            focus |= self._in_neighbours(changed, None)
            focus |= {s for s, _p, o in self.delta if o in changed and isinstance(s, ox.NamedNode)}

        # Incoming edges over backwards-walked predicates, then two hops out, then types.
        incoming = self._in_neighbours(focus, inverse)
        level0 = focus | referenced | incoming
        self._fetch_out(level0)
        level1 = self._objects_of(level0)
        self._fetch_out(level1)
        level2 = self._objects_of(level1) - self._fetched
        self._fetch_types(level2)

        triples = self.context | self.delta
        focus_iris = {URIRef(n.value) for n in focus}
        if self.validator.engine == "turbo":
            return self.validator._run(_turbo_input(triples), focus_iris)
        graph = _QueryCachingGraph()
        for s, p, o in triples:
            graph.add((to_rdflib(s), to_rdflib(p), to_rdflib(o)))  # type: ignore[arg-type]
        return self.validator._run(graph, focus_iris)

    def _index(self, triple: _Triple) -> None:
        if isinstance(triple[2], ox.NamedNode):
            self._objects.setdefault(triple[0], set()).add(triple[2])

    def _add_context(self, triple: _Triple) -> None:
        if triple not in self.context:
            self.context.add(triple)
            self._index(triple)

    def _objects_of(self, nodes: set[Any]) -> set[Any]:
        out: set[Any] = set()
        for node in nodes:
            out |= self._objects.get(node, set())
        return out

    # --- reading context from the store, excluding the graphs being replaced ----------------

    def _fetch_out(self, nodes: set[Any]) -> None:
        todo = nodes - self._fetched
        self._fetched |= todo
        for triple in self._match(todo, "s"):
            self._add_context(triple)

    def _fetch_types(self, nodes: set[Any]) -> None:
        for triple in self._match(nodes, "s", _OX_TYPE):
            self._add_context(triple)

    def _in_neighbours(self, nodes: set[Any], predicates: set[Any] | None) -> set[Any]:
        """IRI subjects pointing at ``nodes`` (over ``predicates``, or any); their triples go to the context."""
        found: set[Any] = set()
        pointed_at = self._pointed_at(nodes)
        for pred in (predicates if predicates is not None else [None]):
            for s, p, o in self._match(pointed_at, "o", pred):
                self._add_context((s, p, o))
                if isinstance(s, ox.NamedNode):
                    found.add(s)
        found |= {s for s, p, o in self.delta
                  if o in nodes and (predicates is None or p in predicates) and isinstance(s, ox.NamedNode)}
        return found

    def _pointed_at(self, nodes: set[Any]) -> set[Any]:
        """The nodes that are the object of some stored triple: only they can have incoming edges.

        On the embedded store one index probe per node (the first match, if any) spares the
        look-ups per predicate for the many nodes an article mints; elsewhere, all of ``nodes``.
        With the union default graph the probe reads the default graph only: a probe over all graphs
        (graph ``None``) costs ten times as much (0.2 ms instead of 18 us at 1M triples).
        """
        oxigraph = getattr(self.store, "oxigraph", None)
        if oxigraph is None:
            return nodes
        graph = ox.DefaultGraph() if getattr(self.store, "union_default_graph", False) else None
        return {n for n in nodes if next(oxigraph.quads_for_pattern(None, None, n, graph), None) is not None}

    def _match(self, nodes: set[Any], position: str, predicate: Any = None) -> Iterator[_Triple]:
        return _match(self.store, self.replaced, nodes, position, predicate, self.old)


def _stored_graph(store: GraphStore, name: URIRef) -> Iterator[_Triple]:
    """The triples the store holds in named graph ``name`` (a graph a write replaces)."""
    oxigraph = getattr(store, "oxigraph", None)
    if oxigraph is not None:
        for q in oxigraph.quads_for_pattern(None, None, None, ox.NamedNode(str(name))):
            yield q.subject, q.predicate, q.object
        return
    for triple in store.graph(name):
        yield _ox_triple(triple)


def _match(store: GraphStore, replaced: list[URIRef], nodes: set[Any], position: str,
           predicate: Any = None, old: set[_Triple] | None = None) -> Iterator[_Triple]:
    """Triples of the store's graphs but ``replaced`` with one of ``nodes`` as subject ("s") or object ("o").

    On an embedded store whose default graph is the union of its named graphs (conflictkg.store),
    with ``old`` (what the replaced graphs hold), each triple is read once from the default graph;
    only a triple ``old`` holds is looked up again, to see whether another graph states it too."""
    if not nodes:
        return
    oxigraph = getattr(store, "oxigraph", None)
    skip = {ox.NamedNode(str(g)) for g in replaced}
    if oxigraph is not None and old is not None and getattr(store, "union_default_graph", False):
        default = ox.DefaultGraph()
        for node in nodes:
            quads = (oxigraph.quads_for_pattern(node, predicate, None, default) if position == "s"
                     else oxigraph.quads_for_pattern(None, predicate, node, default))
            for q in quads:
                triple = (q.subject, q.predicate, q.object)
                if triple in old and not any(
                        o.graph_name not in skip and not isinstance(o.graph_name, ox.DefaultGraph)
                        for o in oxigraph.quads_for_pattern(*triple, None)):
                    continue
                yield triple
        return
    if oxigraph is not None:  # the embedded store: straight to its indexes
        for node in nodes:
            quads = (oxigraph.quads_for_pattern(node, predicate, None, None) if position == "s"
                     else oxigraph.quads_for_pattern(None, predicate, node, None))
            for q in quads:
                if q.graph_name not in skip and not isinstance(q.graph_name, ox.DefaultGraph):
                    yield q.subject, q.predicate, q.object
        return
    pattern = "?s ?p ?o" if predicate is None else f"?s {predicate} ?o"
    var = "?s" if position == "s" else "?o"
    graph_filter = (f"FILTER (?g NOT IN ({', '.join(f'<{g}>' for g in replaced)}))"
                    if replaced else "")
    for chunk in _chunks(sorted(n.value for n in nodes)):
        rows = store.select(
            f"SELECT ?s ?o {'?p' if predicate is None else ''} WHERE {{ VALUES {var} {{ {_iris(chunk)} }} "
            f"GRAPH ?g {{ {pattern} }} {graph_filter} }}"
        )
        for row in rows:
            yield (to_oxigraph(row["s"]),  # type: ignore[arg-type]
                   to_oxigraph(row["p"]) if predicate is None else predicate,  # type: ignore[arg-type]
                   to_oxigraph(row["o"]))  # type: ignore[arg-type]


_OX_TYPE = ox.NamedNode(str(RDF.type))


def _turbo_input(triples: set[_Triple]) -> Any:
    """``triples`` as pyshacl-turbo's native input: N-Triples text its Rust parser reads.

    (Not a pyoxigraph store: pyshacl-turbo 0.6 reads a store's plain literals as
    ``xsd:string``-typed, which ``sh:in`` lists of plain strings then fail to match.)
    """
    from pyshacl_turbo.rdf import Input

    return Input(to_ntriples(triples), "nt", None, {})


def _ox_triple(triple: tuple[Node | None, Node | None, Node | None]) -> _Triple:
    s, p, o = triple
    return to_oxigraph(s), to_oxigraph(p), to_oxigraph(o)  # type: ignore[arg-type]


_BAD_IRI_CHARS = re.compile(r'[\x00-\x20<>"{}|^`\\]')


def _iris(iris: Iterable[str]) -> str:
    """IRIs for a VALUES block; an IRI SPARQL cannot spell is not in the store, so it is left out."""
    return " ".join(f"<{iri}>" for iri in iris if not _BAD_IRI_CHARS.search(iri))


def _chunks(items: list[str]) -> Iterator[list[str]]:
    for i in range(0, len(items), _VALUES_CHUNK):
        yield items[i : i + _VALUES_CHUNK]
