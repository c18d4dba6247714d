"""Which statement each figure belongs to, when a sentence holds more than one voice.

Used by the ``claims`` component:

* :func:`owner` — two speakers set side by side in one sentence (:func:`contrasted`) each keep their own figures: "X reported 60 dead;
  however, residents say 64" (a figure goes to the nearest speaker whose cue comes before it, or,
  before every cue, to the first speaker after it: "Five died, X said, while Y put it at 7");
* :func:`continues` — a sentence of figures with no speaker of its own right after a speaker's
  reported statement continues it ("X said two shells hit the depot. 14 people were killed.").
"""

from __future__ import annotations

import re

from .doc import Attribution, Doc, FigureMention

__all__ = ["owner", "contrasted", "continues", "CONTINUATION_MIN_WORDS"]

#: A statement continues into the next sentence only when its cue is followed by at least this many words.
CONTINUATION_MIN_WORDS = 3
_CONTRAST = re.compile(r"\b(?:however|but|while|whereas|although|though|yet)\b|;", re.I)


def _anchor(att: Attribution) -> int:
    return min(att.cue.start, att.region.start) if att.region is not None else att.cue.start


def contrasted(doc: Doc, atts: list[Attribution]) -> bool:
    """Whether the voices of one sentence stand side by side ("X reported 60; however, residents say 64")
    rather than one inside another's report ("X confirmed ..., Y told a briefing")."""
    ordered = sorted(atts, key=_anchor)
    return any(_CONTRAST.search(doc.norm, _anchor(a), b.cue.start) for a, b in zip(ordered, ordered[1:], strict=False))


def owner(fig: FigureMention, atts: list[Attribution]) -> Attribution:
    """Of the attributions of one sentence (at least two), the one whose statement holds ``fig``."""
    pos = fig.figure.span.start
    before = [a for a in atts if a.cue.end <= pos and _anchor(a) <= pos]
    if before:
        last = max(before, key=lambda a: a.cue.end)
        if not any(last.cue.end <= _anchor(o) <= pos for o in atts if o is not last):
            return last
    after = [a for a in atts if _anchor(a) > pos]
    if after:
        return min(after, key=_anchor)
    return max(before, key=lambda a: a.cue.end) if before else atts[0]


def continues(doc: Doc, att: Attribution, sentence: int) -> bool:
    """Whether ``sentence`` (figures, no speaker of its own) continues the statement ``att`` made in
    the sentence just before it, in the same paragraph."""
    if att.continuation or att.sentence != sentence - 1 or att.speaker.kind == "outlet":
        return False
    prev, here = doc.sentences[att.sentence], doc.sentences[sentence]
    if prev.title or here.title or prev.paragraph != here.paragraph:
        return False
    text = doc.norm[here.span.start : here.span.end]
    if re.match(r"\s*(?:(?:more|fewer|less)\s+than\s+|at\s+least\s+|about\s+|some\s+|another\s+)?[\w,-]+\s+(?:others|more)\b", text, re.I):
        return True  # "More than 60 others were injured."
    after = doc.norm[att.cue.end : prev.span.end]
    return len(after.split()) >= CONTINUATION_MIN_WORDS and (att.region is None or att.region.start <= att.cue.start) \
        and not re.search(r",\s*\S+(?:\s+\S+){0,8}\s+(?:said|says|reported|told|added)\b(?:\s+[^\s,]+){0,6}\W*$", doc.norm[prev.span.start : prev.span.end])
