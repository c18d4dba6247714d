"""Screen SPARQL queries and updates before anything runs them.

Both engines we drive can reach out of the box: pyoxigraph follows ``SERVICE`` and
``LOAD <http:...>``; rdflib and some servers dereference ``FROM`` IRIs. So every request is
parsed here first (rdflib's SPARQL 1.1 parser, which never fetches anything) and refused
with a coded 400 when it

* uses ``SERVICE`` anywhere (also inside ``OPTIONAL``, ``EXISTS`` or a subquery),
* uses ``LOAD``,
* names a dataset IRI (``FROM``, ``FROM NAMED``, ``USING``, ``USING NAMED``, ``WITH``, or
  the protocol's ``default-graph-uri``/``named-graph-uri``/``using-graph-uri``) that is not
  a graph of the store (an update may also use the graphs it writes itself), or
* (updates) writes into the default graph: in conflictkg the default graph is the union of
  the named graphs, so a write must say which graph it changes.

The screen also tells the engine which graphs an update may change
(:attr:`UpdatePlan.targets`, ``None`` meaning "any"), so the SHACL gate checks exactly those.

Updates need one rewrite. SPARQL Update evaluates ``WHERE`` over the store's *real* default
graph, which conflictkg keeps empty; to make "the default graph is the union" hold for
updates as for queries, :func:`with_using` adds ``USING`` clauses (the protocol's
``using-graph-uri`` values, or every graph) to each ``DELETE/INSERT ... WHERE`` that has no
``USING``/``WITH`` of its own. The rewrite works on tokens (IRIs, strings and comments are
skipped whole), never on the values users pass.
"""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from pyparsing import ParseException
from rdflib import URIRef
from rdflib.plugins.sparql.algebra import translateQuery, translateUpdate
from rdflib.plugins.sparql.parser import parseQuery, parseUpdate
from rdflib.plugins.sparql.parserutils import CompValue
from rdflib.term import Variable

from ..errors import QueryError
from ..rdflib_lock import SPARQL_LOCK

__all__ = ["QueryPlan", "UpdatePlan", "screen_query", "screened_query", "screen_update", "with_using"]

#: The four query forms, by rdflib's parse-tree name.
_FORMS = {"SelectQuery": "SELECT", "AskQuery": "ASK", "ConstructQuery": "CONSTRUCT", "DescribeQuery": "DESCRIBE"}
#: rdflib's SPARQL parser is not thread-safe: pyparsing works out each parse action's arity on
#: its first calls, and two threads parsing at once can fix a wrong one for good, after which
#: every parse in the process fails ("<lambda>() missing 1 required positional argument").
#: The API parses in a thread pool, so every parse and translation holds this lock.
PARSE_LOCK = SPARQL_LOCK
#: Distinct query texts whose screening :func:`screen_query` keeps (see :class:`_ScreenCache`).
SCREEN_CACHE_SIZE = 512


@dataclass(frozen=True)
class QueryPlan:
    """A screened query: its form and the dataset it asked for."""

    form: str
    default_graphs: tuple[str, ...] = ()
    named_graphs: tuple[str, ...] = ()
    has_dataset_clause: bool = False
    graph_iris: tuple[str, ...] = ()
    """IRIs named in ``GRAPH <...>`` patterns (a remote server may need them in the dataset)."""


@dataclass
class UpdatePlan:
    """A screened update: the graphs it may change (``None``: any graph) and those it reads."""

    targets: set[str] | None = field(default_factory=set)
    has_using: bool = False
    written: set[str] = field(default_factory=set)
    """Graphs the update names as destinations (to let later operations read them)."""


def _get(node: Any, key: str) -> Any:
    """``node[key]`` or None (rdflib's ``CompValue.get`` returns the key itself when it is missing)."""
    if isinstance(node, dict) and key in node:
        return node[key]
    return None


def _syntax_error(kind: str, exc: Exception) -> QueryError:
    detail = str(exc).strip() or type(exc).__name__
    return QueryError(f"malformed SPARQL {kind}: {detail}", code="E051", status=400)


def _walk(node: Any) -> Iterable[Any]:
    """Every node of an rdflib parse tree or algebra, depth first."""
    stack = [node]
    seen: set[int] = set()
    while stack:
        item = stack.pop()
        if id(item) in seen:
            continue
        seen.add(id(item))
        yield item
        if isinstance(item, CompValue):
            stack.extend(item.values())
        elif isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, (list, tuple, set)) or type(item).__name__ == "ParseResults":
            stack.extend(list(item))


def _refuse_service(tree: Any) -> None:
    for node in _walk(tree):
        if isinstance(node, CompValue) and node.name == "ServiceGraphPattern":
            raise QueryError(
                f"SERVICE is not allowed: conflictkg does not query other endpoints (SERVICE <{_get(node, 'term')}>)",
                code="E052",
                status=400,
            )


