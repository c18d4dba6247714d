"""SPARQL text read the way pyoxigraph reads it, and written back in a form only one reading fits.

The screen (:mod:`.screen`) must check exactly what the engine runs. pyoxigraph 0.5 has no
public parser, so this module tokenises SPARQL with the rules of pyoxigraph's own grammar
(spargebra 0.4, ``lib/spargebra/src/parser.rs``): the same string, IRI, prefixed-name,
number, variable and comment rules, ``\\uXXXX`` escapes decoded only inside strings and IRIs,
keywords matched without regard to case. It runs in one pass, linear in the text.

:func:`tokenize` then gives the engine not the client's text but a **canonical text** built
from the tokens (:attr:`Lexed.text`), in which the places where two readings could differ
are gone:

* comments are dropped; tokens the client separated (by spaces or a comment) are separated by
  one space, tokens the client wrote together stay together (pyoxigraph reads ``COALESCE(``
  but not ``COALESCE (``), except that a space always follows a less-than operator and
  separates two strings (an empty string then ``"x"`` must not become a long string);
* every string is written ``"..."`` with only the escapes ``\\" \\\\ \\n \\r`` (its value,
  decoded from any escape the client used, is unchanged);
* every IRI is written absolute (resolved against ``BASE`` or the request's base IRI, as
  RFC 3986 says) and every prefixed name is written as the absolute IRI it stands for; inside
  ``<...>`` only ASCII letters, digits and ``:/.-_~%?=&+!$*@`` stay as they are, every other
  character is written ``\\uXXXX``. So outside strings the canonical text holds no ``#``,
  no quote and no backslash, and no ``<`` that opens an IRI is followed by a space;
* a bare word must be a SPARQL keyword or function name (pyoxigraph matches keywords as
  prefixes: ``SERVICEex:x`` would be ``SERVICE ex:x`` to it), and a backslash outside a string,
  an IRI or a prefixed name is refused, since engines disagree on what it means there.

Whatever way an engine reads a ``<`` (operator or IRI) or a keyword, the canonical text then
splits into the same strings, IRIs and code: what the screen sees is what runs. Anything this
module cannot read with certainty is refused with a :class:`QueryError` (E051).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from ..errors import QueryError

__all__ = ["Token", "Lexed", "tokenize", "join", "join_with_offsets", "resolve_iri", "KEYWORDS", "iri_text", "string_text", "engine_message"]

#: Every bare word pyoxigraph's grammar knows, upper-cased (keywords match in any case).
KEYWORDS = frozenset("""
ABS ADD ADJUST ALL AS ASC ASK AVG BASE BIND BNODE BOUND BY CEIL CLEAR COALESCE CONCAT CONSTRUCT CONTAINS COPY
COUNT CREATE DATA DATATYPE DAY DEFAULT DELETE DESC DESCRIBE DISTINCT DROP ENCODE_FOR_URI EXISTS FILTER FLOOR FROM
GRAPH GROUP GROUP_CONCAT HAVING HOURS IF IN INSERT INTO IRI LANG LANGDIR LANGMATCHES LATERAL LCASE LIMIT LOAD MAX
MD5 MIN MINUS MINUTES MONTH MOVE NAMED NOT NOW OBJECT OFFSET OPTIONAL ORDER PREDICATE PREFIX RAND REDUCED REGEX
REPLACE ROUND SAMPLE SECONDS SELECT SEPARATOR SERVICE SHA1 SHA256 SHA384 SHA512 SILENT STR STRAFTER STRBEFORE
STRDT STRENDS STRLANG STRLANGDIR STRLEN STRSTARTS STRUUID SUBJECT SUBSTR SUM TIMEZONE TO TRIPLE TZ UCASE UNDEF
UNION URI USING UUID VALUES VERSION WHERE WITH YEAR HASLANG HASLANGDIR ISBLANK ISIRI ISLITERAL ISNUMERIC ISTRIPLE
ISURI SAMETERM
""".split())
#: Case-sensitive words of the grammar.
_LITERAL_WORDS = frozenset({"a", "true", "false"})

_HEX4 = r"\\u[0-9A-Fa-f]{4}|\\U[0-9A-Fa-f]{8}"
_ECHAR = r"\\[tbnrf\"'\\]"
# The four string rules, in pyoxigraph's order, possessive like its PEG repetitions.
_STRINGS = [
    re.compile(r"'''((?:(?:''|')?+(?:[^'\\]|" + _ECHAR + "|" + _HEX4 + r"))*+)'''"),
    re.compile(r'"""((?:(?:""|")?+(?:[^"\\]|' + _ECHAR + "|" + _HEX4 + r'))*+)"""'),
    re.compile(r"'((?:[^'\\\n\r]|" + _ECHAR + "|" + _HEX4 + r")*+)'"),
    re.compile(r'"((?:[^"\\\n\r]|' + _ECHAR + "|" + _HEX4 + r')*+)"'),
]
# SPARQL's IRIREF (with UCHAR); pyoxigraph reads any text up to '>' and then refuses what
# is not an IRI, which is never more than this.
_IRI = re.compile(r"<((?:[^<>\"{}|^`\\\x00-\x20]|" + _HEX4 + r")*+)>")
_ESCAPE = re.compile(_HEX4 + "|" + _ECHAR)
_PN_CHARS_BASE = ("A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u02ff\u0370-\u037d\u037f-\u1fff\u200c-\u200d"
                  "\u2070-\u218f\u2c00-\u2fef\u3001-\ud7ff\uf900-\ufdcf\ufdf0-\ufffd\U00010000-\U000effff")
_PN_CHARS_U = _PN_CHARS_BASE + "_"
_PN_CHARS = _PN_CHARS_U + r"\-0-9\u00b7\u0300-\u036f\u203f-\u2040"
_PLX = r"%[0-9A-Fa-f]{2}|\\[_~.\-!$&'()*+,;=/?#@%]"
_PN_PREFIX = f"[{_PN_CHARS_BASE}][{_PN_CHARS}]*+(?:\\.++[{_PN_CHARS}]++)*+"
_PN_LOCAL = (f"(?:[{_PN_CHARS_U}:0-9]|{_PLX})(?:[{_PN_CHARS}:]|{_PLX})*+"
             f"(?:\\.++(?:[{_PN_CHARS}:]|{_PLX})++)?+")
_PNAME = re.compile(f"({_PN_PREFIX})?:({_PN_LOCAL})?")
_VARNAME = re.compile(f"[{_PN_CHARS_U}0-9](?:[{_PN_CHARS_U}0-9\u00b7\u0300-\u036f\u203f-\u2040])*+")
_BNODE = re.compile(f"_:[{_PN_CHARS_U}0-9][{_PN_CHARS}]*+(?:\\.++[{_PN_CHARS}]++)*+")
_LANGTAG = re.compile(r"@[a-zA-Z]++(?:-[a-zA-Z0-9]++)*+(?:--[a-zA-Z]++)?+")
_NUMBER = re.compile(r"(?>[0-9]++\.[0-9]*+|\.[0-9]++|[0-9]++)[eE][+-]?+[0-9]++|[0-9]*+\.[0-9]++|[0-9]++")
_WORD = re.compile(r"[A-Za-z][A-Za-z0-9_]*+")
_PUNCT = ["<<(", ")>>", "{|", "|}", "<<", ">>", "^^", "&&", "||", "!=", "<=", ">="]
_SINGLE = set("{}()[].,;*=<>!+-/^|?~")
_SPACE = " \t\n\r"
_DIGITS = "0123456789"
#: Characters an IRI keeps as they are in the canonical text; all others become \\u escapes.
_IRI_SAFE = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789:/.-_~%?=&+!$*@")
_IRI_FORBIDDEN = re.compile(r"[<>\"{}|^`\\\x00-\x20]")
_ABSOLUTE = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:")
_URI_PARTS = re.compile(r"^(?:([^:/?#]+):)?(?://([^/?#]*))?([^?#]*)(?:\?([^#]*))?(?:#(.*))?$", re.S)
#: Tokens after which a '<' inside an expression is the less-than operator.
_OPERANDS = {"var", "iri", "string", "number", "bnode", "langtag"}


@dataclass(frozen=True)
class Token:
    """One token: its kind, its value, its canonical text, and where it starts in the client's text.

    Kinds: ``iri`` (value: the absolute IRI; also prefixed names), ``prefix`` (a ``PREFIX``
    name, value ``ex``), ``string`` (value: the decoded string), ``langtag``, ``var`` (value:
    the name), ``bnode``, ``number``, ``word`` (value: the keyword upper-cased, or ``a``,
    ``true``, ``false``) and ``punct``."""

    kind: str
    value: str
    text: str
    start: int
    spaced: bool = True
    """Whether the client's text had a space or a comment just before this token."""


