"""Screen SPARQL queries and updates before anything runs them.

pyoxigraph follows ``SERVICE`` and ``LOAD <http:...>``, and some servers dereference ``FROM``
IRIs. So every request is read first by :mod:`.lexer`, which tokenises it the way pyoxigraph
does and writes the **canonical text** the engine then runs (what is checked is exactly what
runs: one reading decides), and refused with a coded 400 when it

* uses ``SERVICE`` anywhere (also inside ``OPTIONAL``, ``EXISTS`` or a subquery), or ``LOAD``,
* names a dataset IRI (``FROM``, ``FROM NAMED``, ``USING``, ``USING NAMED``, or the protocol's
  ``default-graph-uri``/``named-graph-uri``/``using-graph-uri``) that is not a graph of the
  store (an update may also use the graphs it writes itself), or
* (updates) writes into the default graph: in conflictkg the default graph is the union of
  the named graphs, so a write must say which graph it changes.

Texts larger than the configured limit are refused with a 413 (E091) before they are read.
Syntax is pyoxigraph's to judge: the screen reads tokens, not the grammar, so a text it
passes may still be refused by the engine's parser (E051), never the other way round.

The screen also tells the engine which graphs an update may change
(:attr:`UpdatePlan.targets`; :attr:`Operation.graph_vars` when a template says ``GRAPH ?g``,
whose graphs the engine finds with a query), so the SHACL gate checks exactly those.

Updates need one rewrite. SPARQL Update evaluates ``WHERE`` over the store's *real* default
graph, which conflictkg keeps empty; to make "the default graph is the union" hold for
updates as for queries, :meth:`UpdatePlan.text` adds ``USING`` clauses (the protocol's
``using-graph-uri`` values, or every graph) to each ``DELETE/INSERT ... WHERE`` that has no
``USING``/``WITH`` of its own. The rewrite adds tokens; it never touches the values users pass.
"""

from __future__ import annotations

import hashlib
import re
import threading
from collections import OrderedDict
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from ..errors import QueryError
from .lexer import Lexed, Token, iri_text, join, join_with_offsets, tokenize

__all__ = ["QueryPlan", "UpdatePlan", "Operation", "Modifiers", "RowCheck", "screen_query", "screened_query",
           "screen_update", "with_values", "check_graphs", "too_large", "bounded_text", "select_modifiers",
           "SCREEN_CACHE_BYTES"]

_FORMS = ("SELECT", "CONSTRUCT", "DESCRIBE", "ASK")
#: Bytes of screening results :func:`screen_query` keeps (canonical texts and what was found in them).
SCREEN_CACHE_BYTES = 16 * 1024 * 1024
#: A query whose screening needs more than this share of the cache is screened again each time.
_CACHE_ENTRY_SHARE = 16
#: Bytes counted for one cache entry besides its texts.
_ENTRY_OVERHEAD = 256


@dataclass(frozen=True)
class Modifiers:
    """The outermost SELECT's solution modifiers in a text: its ``LIMIT`` and ``OFFSET`` and where they
    stand (``start``-``end``; an empty span where they would go: before a trailing ``VALUES``, else at
    the end), whether it has an ``ORDER BY``, and the variables it projects (empty for ``*``)."""

    start: int
    end: int
    limit: int | None = None
    offset: int | None = None
    ordered: bool = False
    variables: tuple[str, ...] = ()


#: How the answer of a query must still be checked against the row cap (see :meth:`QueryPlan.to_run`):
#: ``"bounded"`` the outermost LIMIT is at most the cap, nothing to check; ``"count"`` the outermost LIMIT
#: was set to cap + 1, so the answer holds at most one row too many (count only a large body);
#: ``"stream"`` no LIMIT could be written (not a SELECT, or modifiers the screen cannot read): count
#: the rows while reading them, stopping past the cap.
RowCheck = str


@dataclass(frozen=True)
class QueryPlan:
    """A screened query: its form, the dataset it asked for, and the canonical text to run."""

    form: str
    default_graphs: tuple[str, ...] = ()
    named_graphs: tuple[str, ...] = ()
    has_dataset_clause: bool = False
    graph_iris: tuple[str, ...] = ()
    """IRIs named in ``GRAPH <...>`` patterns (a remote server may need them in the dataset)."""
    text: str = ""
    """The canonical text (:mod:`.lexer`): the only text the engine is given."""
    modifiers: Modifiers | None = None
    """Where the outermost SELECT's LIMIT and OFFSET are in :attr:`text` (None: not a SELECT, or unreadable)."""

    def to_run(self, max_rows: int | None, page: tuple[int, int] | None = None) -> tuple[str, RowCheck]:
        """The text the engine runs, and how its answer must be checked against ``max_rows``: the
        canonical text, its outermost LIMIT written by the screen (:func:`bounded_text`)."""
        return bounded_text(self.text, self.modifiers, max_rows, page)


