"""The date of a reported statement: "said on Monday", "On June 7, the agency reported that",
"Initially, X disclosed on 1 December that"; and "X stated this on Tuesday", which dates the
statements of X just before it. A date that bounds a period ("since March 22") never dates one.
"""

from __future__ import annotations

import re

from ..model import Span
from .doc import Attribution, DateMention, Doc, Sentence

__all__ = ["claim_date", "document_date", "date_back", "date_statements", "DATE_GAP_CHARS", "STATEMENT_DATE_WINDOW_CHARS", "DATE_SLOT"]

#: How much text around a date the statement-date rules (data/rules/statement_dates.jsonl) read.
STATEMENT_DATE_WINDOW_CHARS = 60
#: Where the date stands in a statement-date rule's pattern.
DATE_SLOT = "<DATE>"
#: A date this close after the cue ("said in a statement Thursday") dates the claim.
DATE_GAP_CHARS = 70
#: A date after these words bounds a period ("operations since March 22"): it never dates the statement.
SPAN_START = re.compile(r"\b(?:since|from|until|till|between|through)\s+$", re.I)


def document_date(doc: Doc, s: Sentence, region: Span | None) -> DateMention | None:
    """The day the speaker phrase gives the document it names: "according to a report published on
    5 April by the monitors", "a bulletin the agency issued on Monday" (data/rules/statement_dates.jsonl)."""
    if region is None:
        return None
    for d in doc.dates_in(region):
        if d.begin is not None and not s.in_quote(d.span.start) and _in_slot(doc, d, _slot_rules(doc), region.start, region.end):
            return d
    return None


def claim_date(doc: Doc, s: Sentence, region: Span | None, cue: Span) -> DateMention | None:
    """The date of the statement a cue at ``cue`` reports, its speaker at ``region``: a date in the
    speaker's clause, right after the cue ("said on Monday"), or opening the sentence; None if none."""
    norm = doc.norm
    content_after = len(norm[cue.end : s.span.end].split()) >= 3
    if region is not None and region.start >= cue.end:  # "..., said early Sunday the committee", "said a Sunday statement"
        for d in doc.dates_in(Span(cue.end, region.end)):
            if d.begin is not None and not s.in_quote(d.span.start):
                return d
    def right_after(d: DateMention) -> bool:  # "said on 1 December", "said in a statement on Monday"
        gap = norm[cue.end : d.span.start]
        return 0 <= d.span.start - cue.end <= DATE_GAP_CHARS and (
            not gap.strip() or re.fullmatch(r"\s*(?:in|at(?!\s+(?:least|most)\b)|to|during|on)\s+[^,.;\"]*?\s*", gap) is not None)

    stated = [d for d in doc.dates_in(s.span) if d.begin is not None and not s.in_quote(d.span.start) and right_after(d)]
    for d in doc.dates_in(s.span):
        if d.precision == "prior" and stated:
            continue  # "Initially, X disclosed on 1 December that": the date given wins
        if d.precision == "prior" and region is not None and d.span.end <= cue.start and not s.in_quote(d.span.start) and (
                d.span.start - s.span.start <= 3 or region.start <= d.span.start and d.span.end <= region.end
                or len(norm[d.span.end : cue.start].split()) <= 1):
            return d  # "Previously X said": made before the report, on a date the text does not give
        if s.in_quote(d.span.start) or d.begin is None:
            continue
        if region is not None and region.start <= d.span.start and d.span.end <= cue.start:
            return d

        if d in stated:
            return d
        if region is not None and d.span.start - s.span.start <= 3 and norm[d.span.end : d.span.end + 1] == ",":
            return d
    for d in doc.dates_in(s.span):
        if region is not None and content_after and d.begin is not None and d.span.end <= min(region.start, cue.start) \
                and not s.in_quote(d.span.start) and not SPAN_START.search(norm[s.span.start : d.span.start]):
            return d  # "On June 7, the agency reported that ...", "X acknowledged it Monday, with Y saying ..."
    return None


#: "X stated this in a video on Tuesday": a sentence that dates what the speaker said before it.
STATED_THIS = re.compile(r"\b(?:stated|said|disclosed|revealed|announced|made|wrote|posted|gave)\s+(?:this|these|th(?:is|ese)\s+(?:remarks?|comments?|claims?))\b",
                          re.I)


def date_back(doc: Doc, out: list[Attribution]) -> None:
    """A dated "X stated this on Tuesday" dates X's undated statements just before it."""
    for i, f in enumerate(out):
        if f.date is None or f.date.begin is None or not STATED_THIS.search(doc.norm, f.cue.start, doc.sentences[f.sentence].span.end):
            continue
        for g in reversed(out[:i]):
            if g.speaker.iri != f.speaker.iri:
                break
            if g.date is None:
                g.date = f.date
                g.rules.append("attr.dated-by-later-sentence")


def _slot_rules(doc: Doc, prefix: str = "") -> list[re.Pattern[str]]:
    """The rules of data/rules/statement_dates.jsonl whose id starts with ``prefix``, the date slot a NUL."""
    return [re.compile(r.pattern.replace(DATE_SLOT, "\x00"), re.I) for r in doc.resources.rules.statement_dates if r.id.startswith(prefix)]


def _in_slot(doc: Doc, d: DateMention, rules: list[re.Pattern[str]], lo: int | None = None, hi: int | None = None) -> bool:
    """Whether date ``d`` stands in the date slot of one of ``rules`` (text read from ``lo`` to ``hi``)."""
    lo = max(0, d.span.start - STATEMENT_DATE_WINDOW_CHARS) if lo is None else lo
    hi = d.span.end + STATEMENT_DATE_WINDOW_CHARS if hi is None else hi
    window = doc.norm[lo : d.span.start] + "\x00" + doc.norm[d.span.end : hi]
    return any(rx.search(window) for rx in rules)


def _dated_statement(doc: Doc) -> DateMention | None:
    """The one day the article gives its statement elsewhere ("whose statement issued late Thursday",
    "Thursday's statement"); None when it gives none or several different days."""
    rules = _slot_rules(doc, "statement-date.")
    norm = doc.norm
    found: dict[str, DateMention] = {}
    for d in doc.dates:
        if d.begin is None or d.precision != "day" or (doc.published is not None and d.begin.first_day > doc.published):
            continue
        if _in_slot(doc, d, rules):
            found.setdefault(str(d.begin), d)
    return next(iter(found.values())) if len(found) == 1 else None


def date_statements(doc: Doc, out: list[Attribution]) -> None:
    """An undated "X said in a statement" takes the day the article gives that statement elsewhere,
    when one speaker's statements are undated; the statements that continue it (same speaker, next
    in the text, undated, a pronoun or a quote's continuation: "It confirmed ...") take it too."""
    undated = [a for a in out if a.channel == "statement" and a.date is None]
    if not undated or len({a.speaker.iri for a in undated}) != 1:
        return
    d = _dated_statement(doc)
    if d is None:
        return
    speaker = undated[0].speaker.iri
    carrying = False
    for a in out:
        if a in undated:
            carrying = True
        elif a.speaker.iri != speaker or a.date is not None or not (a.continuation or "speaker.pronoun" in a.rules):
            carrying = False  # "It confirmed ..." continues it; "the military said it had killed ..." is another statement
            continue
        elif not carrying:
            continue
        a.date = d
        a.rules.append("attr.statement-dated-elsewhere")