@dataclass
class Lexed:
    """A tokenised request: its tokens and the canonical text the engine is given."""

    tokens: list[Token]
    prefixes: dict[str, str] = field(default_factory=dict)

    @property
    def text(self) -> str:
        return join(self.tokens)


def _separated(before: Token | None, token: Token) -> bool:
    if before is None:
        return False
    return token.spaced or (before.kind == "punct" and before.value in ("<", "<=")) or \
        (before.kind == "string" and token.kind == "string")


def join(tokens: list[Token], *, plain_iris: bool = False) -> str:
    """The canonical text of ``tokens`` (see the module docstring).

    ``plain_iris`` writes IRIs without ``\\u`` escapes, for a remote server whose parser does not
    read escapes in IRIs (Virtuoso): still absolute, still only IRI characters, and an operator
    ``<`` is still followed by a space, so a context-free lexer cannot read an IRI there."""
    return join_with_offsets(tokens, plain_iris=plain_iris)[0]


def join_with_offsets(tokens: list[Token], *, plain_iris: bool = False) -> tuple[str, list[int]]:
    """:func:`join`, and where each token starts in the text it writes."""
    out: list[str] = []
    offsets: list[int] = []
    at = 0
    before = None
    for token in tokens:
        if _separated(before, token):
            out.append(" ")
            at += 1
        text = f"<{token.value}>" if plain_iris and token.kind == "iri" else token.text
        offsets.append(at)
        out.append(text)
        at += len(text)
        before = token
    return "".join(out), offsets