def check_graphs(iris: Iterable[str], known: Collection[str], *, where: str) -> None:
    """Refuse any dataset IRI that is not a graph of the store."""
    for iri in iris:
        if iri not in known:
            raise QueryError(
                f"{where} <{iri}> is not a graph of this store; conflictkg never fetches graphs "
                "from the web or the file system (list the graphs with SELECT DISTINCT ?g { GRAPH ?g { ?s ?p ?o } })",
                code="E053",
                status=400,
            )


def screen_query(
    text: str,
    known_graphs: Collection[str],
    *,
    default_graph_uris: Sequence[str] = (),
    named_graph_uris: Sequence[str] = (),
) -> QueryPlan:
    """Parse ``text`` and refuse what must not run. Raises :class:`QueryError`."""
    analysis = _CACHE.get(text)
    if analysis is None:
        try:
            analysis = _analyse_query(text)
        except QueryError as exc:
            analysis = _Refusal(str(exc.message), exc.code, exc.status)
        _CACHE.put(text, analysis)
    return _plan(analysis, known_graphs, default_graph_uris, named_graph_uris)


def screened_query(
    text: str,
    known_graphs: Collection[str],
    *,
    default_graph_uris: Sequence[str] = (),
    named_graph_uris: Sequence[str] = (),
) -> QueryPlan | None:
    """:func:`screen_query` when ``text`` was screened before (the cache has it), else None: it
    never parses and never waits for rdflib's lock, so the event loop may call it."""
    analysis = _CACHE.get(text)
    if analysis is None:
        return None
    return _plan(analysis, known_graphs, default_graph_uris, named_graph_uris)


_Analysis = tuple[str, tuple[str, ...], tuple[str, ...], bool, tuple[str, ...]]


@dataclass(frozen=True)
class _Refusal:
    """A query the screen refused (malformed, SERVICE): the same refusal every time it comes back."""

    message: str
    code: str
    status: int


class _ScreenCache:
    """What the screen found in each of the last :data:`SCREEN_CACHE_SIZE` query texts (LRU).

    Keyed on the exact query text: the analysis depends on nothing else. The checks that depend
    on the store's graphs and the request's dataset parameters are not cached; they run on
    every query (:func:`_plan`). Refusals are cached too, as (message, code, status), so a
    refused query is answered the same way without parsing it again.
    """

    def __init__(self, size: int) -> None:
        self.size = size
        self._items: OrderedDict[str, _Analysis | _Refusal] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, text: str) -> _Analysis | _Refusal | None:
        with self._lock:
            found = self._items.get(text)
            if found is not None:
                self._items.move_to_end(text)
            return found

    def put(self, text: str, analysis: _Analysis | _Refusal) -> None:
        with self._lock:
            self._items[text] = analysis
            self._items.move_to_end(text)
            while len(self._items) > self.size:
                self._items.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()


_CACHE = _ScreenCache(SCREEN_CACHE_SIZE)


def _plan(analysis: _Analysis | _Refusal, known_graphs: Collection[str], default_graph_uris: Sequence[str],
          named_graph_uris: Sequence[str]) -> QueryPlan:
    if isinstance(analysis, _Refusal):
        raise QueryError(analysis.message, code=analysis.code, status=analysis.status)
    form, defaults, nameds, has_clause, graph_iris = analysis
    check_graphs(defaults, known_graphs, where="FROM")
    check_graphs(nameds, known_graphs, where="FROM NAMED")
    check_graphs(default_graph_uris, known_graphs, where="default-graph-uri")
    check_graphs(named_graph_uris, known_graphs, where="named-graph-uri")
    return QueryPlan(form=form, default_graphs=defaults, named_graphs=nameds,
                     has_dataset_clause=has_clause, graph_iris=graph_iris)


def _analyse_query(text: str) -> _Analysis:
    """What the screen needs from a query's parse: form, FROM / FROM NAMED IRIs, dataset clause, GRAPH IRIs.

    Parsing with rdflib's grammar costs about 10 ms, more than running a small query, so
    :func:`screen_query` keeps the result by query text (:class:`_ScreenCache`).
    """
    try:
        with PARSE_LOCK:
            tree = parseQuery(text)
    except ParseException as exc:
        raise _syntax_error("query", exc) from None
    except Exception as exc:  # the parser raises a few other types on odd input
        raise _syntax_error("query", exc) from None
    _refuse_service(tree)
    body = tree[1]
    form = _FORMS.get(body.name)
    if form is None:  # pragma: no cover - the grammar has only the four forms
        raise QueryError(f"unsupported query form {body.name}", code="E051", status=400)
    defaults: list[str] = []
    nameds: list[str] = []
    graph_iris: set[str] = set()
    clause = _get(body, "datasetClause")
    try:
        with PARSE_LOCK:
            algebra = translateQuery(tree).algebra
    except Exception as exc:
        if clause:
            raise _syntax_error("query", exc) from None
        algebra = None
    if algebra is not None:
        for node in _walk(algebra):
            if isinstance(node, CompValue) and node.name == "Graph" and isinstance(_get(node, "term"), URIRef):
                graph_iris.add(str(_get(node, "term")))
    if clause and algebra is not None:
        for item in _get(algebra, "datasetClause") or []:
            if _get(item, "default") is not None:
                defaults.append(str(item["default"]))
            if _get(item, "named") is not None:
                nameds.append(str(item["named"]))
    return form, tuple(defaults), tuple(nameds), bool(clause), tuple(sorted(graph_iris))