def bounded_text(text: str, modifiers: Modifiers | None, max_rows: int | None,
                 page: tuple[int, int] | None = None, *, write_limit: bool = True) -> tuple[str, RowCheck]:
    """``text`` (a canonical text whose outermost SELECT has ``modifiers``) with its LIMIT and OFFSET
    written anew, and how the answer must be checked against the row cap ``max_rows``.

    ``page`` is ``(limit, offset)`` of a named query's paging; it also orders a query that has no
    ``ORDER BY`` by its projected variables, so pages are deterministic. The row cap: an outermost
    LIMIT above ``max_rows`` (or none) becomes ``max_rows + 1``, so the engine never produces more
    than one row too many, and a result of exactly that many rows is still refused (E057), never
    truncated. The tokens written are the screen's own (a keyword and a number), outside every
    group: what was checked is still what runs.

    ``write_limit=False`` writes only the ORDER BY a page needs and leaves LIMIT and OFFSET as they
    are, for a server that pages and counts wrongly under a LIMIT (Virtuoso 7.2 returns duplicate
    rows for DISTINCT, ORDER BY and LIMIT together): the caller then pages and counts the rows it
    reads ("stream")."""
    if modifiers is None:
        if page is not None:
            raise QueryError("this query cannot be paged: its LIMIT and OFFSET are not readable", code="E054",
                             status=422)
        return text, "stream"
    limit, offset = modifiers.limit, modifiers.offset
    order = ""
    if page is not None:
        limit, offset = page
        if not modifiers.ordered:
            if not modifiers.variables:
                raise QueryError("a SELECT * query without ORDER BY cannot be paged", code="E054", status=422)
            order = " ORDER BY " + " ".join(f"?{v}" for v in modifiers.variables)
    if not write_limit:
        cut = modifiers.start
        return (f"{text[:cut].rstrip()}{order} {text[cut:].lstrip()}".rstrip() if order else text), "stream"
    check = "bounded"
    if max_rows is not None and (limit is None or limit > max_rows):
        limit, check = max_rows + 1, "count"
    if (limit, offset) == (modifiers.limit, modifiers.offset) and not order:
        return text, check
    clause = order + (f" LIMIT {limit}" if limit is not None else "") + (f" OFFSET {offset}" if offset else "")
    rest = text[modifiers.end:].lstrip()
    return f"{text[:modifiers.start].rstrip()}{clause}{' ' + rest if rest else ''}", check


def _select_modifiers(tokens: Sequence[Token], offsets: Sequence[int], length: int) -> Modifiers | None:
    """The outermost SELECT's :class:`Modifiers` (offsets into the text ``tokens`` were joined to), or
    None when the query is no SELECT or its modifiers are not plain (an unreadable LIMIT)."""
    braces = parens = 0
    form = main_open = main_close = None
    for k, t in enumerate(tokens):
        if t.kind == "punct":
            if t.value in ("{", "{|"):
                if form is not None and main_open is None and braces == 0 and parens == 0:
                    main_open = k
                braces += 1
            elif t.value in ("}", "|}"):
                braces -= 1
                if braces == 0 and main_open is not None:
                    main_close = k
                    break
            elif t.value in ("(", "<<("):
                parens += 1
            elif t.value in (")", ")>>"):
                parens -= 1
        elif t.kind == "word" and form is None and braces == 0 and t.value in _FORMS:
            if t.value != "SELECT":
                return None
            form = k
    if form is None or main_open is None or main_close is None:
        return None
    variables: list[str] = []
    depth = 0
    for k in range(form + 1, main_open):
        t = tokens[k]
        if t.kind == "punct" and t.value == "(":
            depth += 1
        elif t.kind == "punct" and t.value == ")":
            depth -= 1
        elif t.kind == "punct" and t.value == "*" and depth == 0:
            variables = []
            break
        elif t.kind == "var" and (depth == 0 or _is(tokens[k - 1], "AS")):
            variables.append(t.value)
        elif _is(t, "FROM", "WHERE"):
            break
    limit = offset = None
    first = last = None
    ordered = False
    where = length
    braces = 0
    k = main_close + 1
    while k < len(tokens):
        t = tokens[k]
        if t.kind == "punct" and t.value in ("{", "(", "["):
            braces += 1
        elif t.kind == "punct" and t.value in ("}", ")", "]"):
            braces -= 1
        elif braces == 0 and _is(t, "ORDER"):
            ordered = True
        elif braces == 0 and _is(t, "VALUES"):
            where = offsets[k]
            break
        elif braces == 0 and _is(t, "LIMIT", "OFFSET"):
            n = tokens[k + 1] if k + 1 < len(tokens) else None
            if n is None or n.kind != "number" or not n.value.isdigit():
                return None
            if t.value == "LIMIT":
                limit = int(n.value)
            else:
                offset = int(n.value)
            first = k if first is None else first
            last = k + 1
            k += 1
        k += 1
    if first is not None and last is not None:
        start, end = offsets[first], offsets[last] + len(tokens[last].text)
    else:
        start = end = where
    return Modifiers(start, end, limit, offset, ordered, tuple(dict.fromkeys(variables)))