def _malformed(kind: str, message: str, offset: int, source: str) -> QueryError:
    line = source.count("\n", 0, offset) + 1
    column = offset - (source.rfind("\n", 0, offset) + 1) + 1
    return QueryError(f"malformed SPARQL {kind} at line {line}, column {column}: {message}", code="E051", status=400)


def _unescape(raw: str, kind: str, offset: int, source: str) -> str:
    def one(m: re.Match[str]) -> str:
        esc = m.group()
        if esc[1] in "uU":
            code = int(esc[2:], 16)
            if code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
                raise _malformed(kind, f"{esc} is not a character", offset, source)
            return chr(code)
        return {"t": "\t", "b": "\b", "n": "\n", "r": "\r", "f": "\f", '"': '"', "'": "'", "\\": "\\"}[esc[1]]

    return _ESCAPE.sub(one, raw) if "\\" in raw else raw


def string_text(value: str) -> str:
    """A string value as the canonical ``"..."`` token."""
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r") + '"'


def iri_text(iri: str) -> str:
    """An IRI as the canonical ``<...>`` token (see the module docstring)."""
    out = []
    for ch in iri:
        if ch in _IRI_SAFE:
            out.append(ch)
        elif ord(ch) > 0xFFFF:
            out.append(f"\\U{ord(ch):08X}")
        else:
            out.append(f"\\u{ord(ch):04X}")
    return "<" + "".join(out) + ">"


def _remove_dot_segments(path: str) -> str:
    out: list[str] = []
    while path:
        if path.startswith("../"):
            path = path[3:]
        elif path.startswith("./"):
            path = path[2:]
        elif path.startswith("/./"):
            path = path[2:]
        elif path == "/.":
            path = "/"
        elif path.startswith("/../"):
            path = path[3:]
            if out:
                out.pop()
        elif path == "/..":
            path = "/"
            if out:
                out.pop()
        elif path in (".", ".."):
            path = ""
        else:
            cut = path.find("/", 1)
            cut = len(path) if cut < 0 else cut
            out.append(path[:cut])
            path = path[cut:]
    return "".join(out)


def resolve_iri(reference: str, base: str | None) -> str:
    """``reference`` resolved against ``base`` (RFC 3986, section 5.2); an absolute IRI is kept as it is,
    as pyoxigraph keeps it. Without a base a relative reference stays relative (the engine refuses it)."""
    if _ABSOLUTE.match(reference) or base is None:
        return reference
    m_ref, m_base = _URI_PARTS.match(reference), _URI_PARTS.match(base)
    assert m_ref is not None and m_base is not None
    _, r_auth, r_path, r_query, r_frag = m_ref.groups()
    b_scheme, b_auth, b_path, b_query, _ = m_base.groups()
    if r_auth is not None:
        auth, path, query = r_auth, _remove_dot_segments(r_path), r_query
    elif r_path == "":
        auth, path, query = b_auth, b_path, r_query if r_query is not None else b_query
    else:
        if r_path.startswith("/"):
            path = _remove_dot_segments(r_path)
        else:
            if b_auth is not None and b_path == "":
                merged = "/" + r_path
            else:
                merged = b_path[: b_path.rfind("/") + 1] + r_path
            path = _remove_dot_segments(merged)
        auth, query = b_auth, r_query
    out = f"{b_scheme}:"
    if auth is not None:
        out += f"//{auth}"
    out += path
    if query is not None:
        out += f"?{query}"
    if r_frag is not None:
        out += f"#{r_frag}"
    return out


