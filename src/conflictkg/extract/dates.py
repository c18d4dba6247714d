"""``dates``: find date expressions and resolve them against the publication date.

"on Thursday" is the latest Thursday on or before publication; "February 7" without a
year is the latest such day on or before publication. Without a publication date,
relative expressions stay unresolved (``precision == "unresolved"``), never guessed.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator

from ..model import PartialDate, Span
from .doc import DateMention, Doc
from .pipeline import component

__all__ = ["dates", "find_dates", "resolve_weekday"]

_CASELESS_KINDS = {"offset", "week", "month_offset", "prior"}


def resolve_weekday(weekday: int, published: dt.date) -> dt.date:
    return published - dt.timedelta(days=(published.weekday() - weekday) % 7)


def _compiled(doc: Doc) -> list[tuple[re.Pattern[str], object]]:
    rules = doc.resources.rules
    weekday = "|".join(r.pattern for r in rules.weekdays)
    month = "|".join(sorted((r.pattern for r in rules.months), key=len, reverse=True))
    out = []
    for r in rules.dates:
        pattern = r.pattern.replace("{weekday}", f"(?:{weekday})").replace("{month}", f"(?:{month})")
        pattern = pattern.replace("{{", "{").replace("}}", "}")
        out.append((re.compile(pattern, re.IGNORECASE if r.kind in _CASELESS_KINDS else 0), r))
    return out


def find_dates(doc: Doc, text: str, offset: int = 0) -> Iterator[DateMention]:
    """Date mentions in ``text`` (normalised), non-overlapping, earlier rules first."""
    rules = doc.resources.rules
    pub = doc.published
    taken: list[Span] = []
    found: list[DateMention] = []
    for rx, rule in _compiled(doc):
        for m in rx.finditer(text):
            span = Span(offset + m.start(), offset + m.end())
            if any(span.overlaps(t) for t in taken):
                continue
            begin, end, precision = _resolve(rule, m, pub, rules)
            taken.append(span)
            found.append(DateMention(span, begin, end, precision, rule.id))
    yield from sorted(found, key=lambda d: d.span)


def _resolve(rule, m: re.Match[str], pub: dt.date | None, rules) -> tuple[PartialDate | None, PartialDate | None, str]:  # type: ignore[no-untyped-def]
    g = m.groupdict()
    year = int(g["year"]) if g.get("year") else None
    kind = rule.kind
    if kind == "prior":
        return None, None, "prior"  # "previously said": before the report, date unknown
    if kind == "month_day":
        month = rules.month_values[g["month"].lower()]
        day = int(g["day"])
        if year is None:
            if pub is None:
                return None, None, "unresolved"
            year = pub.year
            try:
                if dt.date(year, month, day) > pub:
                    year -= 1
            except ValueError:
                return None, None, "unresolved"
        try:
            d = dt.date(year, month, day)
        except ValueError:
            return None, None, "unresolved"
        return PartialDate.of(d), None, "day"
    if kind == "month":
        month = rules.month_values[g["month"].lower()]
        if year is None:
            if pub is None:
                return None, None, "unresolved"
            year = pub.year if month <= pub.month else pub.year - 1
        return PartialDate(year, month), None, "month"
    if pub is None:
        return None, None, "unresolved"
    if kind == "weekday":
        return PartialDate.of(resolve_weekday(rules.weekday_values[g["weekday"].lower()], pub)), None, "day"
    if kind == "weekday_range":
        a = resolve_weekday(rules.weekday_values[g["w1"].lower()], pub)
        b = resolve_weekday(rules.weekday_values[g["w2"].lower()], pub)
        if a > b:
            a -= dt.timedelta(days=7)
        return PartialDate.of(a), PartialDate.of(b), "day"
    if kind == "offset":
        return PartialDate.of(pub + dt.timedelta(days=rule.days or 0)), None, "day"
    if kind == "week":
        monday = pub - dt.timedelta(days=pub.weekday()) + dt.timedelta(weeks=rule.weeks or 0)
        last = min(monday + dt.timedelta(days=6), pub)
        return PartialDate.of(monday), PartialDate.of(last), "week"
    if kind == "month_offset":
        y, mo = pub.year, pub.month + (rule.months or 0)
        while mo < 1:
            y, mo = y - 1, mo + 12
        return PartialDate(y, mo), None, "month"
    return None, None, "unresolved"


@component("dates", requires=("sentences",), assigns=("dates",))
def dates(doc: Doc) -> Doc:
    found: list[DateMention] = []
    for s in doc.sentences:
        found.extend(find_dates(doc, doc.norm[s.span.start : s.span.end], s.span.start))
    doc.dates = found
    return doc
