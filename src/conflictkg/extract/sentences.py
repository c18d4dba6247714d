"""``sentences``: split body paragraphs into sentences and find their quotations."""

from __future__ import annotations

import re

from ..model import Span
from .doc import Doc, Sentence
from .pipeline import component

__all__ = ["sentences", "quote_spans"]

_WHITESPACE = re.compile(r"\s*")
#: A sentence ends before a space and a capital, before a quote and a capital, or, in pages that lost the space,
#: at a full stop glued between a lower-case word and a capitalised one ("the top priority.A UN envoy warned").
_BOUNDARY = re.compile(r"""[.!?]+["')\]]*(?=\s+["'(\[]?[A-Z0-9])|(?<=[a-z])[.!?]+(?="[A-Z])|(?<=[a-z]{2})[.!?](?=[A-Z][a-z]*\s)""")


def quote_spans(norm: str, span: Span) -> list[Span]:
    """Quotations in a paragraph of normalised text (straight double quotes or doubled single quotes, paired in order)."""
    out, start = [], None
    for m in re.finditer(r""""|(?<!')''(?!')""", norm[span.start : span.end]):
        pos = span.start + m.start()
        if start is None:
            start = pos
        else:
            out.append(Span(start, pos + len(m.group())))
            start = None
    if start is not None:  # an unclosed quotation runs to the end of the paragraph
        out.append(Span(start, span.end))
    return out


@component("sentences", requires=("blocks",), assigns=("sentences",))
def sentences(doc: Doc) -> Doc:
    rules = doc.resources.rules
    abbreviations = {a.pattern.lower() for a in rules.abbreviations}
    norm = doc.norm
    out: list[Sentence] = []
    if doc.title_span is not None and doc.title_span.start < len(doc.text) and any(
            b.kind == "title" and b.span.contains(doc.title_span) for b in doc.blocks):
        out.append(Sentence(doc.title_span, -1, 0, quotes=quote_spans(norm, doc.title_span), title=True))
    for paragraph, block in enumerate(b for b in doc.blocks if b.kind == "body"):
        quotes = quote_spans(norm, block.span)
        start, first = block.span.start, len(out)
        for m in _BOUNDARY.finditer(norm, block.span.start, block.span.end):
            end = m.end()
            dot = m.start()
            if any(q.start < dot < q.end - 1 for q in quotes):
                continue  # inside a quotation
            word = re.search(r"([\w.]+)$", norm[start:dot])
            token = word.group(1).lower() if word else ""
            if token in abbreviations or f"{token}." in abbreviations or re.fullmatch(r"[a-z]", token) or re.fullmatch(r"(?:[a-z]\.)+[a-z]", token):
                continue
            out.append(Sentence(Span(start, end), paragraph, len(out)))
            start = _WHITESPACE.match(norm, end).end()
        if start < block.span.end:
            out.append(Sentence(Span(start, block.span.end), paragraph, len(out)))
        for s in out[first:]:
            s.quotes = [q for q in quotes if q.overlaps(s.span)]
    doc.sentences = out
    return doc