def too_large(kind: str, size: int, limit: int) -> QueryError:
    """The 413 for a query or update text over its limit."""
    advice = ("; send bulk data to the Graph Store Protocol instead (PUT or POST /graph-store?graph=IRI "
              "with Turtle or N-Triples)") if kind == "update" else "; narrow it (a large VALUES block belongs in the data)"
    flag = "CONFLICTKG_MAX_UPDATE_BYTES" if kind == "update" else "CONFLICTKG_MAX_QUERY_BYTES"
    return QueryError(f"the {kind} is larger than the limit of {limit} bytes ({flag}){advice}", code="E091", status=413)


def _check_size(kind: str, text: str, limit: int | None) -> None:
    if limit is None or len(text) * 4 <= limit:
        return
    size = len(text.encode("utf-8", "surrogatepass"))
    if size > limit:
        raise too_large(kind, size, limit)


def _refuse_service(lexed: Lexed) -> None:
    tokens = lexed.tokens
    for k, token in enumerate(tokens):
        if token.kind == "word" and token.value == "SERVICE":
            rest = [t for t in tokens[k + 1:k + 3] if not (t.kind == "word" and t.value == "SILENT")]
            target = rest[0].text if rest else ""
            raise QueryError(f"SERVICE is not allowed: conflictkg does not query other endpoints (SERVICE {target})",
                             code="E052", status=400)
        if token.kind == "word" and token.value == "LOAD":
            rest = [t for t in tokens[k + 1:k + 3] if t.kind == "iri"]
            raise QueryError(
                f"LOAD is not allowed: conflictkg never fetches data from the web or the file system "
                f"(LOAD <{rest[0].value if rest else ''}>); upload Turtle to /graph-store instead",
                code="E052", status=400)


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


# --- queries ------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Refusal:
    """A query the screen refused (malformed, SERVICE): the same refusal every time it comes back."""

    message: str
    code: str
    status: int


class _ScreenCache:
    """What the screen found in recent query texts (LRU), bounded in bytes.

    Keyed by a hash of the text and the base IRI (never by the text itself), so a cache of
    :data:`SCREEN_CACHE_BYTES` holds at most that many bytes of canonical texts, whatever
    clients send. The checks that depend on the store's graphs and the request's dataset
    parameters are not cached; they run on every query (:func:`_plan`).
    """

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.size = 0
        self._items: OrderedDict[bytes, tuple[QueryPlan | _Refusal, int]] = OrderedDict()
        self._lock = threading.Lock()

    @staticmethod
    def key(text: str, base_iri: str | None) -> bytes:
        digest = hashlib.blake2b(digest_size=20)
        digest.update((base_iri or "").encode("utf-8", "surrogatepass") + b"\n")
        digest.update(text.encode("utf-8", "surrogatepass"))
        return digest.digest()

    def get(self, key: bytes) -> QueryPlan | _Refusal | None:
        with self._lock:
            found = self._items.get(key)
            if found is None:
                return None
            self._items.move_to_end(key)
            return found[0]

    def put(self, key: bytes, analysis: QueryPlan | _Refusal) -> None:
        if isinstance(analysis, QueryPlan):
            cost = len(analysis.text) + sum(map(len, analysis.default_graphs + analysis.named_graphs
                                                + analysis.graph_iris))
        else:
            cost = len(analysis.message)
        cost += _ENTRY_OVERHEAD
        if cost > self.limit // _CACHE_ENTRY_SHARE:
            return
        with self._lock:
            old = self._items.pop(key, None)
            if old is not None:
                self.size -= old[1]
            self._items[key] = (analysis, cost)
            self.size += cost
            while self.size > self.limit:
                _, (_, freed) = self._items.popitem(last=False)
                self.size -= freed

    def __len__(self) -> int:
        return len(self._items)

    def keys(self) -> list[bytes]:
        with self._lock:
            return list(self._items)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
            self.size = 0


