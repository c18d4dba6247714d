"""Attribution lines: a speaker named after a dash or a "Source:" label, with no verb.

* a quotation closed by a dash and the speaker: ``"The gunners knew where they aimed," - Governor
  Lane.`` or ``... - the regional governor`` ending the paragraph;
* a line ``Source: Governor Lane`` (also "Sources:", "Via:") after a paragraph: that paragraph is
  the speaker's.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from ..model import Span
from .doc import Attribution, Doc, Sentence, Speaker
from .speakers import ORG_NAME_WORDS

if TYPE_CHECKING:  # pragma: no cover
    from .speakers import SpeakerResolver

__all__ = ["dash_attribution", "source_lines", "SOURCE_LINE_MAX_WORDS"]

#: A "Source:" line names a speaker in at most this many words.
SOURCE_LINE_MAX_WORDS = 14
_DASH = re.compile(r"""["']\s*,?\s*[-\u2013\u2014]{1,2}\s*(?P<speaker>[A-Za-z][^"\n]{1,120}?)\s*\.?\s*$""")
_ROLE_THEN_NAME = re.compile(r"(?:,\s*|\b(?:" + "|".join(re.escape(w) for w in ORG_NAME_WORDS) + r")\s+)"
                             r"((?:[A-Z][\w'.-]*\s+){0,2}[A-Z][\w'-]+)$")
_QUOTE_LABEL = re.compile(r"(?:Quotes?|Details)\s*:\s*")
_CHANNEL_TAIL = re.compile(r",?\s+(?:on|in|via)\s+(?:his|her|its|their|the\s+)?\s*(?:Telegram|Facebook|X|Twitter|Instagram|"
                           r"VKontakte|WhatsApp|YouTube|TikTok|television|TV|radio|a\s+video)(?:\s+(?:channel|page|account|post))?\s*$")
_SOURCE = re.compile(r"(?:Sources?|Via)\s*:\s*(?P<speaker>.+?)\s*\.?\s*$")


def _resolve(doc: Doc, resolver: SpeakerResolver, span: Span, rules: list[str]) -> Speaker | None:
    """The speaker of a line: "Head of the Regional Administration(,) Ana Lane" is Ana Lane, with that role."""
    text = doc.norm[span.start : span.end]
    m = _ROLE_THEN_NAME.search(text)
    if m is not None and text[: m.start(1)].strip(" ,"):
        name = Span(span.start + m.start(1), span.start + m.end(1))
        person = resolver.at(name.start).resolve(name, rules=rules)
        if person is not None and person.person:
            resolver.add_role(person, text[: m.start(1)].strip(" ,"), None)
            return person
    return resolver.at(span.start).resolve(span, rules=rules)


def dash_attribution(doc: Doc, resolver: SpeakerResolver, s: Sentence) -> Attribution | None:
    """``"...," - Head of the regional administration Lane.``: the speaker after the closing quote and dash."""
    m = _DASH.search(doc.norm, s.span.start, s.span.end)
    if m is None or not s.quotes or len(m.group("speaker").split()) > SOURCE_LINE_MAX_WORDS:
        return None
    span = Span(m.start("speaker"), m.end("speaker"))
    rules = ["attr.dash-speaker"]
    speaker = _resolve(doc, resolver, span, rules)
    if speaker is None or speaker.kind == "outlet":
        return None
    return Attribution(sentence=s.index, speaker=speaker, cue=Span(m.start(), m.end()), rules=rules, region=span)


def source_lines(doc: Doc, resolver: SpeakerResolver, taken: set[int]) -> list[Attribution]:
    """A "Source: X" line after a paragraph: the paragraph's sentences not yet attributed are X's."""
    out = []
    body = [b for b in doc.blocks if b.kind in ("body", "title")]
    for i, b in enumerate(body):
        m = _SOURCE.match(doc.norm, b.span.start, b.span.end)
        if m is None or i == 0 or len(m.group("speaker").split()) > SOURCE_LINE_MAX_WORDS:
            continue
        prev = body[i - 1]
        sentences = [s for s in doc.sentences if not s.title and prev.span.contains(s.span) and s.index not in taken]
        if prev.kind != "body":
            sentences = []
        nxt = body[i + 1] if i + 1 < len(body) else None
        if nxt is not None and _QUOTE_LABEL.match(doc.norm, nxt.span.start, nxt.span.end):
            # "Source: Ana Lane, head of the region, on Telegram" / "Quote: \"...\"": the quoted paragraph is hers
            sentences += [s for s in doc.sentences if not s.title and nxt.span.contains(s.span) and s.index not in taken]
        if not sentences:
            continue
        span = Span(m.start("speaker"), m.end("speaker"))
        channel = _CHANNEL_TAIL.search(doc.norm, span.start, span.end)
        if channel is not None:
            span = Span(span.start, channel.start())
        rules = ["attr.source-line"]
        comma = doc.norm.find(",", span.start, span.end)
        speaker = None
        if comma > span.start and re.fullmatch(r"(?:[A-Z][\w'.-]*\s+){1,3}[A-Z][\w'-]*", doc.norm[span.start : comma]):
            # "Ana Lane, Head of the Regional Administration": the name, with that role
            name = Span(span.start, comma)
            speaker = resolver.at(name.start).resolve(name, rules=rules)
            if speaker is not None and speaker.person:
                resolver.add_role(speaker, doc.norm[comma + 1 : span.end].strip(" ,"), None)
            else:
                speaker = None
        speaker = speaker or _resolve(doc, resolver, span, rules)
        if speaker is None:
            continue
        for s in sentences:
            out.append(Attribution(sentence=s.index, speaker=speaker, cue=span, rules=list(rules), region=span))
        resolver.spoke(speaker)
    return out