class _Context:
    """Which brackets are open, to tell the operator '<' from an IRI inside expressions."""

    def __init__(self) -> None:
        self.stack: list[str] = []  # "expr", "other" (collections, paths, VALUES), "brace"
        self.clause = ""  # "select" or "condition" (GROUP BY, ORDER BY, HAVING) while in one
        self.clause_depth = 0  # how many brackets were open where that clause began
        self.prev: Token | None = None
        self.before: Token | None = None

    @property
    def in_expression(self) -> bool:
        return bool(self.stack) and self.stack[-1] == "expr"

    def less_than_is_operator(self) -> bool:
        prev = self.prev
        if not self.in_expression or prev is None:
            return False
        return prev.kind in _OPERANDS or (prev.kind == "punct" and prev.value in (")", "]")) or \
            (prev.kind == "word" and prev.value in ("TRUE", "FALSE"))

    def push(self, token: Token) -> None:
        if token.kind == "punct":
            p = token.value
            if p == "(":
                self.stack.append(self._paren_kind())
            elif p in ("[", "<<(", "<<"):
                self.stack.append("other")
            elif p in ("{", "{|"):
                self.stack.append("brace")
                self.clause = ""
            elif p in (")", "]", "}", "|}", ")>>", ">>") and self.stack:
                self.stack.pop()
        elif token.kind == "word":
            if token.value in ("SELECT", "BY", "HAVING"):
                self.clause = "select" if token.value == "SELECT" else "condition"
                self.clause_depth = len(self.stack)
            elif token.value in ("WHERE", "LIMIT", "OFFSET", "VALUES", "FROM"):
                self.clause = ""
        self.before, self.prev = self.prev, token

    def _paren_kind(self) -> str:
        prev = self.prev
        if self.in_expression:
            return "expr"
        if prev is None:
            return "other"
        if prev.kind == "word":
            return "other" if prev.value == "VALUES" else "expr"
        if prev.kind == "iri":  # a function call after FILTER or in GROUP BY / ORDER BY / HAVING
            before = self.before
            if self.clause == "condition" or (before is not None and before.kind == "word" and before.value == "FILTER"):
                return "expr"
            return "other"
        if self.clause in ("select", "condition") and len(self.stack) == self.clause_depth:
            return "expr"
        return "other"