_CACHE = _ScreenCache(SCREEN_CACHE_BYTES)


def screen_query(
    text: str,
    known_graphs: Collection[str],
    *,
    default_graph_uris: Sequence[str] = (),
    named_graph_uris: Sequence[str] = (),
    base_iri: str | None = None,
    prefixes: Mapping[str, str] | None = None,
    max_bytes: int | None = None,
) -> QueryPlan:
    """Read ``text`` and refuse what must not run; the plan holds the canonical text to run.
    Raises :class:`QueryError`."""
    _check_size("query", text, max_bytes)
    key = _CACHE.key(text, base_iri)
    analysis = _CACHE.get(key)
    if analysis is None:
        try:
            analysis = _analyse_query(text, base_iri, prefixes)
        except QueryError as exc:
            analysis = _Refusal(str(exc.message), exc.code, exc.status)
        _CACHE.put(key, analysis)
    return _plan(analysis, known_graphs, default_graph_uris, named_graph_uris)


def screened_query(
    text: str,
    known_graphs: Collection[str],
    *,
    default_graph_uris: Sequence[str] = (),
    named_graph_uris: Sequence[str] = (),
    base_iri: str | None = None,
    max_bytes: int | None = None,
) -> QueryPlan | None:
    """:func:`screen_query` when ``text`` was screened before (the cache has it), else None: it
    never reads the text, so the event loop may call it."""
    _check_size("query", text, max_bytes)
    analysis = _CACHE.get(_CACHE.key(text, base_iri))
    if analysis is None:
        return None
    return _plan(analysis, known_graphs, default_graph_uris, named_graph_uris)


def _plan(analysis: QueryPlan | _Refusal, known_graphs: Collection[str], default_graph_uris: Sequence[str],
          named_graph_uris: Sequence[str]) -> QueryPlan:
    if isinstance(analysis, _Refusal):
        raise QueryError(analysis.message, code=analysis.code, status=analysis.status)
    check_graphs(analysis.default_graphs, known_graphs, where="FROM")
    check_graphs(analysis.named_graphs, known_graphs, where="FROM NAMED")
    check_graphs(default_graph_uris, known_graphs, where="default-graph-uri")
    check_graphs(named_graph_uris, known_graphs, where="named-graph-uri")
    return analysis


def _analyse_query(text: str, base_iri: str | None, prefixes: Mapping[str, str] | None) -> QueryPlan:
    """Form, FROM / FROM NAMED IRIs, GRAPH IRIs and canonical text of a query."""
    lexed = tokenize(text, kind="query", base=base_iri, prefixes=prefixes)
    _refuse_service(lexed)
    tokens = lexed.tokens
    form = None
    depth = 0
    defaults: list[str] = []
    nameds: list[str] = []
    graph_iris: set[str] = set()
    for k, token in enumerate(tokens):
        if token.kind == "punct" and token.value in ("{", "{|"):
            depth += 1
        elif token.kind == "punct" and token.value in ("}", "|}"):
            depth -= 1
        elif token.kind == "word":
            if form is None and depth == 0 and token.value in _FORMS:
                form = token.value
            elif token.value == "FROM" and depth == 0:
                named = k + 1 < len(tokens) and tokens[k + 1].kind == "word" and tokens[k + 1].value == "NAMED"
                iri = _iri_at(tokens, k + 2 if named else k + 1)
                if iri is not None:
                    (nameds if named else defaults).append(iri)
            elif token.value == "GRAPH":
                iri = _iri_at(tokens, k + 1)
                if iri is not None:
                    graph_iris.add(iri)
    if form is None:
        raise QueryError("malformed SPARQL query: no SELECT, CONSTRUCT, DESCRIBE or ASK (send updates to /update)",
                         code="E051", status=400)
    canonical, offsets = join_with_offsets(tokens)
    return QueryPlan(form=form, default_graphs=tuple(defaults), named_graphs=tuple(nameds),
                     has_dataset_clause=bool(defaults or nameds), graph_iris=tuple(sorted(graph_iris)),
                     text=canonical, modifiers=_select_modifiers(tokens, offsets, len(canonical)))