def _graph_of(ref: Any) -> str | None:
    """The IRI a graph reference names, or None for DEFAULT/NAMED/ALL."""
    if isinstance(ref, URIRef):
        return str(ref)
    if isinstance(ref, CompValue):
        if _get(ref, "graphiri") is not None:
            return str(ref["graphiri"])
        if _get(ref, "iri") is not None:
            return str(ref["iri"])
    if isinstance(ref, str) and ref not in ("DEFAULT", "NAMED", "ALL"):
        return ref
    return None


def _default_write(op: str) -> QueryError:
    return QueryError(
        f"{op} would write into the default graph, which in conflictkg is the union of the named graphs; "
        "name the graph to change (GRAPH <...> { ... } or WITH <...>)",
        code="E054",
        status=400,
    )


def _template_targets(clause: Any, with_graph: str | None, op: str, plan: UpdatePlan) -> None:
    if clause is None:
        return
    if _get(clause, "triples"):
        if with_graph is None:
            raise _default_write(op)
        if plan.targets is not None:
            plan.targets.add(with_graph)
    for graph, _triples in (_get(clause, "quads") or {}).items():
        if isinstance(graph, Variable):
            plan.targets = None
        elif plan.targets is not None:
            plan.targets.add(str(graph))


def screen_update(
    text: str,
    known_graphs: Collection[str],
    *,
    using_graph_uris: Sequence[str] = (),
    using_named_graph_uris: Sequence[str] = (),
) -> UpdatePlan:
    """Parse an update and refuse what must not run; say which graphs it may change."""
    try:
        with PARSE_LOCK:
            tree = parseUpdate(text)
            algebra = translateUpdate(tree).algebra
    except ParseException as exc:
        raise _syntax_error("update", exc) from None
    except Exception as exc:
        raise _syntax_error("update", exc) from None
    _refuse_service(tree)
    plan = UpdatePlan()
    written: set[str] = set()
    protocol_dataset = bool(using_graph_uris or using_named_graph_uris)
    for op in algebra:
        name = op.name
        if name == "Load":
            raise QueryError(
                f"LOAD is not allowed: conflictkg never fetches data from the web or the file system "
                f"(LOAD <{_get(op, 'iri')}>); upload Turtle to /graph-store instead",
                code="E052",
                status=400,
            )
        if name in ("InsertData", "DeleteData"):
            if _get(op, "triples"):
                raise _default_write(name == "InsertData" and "INSERT DATA" or "DELETE DATA")
            for graph in (_get(op, "quads") or {}):
                written.add(str(graph))
                if plan.targets is not None:
                    plan.targets.add(str(graph))
        elif name in ("Modify", "DeleteWhere"):
            with_graph = str(_get(op, "withClause")) if _get(op, "withClause") is not None else None
            usings = _get(op, "using") or []
            if protocol_dataset and (usings or with_graph):
                raise QueryError(
                    "the request gives using-graph-uri/using-named-graph-uri and the update has its own "
                    "USING or WITH: use one or the other (SPARQL 1.1 Protocol 2.2.3)",
                    code="E054",
                    status=400,
                )
            reads = [str(_get(u, "default") if _get(u, "default") is not None else _get(u, "named")) for u in usings]
            check_graphs(reads, set(known_graphs) | written, where="USING")
            if with_graph is not None:
                written.add(with_graph)
            if usings:
                plan.has_using = True
            if name == "DeleteWhere":
                _template_targets(op, with_graph, "DELETE WHERE", plan)
            else:
                _template_targets(_get(op, "delete"), with_graph, "DELETE", plan)
                _template_targets(_get(op, "insert"), with_graph, "INSERT", plan)
                for clause in (_get(op, "insert"), _get(op, "delete")):
                    for graph in (_get(clause, "quads") or {}):
                        if not isinstance(graph, Variable):
                            written.add(str(graph))
        elif name in ("Clear", "Drop"):
            target = op["graphiri"]
            iri = _graph_of(target)
            if iri is not None:
                if plan.targets is not None:
                    plan.targets.add(iri)
            elif target in ("ALL", "NAMED"):
                plan.targets = None
        elif name == "Create":
            iri = _graph_of(op["graphiri"])
            if iri is not None:
                written.add(iri)
        elif name in ("Add", "Move", "Copy"):
            source, dest = _graph_of(op["graph"][0]), _graph_of(op["graph"][1])
            if dest is None:
                raise _default_write(name.upper())
            if source is None:
                raise QueryError(f"{name.upper()} from the default graph: name the source graph", code="E054",
                                 status=400)
            check_graphs([source], set(known_graphs) | written, where=name.upper())
            written.add(dest)
            if plan.targets is not None:
                plan.targets.add(dest)
                if name == "Move":
                    plan.targets.add(source)
        else:  # pragma: no cover - the grammar has no other operation
            raise QueryError(f"unsupported update operation {name}", code="E051", status=400)
    check_graphs(using_graph_uris, set(known_graphs) | written, where="using-graph-uri")
    check_graphs(using_named_graph_uris, set(known_graphs) | written, where="using-named-graph-uri")
    plan.written = written
    return plan