def tokenize(source: str, *, kind: str = "query", base: str | None = None,
             prefixes: Mapping[str, str] | None = None) -> Lexed:
    """Tokenise ``source`` (a query or an update) as pyoxigraph reads it; see the module docstring.

    ``base`` is the request's base IRI and ``prefixes`` the prefixes declared before the text
    (pyoxigraph's ``prefixes`` argument). Raises :class:`QueryError` (E051) on what cannot be read."""
    known = dict(prefixes or {})
    tokens: list[Token] = []
    ctx = _Context()
    i, n = 0, len(source)
    pending: str | None = None  # "prefix" after PREFIX, "prefix-iri" after its name, "base" after BASE
    pending_prefix = ""
    gap = True

    def add(token: Token) -> None:
        nonlocal pending, gap
        token = Token(token.kind, token.value, token.text, token.start, gap)
        gap = False
        if token.kind not in ("prefix", "iri") and not (token.kind == "word" and token.value in ("PREFIX", "BASE")):
            pending = None
        tokens.append(token)
        ctx.push(token)

    while i < n:
        ch = source[i]
        if ch in _SPACE:
            i += 1
            gap = True
            continue
        if ch == "#":
            while i < n and source[i] not in "\r\n":
                i += 1
            gap = True
            continue
        start = i
        if ch in "'\"":
            for pattern in _STRINGS:
                m = pattern.match(source, i)
                if m:
                    break
            else:
                raise _malformed(kind, "a string that is not closed or has an escape strings cannot have", i, source)
            value = _unescape(m.group(1), kind, i, source)
            add(Token("string", value, string_text(value), start))
            i = m.end()
            continue
        if ch == "<" and not source.startswith("<<", i) and not ctx.less_than_is_operator():
            m = _IRI.match(source, i)
            if m:
                raw = _unescape(m.group(1), kind, i, source)
                if _IRI_FORBIDDEN.search(raw):
                    raise _malformed(kind, f"<{raw}> is not an IRI", i, source)
                if pending == "base":
                    base = resolve_iri(raw, base)
                    pending = None
                    add(Token("iri", base, iri_text(base), start))
                else:
                    iri = resolve_iri(raw, base)
                    if pending == "prefix-iri":
                        known[pending_prefix] = iri
                    pending = None
                    add(Token("iri", iri, iri_text(iri), start))
                i = m.end()
                continue
        if ch in "?$":
            m = _VARNAME.match(source, i + 1)
            if m:
                add(Token("var", m.group(), ch + m.group(), start))
                i = m.end()
                continue
            if ch == "$":
                raise _malformed(kind, "'$' must start a variable name", i, source)
        if ch == "_" and source.startswith("_:", i):
            m = _BNODE.match(source, i)
            if not m:
                raise _malformed(kind, "a blank node label must follow '_:'", i, source)
            add(Token("bnode", m.group(), m.group(), start))
            i = m.end()
            continue
        if ch == "@":
            m = _LANGTAG.match(source, i)
            if not m:
                raise _malformed(kind, "a language tag must follow '@'", i, source)
            add(Token("langtag", m.group(), m.group(), start))
            i = m.end()
            continue
        if ch in _DIGITS or (ch == "." and i + 1 < n and source[i + 1] in _DIGITS):
            m = _NUMBER.match(source, i)
            assert m is not None
            add(Token("number", m.group(), m.group(), start))
            i = m.end()
            continue
        m = _PNAME.match(source, i)
        if m and (m.group(1) or ch == ":"):
            name, local = m.group(1) or "", m.group(2)
            i = m.end()
            if pending == "prefix" and local is None:
                pending, pending_prefix = "prefix-iri", name
                add(Token("prefix", name, f"{name}:", start))
                continue
            if pending in ("base", "prefix-iri"):
                raise _malformed(kind, "PREFIX and BASE take an IRI written <...>", start, source)
            pending = None
            if name not in known:
                raise _malformed(kind, f"the prefix '{name}:' is not declared", start, source)
            iri = known[name] + (local or "").replace("\\", "")
            add(Token("iri", iri, iri_text(iri), start))
            continue
        m = _WORD.match(source, i)
        if m:
            word = m.group()
            upper = word.upper()
            if word in _LITERAL_WORDS:
                add(Token("word", word.upper() if word != "a" else "a", word, start))
            elif upper in KEYWORDS:
                if upper == "PREFIX":
                    pending = "prefix"
                elif upper == "BASE":
                    pending = "base"
                add(Token("word", upper, upper, start))
            else:
                raise _malformed(kind, f"'{word}' is not a SPARQL keyword (write prefixed names with their "
                                 "prefix, keywords apart from what follows them)", start, source)
            i = m.end()
            continue
        if ctx.less_than_is_operator() and ch == "<":
            op = "<=" if source.startswith("<=", i) else "<"
            add(Token("punct", op, op, start))
            i += len(op)
            continue
        for p in _PUNCT:
            if source.startswith(p, i):
                add(Token("punct", p, p, start))
                i += len(p)
                break
        else:
            if ch in _SINGLE:
                add(Token("punct", ch, ch, start))
                i += 1
            elif ch == "\\":
                raise _malformed(kind, "a backslash outside a string or an IRI (\\u escapes are read only "
                                 "inside strings and IRIs)", i, source)
            else:
                raise _malformed(kind, f"unexpected character {ch!r}", i, source)
    return Lexed(tokens, known)


_ENGINE_POSITION = re.compile(r"error at (\d+):(\d+)")


def engine_message(message: str, canonical: str, lexed: Lexed | None = None, source: str = "") -> str:
    """pyoxigraph's syntax error about the canonical text, told in terms of the client's text.

    pyoxigraph says ``error at LINE:COLUMN`` of the text it was given (the canonical text, one
    line). With the client's tokens (``lexed``, ``source``) the position becomes the line and
    column of the client's token there; without, the canonical text near it is quoted."""
    m = _ENGINE_POSITION.search(message)
    if m is None or m.group(1) != "1":
        return message
    column = int(m.group(2)) - 1
    if lexed is not None:
        offset = 0
        before = None
        for token in lexed.tokens:
            offset += _separated(before, token)
            if offset + len(token.text) > column:
                line = source.count("\n", 0, token.start) + 1
                col = token.start - (source.rfind("\n", 0, token.start) + 1) + 1
                return message[: m.start()] + f"error at line {line}, column {col}" + message[m.end():]
            offset += len(token.text)
            before = token
        line = source.count("\n") + 1
        return message[: m.start()] + f"error at line {line}, at the end" + message[m.end():]
    near = canonical[max(column - 30, 0): column + 30]
    return message[: m.start()] + f"error near «{near}»" + message[m.end():]