def select_modifiers(tokens: Sequence[Token], *, plain_iris: bool = False) -> tuple[str, Modifiers | None]:
    """The text :func:`.lexer.join` writes for ``tokens``, and its outermost SELECT's :class:`Modifiers`."""
    text, offsets = join_with_offsets(list(tokens), plain_iris=plain_iris)
    return text, _select_modifiers(tokens, offsets, len(text))


def _iri_at(tokens: Sequence[Token], k: int) -> str | None:
    return tokens[k].value if k < len(tokens) and tokens[k].kind == "iri" else None


# --- updates ------------------------------------------------------------------------------


@dataclass
class Operation:
    """One operation of an update request."""

    kind: str
    tokens: list[Token]
    targets: set[str] = field(default_factory=set)
    """Graphs the operation may change (named ones)."""
    graph_vars: list[str] = field(default_factory=list)
    """Variables of ``GRAPH ?g`` in its templates: the graphs they bind to are changed too."""
    where: list[Token] = field(default_factory=list)
    """The ``WHERE`` group (with braces), to find what ``graph_vars`` bind to."""
    using: list[str] = field(default_factory=list)
    using_named: list[str] = field(default_factory=list)
    with_graph: str | None = None
    needs_using: int | None = None
    """Index (in :attr:`tokens`) of the ``WHERE`` before which the union rewrite adds USING clauses."""

    def text(self, defaults: Sequence[str] = (), nameds: Sequence[str] = ()) -> str:
        tokens = list(self.tokens)
        if tokens:
            tokens[0] = Token(tokens[0].kind, tokens[0].value, tokens[0].text, tokens[0].start, False)
        if self.needs_using is not None and (defaults or nameds):
            clause = [f"USING {iri_text(g)}" for g in defaults] + [f"USING NAMED {iri_text(g)}" for g in nameds]
            where = self.tokens[self.needs_using]
            tokens[self.needs_using:self.needs_using] = [Token("word", "USING", " ".join(clause), where.start)]
            tokens[self.needs_using + 1] = Token(where.kind, where.value, where.text, where.start, True)
        return join(tokens)


@dataclass
class UpdatePlan:
    """A screened update: its operations, the graphs it may change, those it writes."""

    operations: list[Operation] = field(default_factory=list)
    prologue: str = ""
    targets: set[str] = field(default_factory=set)
    """Named graphs the update may change, besides those ``GRAPH ?g`` templates bind."""
    all_graphs: bool = False
    """``CLEAR/DROP ALL`` or ``NAMED``: every graph may change."""
    has_using: bool = False
    written: set[str] = field(default_factory=set)
    """Graphs the update names as destinations (to let later operations read them)."""

    @property
    def graph_vars(self) -> bool:
        return any(op.graph_vars for op in self.operations)

    def text(self, defaults: Sequence[str] = (), nameds: Sequence[str] = ()) -> str:
        """The canonical text of the whole request, with the USING rewrite for ``defaults``/``nameds``."""
        return " ; ".join(op.text(defaults, nameds) for op in self.operations)


def _default_write(op: str) -> QueryError:
    return QueryError(
        f"{op} would write into the default graph, which in conflictkg is the union of the named graphs; "
        "name the graph to change (GRAPH <...> { ... } or WITH <...>)",
        code="E054",
        status=400,
    )


def _malformed(message: str) -> QueryError:
    return QueryError(f"malformed SPARQL update: {message}", code="E051", status=400)


def _is(token: Token | None, *words: str) -> bool:
    return token is not None and token.kind == "word" and token.value in words


def _punct(token: Token | None, value: str) -> bool:
    return token is not None and token.kind == "punct" and token.value == value