# --- the USING rewrite --------------------------------------------------------------------

_IRI = re.compile(r"<[^<>\"{}|^`\\\x00-\x20]*>")
_STRING = re.compile(r"'''(?:[^'\\]|\\.|'(?!''))*'''|\"\"\"(?:[^\"\\]|\\.|\"(?!\"\"))*\"\"\"|'(?:[^'\\\n\r]|\\.)*'|\"(?:[^\"\\\n\r]|\\.)*\"", re.S)
_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_\-]*")


def _top_level_words(text: str) -> Iterable[tuple[int, str]]:
    """(offset, upper-cased keyword) of every bare word outside braces, IRIs, strings and comments,
    and (offset, "{") for every top-level opening brace."""
    i, depth, n = 0, 0, len(text)
    while i < n:
        ch = text[i]
        if ch == "#":
            end = text.find("\n", i)
            i = n if end < 0 else end + 1
        elif ch == "<":
            m = _IRI.match(text, i)
            i = m.end() if m else i + 1
        elif ch in "'\"":
            m = _STRING.match(text, i)
            i = m.end() if m else i + 1
        elif ch == "{":
            if depth == 0:
                yield i, "{"
            depth += 1
            i += 1
        elif ch == "}":
            depth -= 1
            i += 1
        elif ch.isalpha() or ch == "_":
            m = _WORD.match(text, i)
            assert m is not None
            if depth == 0:
                yield i, m.group().upper()
            i = m.end()
        else:
            i += 1


def with_using(text: str, default_graphs: Sequence[str], named_graphs: Sequence[str] = ()) -> str:
    """Add ``USING``/``USING NAMED`` clauses before the ``WHERE`` of every ``DELETE/INSERT`` operation
    that has neither ``USING`` nor ``WITH`` (``DELETE WHERE`` cannot take them and is left alone)."""
    clause = "".join(f"USING <{g}> " for g in default_graphs) + "".join(f"USING NAMED <{g}> " for g in named_graphs)
    if not clause:
        return text
    cuts: list[int] = []
    previous = ""
    has_own = False
    for offset, word in _top_level_words(text):
        if word in ("USING", "WITH"):
            has_own = True
        elif word == "WHERE":
            if previous != "DELETE" and not has_own:
                cuts.append(offset)
            has_own = False
        previous = word
    return _splice(text, cuts, clause)


def _splice(text: str, cuts: Sequence[int], clause: str) -> str:
    out, last = [], 0
    for cut in cuts:
        out.append(text[last:cut])
        out.append(clause)
        last = cut
    out.append(text[last:])
    return "".join(out)


def with_values(text: str, bindings: dict[str, str]) -> str:
    """Bind variables with a ``VALUES`` block at the start of the query's ``WHERE`` group.

    For servers without pyoxigraph's ``substitutions`` (the remote backend). ``bindings`` maps
    variable names to terms already serialized in N-Triples syntax (by pyoxigraph), so values
    never reach the text unescaped.
    """
    if not bindings:
        return text
    names = " ".join(f"?{name}" for name in bindings)
    block = f" VALUES ({names}) {{ ({' '.join(bindings.values())}) }} "
    seen_where = False
    first_brace = None
    for offset, word in _top_level_words(text):
        if word == "WHERE":
            seen_where = True
        elif word == "{":
            if seen_where:
                return text[: offset + 1] + block + text[offset + 1 :]
            if first_brace is None:
                first_brace = offset
    if first_brace is None:
        raise QueryError("cannot bind parameters: the query has no WHERE group", code="E054", status=422)
    return text[: first_brace + 1] + block + text[first_brace + 1 :]
