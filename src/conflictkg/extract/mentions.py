"""``mentions``: find the dictionary's actors and places in the body text."""

from __future__ import annotations

from ..model import Span
from .doc import Doc, Mention
from .pipeline import component

__all__ = ["mentions"]


@component("mentions", requires=("sentences",), assigns=("mentions",))
def mentions(doc: Doc) -> Doc:
    dictionary = doc.resources.dictionary
    cs, ci, _ = dictionary.alias_index
    found: list[Mention] = []
    for s in doc.sentences:
        candidates = []
        for rx in (cs, ci):
            for m in rx.finditer(doc.norm, s.span.start, s.span.end):
                candidates.append((m.start(), -(m.end() - m.start()), m.end()))
        taken_until = -1
        for start, _neg, end in sorted(candidates):
            if start < taken_until:
                continue
            surface = doc.norm[start:end]
            actor, place = dictionary.lookup(surface)
            if actor is None and place is None:
                continue
            found.append(Mention(Span(start, end), doc.text[start:end], actor=actor, place=place))
            taken_until = end
    doc.mentions = found
    return doc
