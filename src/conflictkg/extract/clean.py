"""``clean``: classify the page's lines (title, body, furniture, captions, an appended story).

Offsets stay those of the text as received: blocks are spans into it. Furniture patterns
live in ``data/rules/furniture.jsonl``.
"""

from __future__ import annotations

import re

from ..model import Span
from .doc import Block, Doc, normalise
from .pipeline import component

__all__ = ["clean", "MAX_TITLE_WORDS", "BODY_LINES_BEFORE_APPENDED", "MIN_TEXT_LINE_WORDS"]

#: A line without final punctuation and with fewer words than this is a title or label, not body.
MAX_TITLE_WORDS = 25
#: A line without final punctuation and at least this many words, mostly lower-case, after the
#: title or body text is text (a standfirst, a cut paragraph), not a title.
MIN_TEXT_LINE_WORDS = 10
#: A timestamp line after this many body lines starts another story appended to the page.
BODY_LINES_BEFORE_APPENDED = 3
_TERMINAL = re.compile(r"""[.!?]["')\]]*$|["']$""")


def _lines(text: str) -> list[Span]:
    out, pos = [], 0
    for raw in text.split("\n"):
        stripped = raw.strip()
        if stripped:
            start = pos + raw.index(stripped[0])
            out.append(Span(start, start + len(stripped)))
        pos += len(raw) + 1
    return out


def _title_like(line: str) -> bool:
    return not _TERMINAL.search(line) and len(line.split()) < MAX_TITLE_WORDS


def _text_line(line: str, before: list[Block], doc: Doc) -> bool:
    """A standfirst or a paragraph cut mid-sentence, not a title: a long line without final
    punctuation, mostly lower-case words, after body text, or after the title when it reads as a
    sentence with a clause ("On July 30, three journalists were killed in the capital")."""
    words = line.split()
    if len(words) < MIN_TEXT_LINE_WORDS or re.search(r"\s[-–—|]\s*\S+(?:\s+\S+){0,3}$", line):
        return False
    key = lambda t: re.sub(r"\W+", " ", normalise(t)).strip().lower()  # noqa: E731
    if doc.article.meta.title and key(line) == key(doc.article.meta.title):
        return False
    if any(key(line) == key(doc.text[b.span.start : b.span.end]) for b in before if b.kind == "title"):
        return False  # a repeated headline
    lower = sum(1 for w in words if re.match(r"[a-z]", w))
    if lower < len(words) / 2:
        return False
    if any(b.kind == "body" for b in before):
        return True
    return any(b.kind == "title" for b in before) and (len(words) >= 2 * MIN_TEXT_LINE_WORDS or bool(re.search(r",\s+\w+(?:\s+\w+){3}", line)))


@component("clean", assigns=("blocks", "title"))
def clean(doc: Doc) -> Doc:
    rules = [(re.compile(r.pattern), r) for r in doc.resources.rules.furniture]
    norm = doc.norm
    blocks: list[Block] = []
    body_seen = 0
    cut_from: int | None = None
    for i, span in enumerate(_lines(doc.text)):
        line = norm[span.start : span.end].strip()
        kind, rule_id = "", ""
        for rx, rule in rules:
            if rx.match(line):
                kind, rule_id = rule.action, rule.id
                break
        if kind == "cut_rest":
            cut_from = i
            blocks.append(Block(span, "furniture", rule_id))
            break
        if kind == "dateline" and body_seen >= BODY_LINES_BEFORE_APPENDED:
            # Another story follows: it starts at the title line just before this timestamp.
            start = len(blocks)
            while start > 0 and blocks[start - 1].kind in ("title", "furniture"):
                start -= 1
                if blocks[start].kind == "title":
                    break
            for b in blocks[start:]:
                b.kind, b.rule = "appended", "clean.appended-story"
            cut_from = i
            blocks.append(Block(span, "appended", "clean.appended-story"))
            break
        if kind:
            blocks.append(Block(span, {"drop": "furniture"}.get(kind, kind), rule_id))
        elif _title_like(line) and not _text_line(line, blocks, doc):
            blocks.append(Block(span, "title", "clean.title-like"))
        else:
            blocks.append(Block(span, "body", "clean.body"))
            body_seen += 1
    if cut_from is not None:
        last = blocks[-1].span.end
        if last < len(doc.text.rstrip()):
            blocks.append(Block(Span(last, len(doc.text.rstrip())), "appended" if blocks[-1].kind == "appended" else "furniture",
                                blocks[-1].rule))
    doc.blocks = blocks
    _choose_title(doc)
    return doc


def _choose_title(doc: Doc) -> None:
    meta_title = doc.article.meta.title
    key = lambda s: re.sub(r"\W+", " ", normalise(s)).strip().lower()  # noqa: E731
    if meta_title:
        doc.title, doc.title_basis = meta_title, "metadata"
        for b in doc.blocks:
            if key(doc.text[b.span.start : b.span.end]) == key(meta_title):
                doc.title_span = b.span
                break
        return
    doc.title_basis = "text"
    first_body = next((b for b in doc.blocks if b.kind == "body"), None)
    for b in doc.blocks:
        if b is first_body:
            break
        if b.kind == "title":
            doc.title, doc.title_span = doc.text[b.span.start : b.span.end], b.span
            return
    if first_body is not None:
        text = doc.text[first_body.span.start : first_body.span.end]
        end = re.search(r"[.!?](?:\s|$)", text)
        doc.title = (text[: end.start()] if end else text)[:160].strip()
        doc.title_span = Span(first_body.span.start, first_body.span.start + len(doc.title))
    else:
        doc.title = doc.article.meta.file_name