def _group_end(tokens: Sequence[Token], k: int) -> int:
    """Index just after the group that opens at ``tokens[k]`` (``{``)."""
    if not _punct(tokens[k] if k < len(tokens) else None, "{"):
        raise _malformed("expected '{'")
    depth = 0
    for j in range(k, len(tokens)):
        t = tokens[j]
        if t.kind == "punct" and t.value in ("{", "{|"):
            depth += 1
        elif t.kind == "punct" and t.value in ("}", "|}"):
            depth -= 1
            if depth == 0:
                return j + 1
    raise _malformed("a '{' is not closed")


def _template(tokens: Sequence[Token], k: int) -> tuple[int, set[str], list[str], bool]:
    """Read the quads template opening at ``k``: (end, graph IRIs, graph variables, has default-graph triples)."""
    end = _group_end(tokens, k)
    graphs: set[str] = set()
    variables: list[str] = []
    default = False
    j = k + 1
    while j < end - 1:
        t = tokens[j]
        if _is(t, "GRAPH"):
            name = tokens[j + 1] if j + 1 < end else None
            if name is not None and name.kind == "iri":
                graphs.add(name.value)
            elif name is not None and name.kind == "var":
                variables.append(name.value)
            else:
                raise _malformed("GRAPH takes an IRI or a variable")
            j = _group_end(tokens, j + 2)
        elif _punct(t, "."):
            j += 1
        else:
            default = True
            j += 1
    return end, graphs, variables, default


def _split(tokens: Sequence[Token]) -> list[list[Token]]:
    """Operations: the tokens between top-level ';'."""
    parts: list[list[Token]] = [[]]
    depth = 0
    for t in tokens:
        if t.kind == "punct" and t.value in ("{", "(", "[", "{|", "<<(", "<<"):
            depth += 1
        elif t.kind == "punct" and t.value in ("}", ")", "]", "|}", ")>>", ">>"):
            depth -= 1
        if depth == 0 and _punct(t, ";"):
            parts.append([])
        else:
            parts[-1].append(t)
    return parts


def _prologue_end(tokens: Sequence[Token]) -> int:
    k = 0
    while k < len(tokens):
        if _is(tokens[k], "PREFIX"):
            k += 3
        elif _is(tokens[k], "BASE", "VERSION"):
            k += 2
        else:
            break
    return k


def _graph_ref(tokens: Sequence[Token], k: int, *, allow: tuple[str, ...]) -> tuple[str | None, str | None, int]:
    """(IRI, or None; DEFAULT/NAMED/ALL word, or None; next index) of a graph reference at ``k``."""
    t = tokens[k] if k < len(tokens) else None
    if _is(t, *allow):
        return None, t.value, k + 1  # type: ignore[union-attr]
    if _is(t, "GRAPH"):
        k += 1
        t = tokens[k] if k < len(tokens) else None
    if t is not None and t.kind == "iri":
        return t.value, None, k + 1
    raise _malformed("expected a graph IRI")


def screen_update(
    text: str,
    known_graphs: Collection[str],
    *,
    using_graph_uris: Sequence[str] = (),
    using_named_graph_uris: Sequence[str] = (),
    base_iri: str | None = None,
    prefixes: Mapping[str, str] | None = None,
    max_bytes: int | None = None,
) -> UpdatePlan:
    """Read an update and refuse what must not run; say which graphs it may change."""
    _check_size("update", text, max_bytes)
    lexed = tokenize(text, kind="update", base=base_iri, prefixes=prefixes)
    _refuse_service(lexed)
    plan = UpdatePlan()
    written: set[str] = set()
    known = set(known_graphs)
    protocol_dataset = bool(using_graph_uris or using_named_graph_uris)
    for part in _split(lexed.tokens):
        start = _prologue_end(part)
        if start == len(part):
            continue  # only PREFIX/BASE (or nothing): no operation
        op = Operation(kind="", tokens=part[start:])
        _read_operation(op, plan, written, known, protocol_dataset)
        plan.operations.append(op)
        plan.targets |= op.targets
    check_graphs(using_graph_uris, known | written, where="using-graph-uri")
    check_graphs(using_named_graph_uris, known | written, where="using-named-graph-uri")
    plan.written = written
    return plan


def _read_operation(op: Operation, plan: UpdatePlan, written: set[str], known: set[str],
                    protocol_dataset: bool) -> None:
    tokens = op.tokens
    first = tokens[0]
    if first.kind != "word":
        raise _malformed(f"an operation cannot start with {first.text}")
    name = first.value
    op.kind = name
    k = 1
    silent = name in ("CLEAR", "DROP", "CREATE", "ADD", "MOVE", "COPY") and _is(tokens[k] if k < len(tokens) else None,
                                                                              "SILENT")
    k += silent
    if name in ("CLEAR", "DROP"):
        iri, word, _ = _graph_ref(tokens, k, allow=("DEFAULT", "NAMED", "ALL"))
        if iri is not None:
            op.targets.add(iri)
        elif word in ("NAMED", "ALL"):
            plan.all_graphs = True
    elif name == "CREATE":
        iri, _, _ = _graph_ref(tokens, k, allow=())
        assert iri is not None
        op.targets.add(iri)
        written.add(iri)
    elif name in ("ADD", "MOVE", "COPY"):
        source, source_word, k = _graph_ref(tokens, k, allow=("DEFAULT",))
        if not _is(tokens[k] if k < len(tokens) else None, "TO"):
            raise _malformed(f"{name} needs TO")
        dest, _, _ = _graph_ref(tokens, k + 1, allow=("DEFAULT",))
        if dest is None:
            raise _default_write(name)
        if source is None:
            raise QueryError(f"{name} from the default graph: name the source graph", code="E054", status=400)
        if not silent:  # (with SILENT a missing source graph is nothing to add)
            check_graphs([source], known | written, where=name)
        written.add(dest)
        op.targets.add(dest)
        if name == "MOVE":
            op.targets.add(source)
    elif name in ("INSERT", "DELETE") and _is(tokens[k] if k < len(tokens) else None, "DATA"):
        _, graphs, variables, default = _template(tokens, k + 1)
        if default:
            raise _default_write(f"{name} DATA")
        if variables:
            raise _malformed(f"{name} DATA cannot use variables")
        op.kind = f"{name} DATA"
        op.targets |= graphs
        written |= graphs
    elif name == "DELETE" and _is(tokens[k] if k < len(tokens) else None, "WHERE"):
        end, graphs, variables, default = _template(tokens, k + 1)
        if default:
            raise _default_write("DELETE WHERE")
        op.kind = "DELETE WHERE"
        op.targets |= graphs
        op.graph_vars = variables
        op.where = list(tokens[k + 1:end])
    elif name in ("WITH", "INSERT", "DELETE"):
        _read_modify(op, written, known, protocol_dataset)
        plan.has_using = plan.has_using or bool(op.using or op.using_named)
    else:
        raise _malformed(f"unknown operation {first.text}")


def _read_modify(op: Operation, written: set[str], known: set[str], protocol_dataset: bool) -> None:
    tokens = op.tokens
    k = 0
    op.kind = "MODIFY"
    if _is(tokens[0], "WITH"):
        iri = _iri_at(tokens, 1)
        if iri is None:
            raise _malformed("WITH takes a graph IRI")
        op.with_graph = iri
        k = 2
    clauses = 0
    for word in ("DELETE", "INSERT"):
        if _is(tokens[k] if k < len(tokens) else None, word):
            clauses += 1
            end, graphs, variables, default = _template(tokens, k + 1)
            if default:
                if op.with_graph is None:
                    raise _default_write(word)
                graphs.add(op.with_graph)
            op.targets |= graphs
            op.graph_vars += variables
            written |= graphs
            k = end
    if not clauses:
        raise _malformed("expected DELETE or INSERT")
    while _is(tokens[k] if k < len(tokens) else None, "USING"):
        named = _is(tokens[k + 1] if k + 1 < len(tokens) else None, "NAMED")
        iri = _iri_at(tokens, k + 2 if named else k + 1)
        if iri is None:
            raise _malformed("USING takes a graph IRI")
        (op.using_named if named else op.using).append(iri)
        k += 3 if named else 2
    if protocol_dataset and (op.using or op.using_named or op.with_graph):
        raise QueryError(
            "the request gives using-graph-uri/using-named-graph-uri and the update has its own "
            "USING or WITH: use one or the other (SPARQL 1.1 Protocol 2.2.3)",
            code="E054",
            status=400,
        )
    check_graphs(op.using + op.using_named, known | written, where="USING")
    if op.with_graph is not None:
        written.add(op.with_graph)
    if not _is(tokens[k] if k < len(tokens) else None, "WHERE"):
        raise _malformed("expected WHERE")
    op.where = list(tokens[k + 1:_group_end(tokens, k + 1)])
    if not (op.using or op.using_named or op.with_graph):
        op.needs_using = k


# --- binding values for servers without substitutions --------------------------------------

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
