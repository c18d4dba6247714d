"""``dates``: find date expressions and resolve them against the publication date.

"on Thursday" is the latest Thursday on or before publication; "February 7" without a
year is the latest such day on or before publication. Without a publication date,
relative expressions stay unresolved (``precision == "unresolved"``), never guessed.

An article whose metadata gives no publication date is dated, when it can be, by
:func:`infer_published`: a dateline ("OSLO, Oct. 12, 2021 (Reuters) -", "09.06.2020, Moscow."),
a date in its address (``/2018/07/31/``, ``/20230104/``), or else the latest absolute date it
states. The article then carries that date with ``date_basis`` "inferred: <basis>".
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import replace

from ..model import PartialDate, Span
from .doc import DateMention, Doc
from .pipeline import component

__all__ = ["dates", "find_dates", "resolve_weekday", "infer_published", "DATELINE_BLOCKS", "BACKGROUND_WINDOW_CHARS",
           "YEAR_FROM_PUBLICATION_MONTH", "AFTER_PREVIOUS_DATE"]

#: A dateline stands in one of the first blocks of the page.
DATELINE_BLOCKS = 4

_CASELESS_KINDS = {"offset", "week", "month_offset", "prior", "after_previous"}
#: Bases of a date completed from the text around it (:attr:`DateMention.basis`).
YEAR_FROM_PUBLICATION_MONTH = "date.year-from-publication-month"
AFTER_PREVIOUS_DATE = "date.after-previous-date"
#: The basis of a publication date read as the latest day the text states (a bound from below).
LATEST_STATED = "the latest date the text states"
#: How far before a stated date :data:`_BACKGROUND` looks.
BACKGROUND_WINDOW_CHARS = 80
#: A day after these words is not a day the report could be from: "last April 15" lies in an earlier year,
#: "since", "until" and "by" bound a period.
_NOT_THE_REPORT = re.compile(r"\b(?:last|next|since|from|until|till|by|before|after)\s+(?:the\s+)?$", re.I)
#: A date that says when a war began is background, never the day of the report ("The war began on April 15, 2023").
_BACKGROUND = re.compile(r"\b(?:war|conflict|crisis|fighting|insurgency|uprising|revolution|coup|invasion|occupation)\b[^.;]{0,60}?"
                         r"\b(?:began|begun|started|erupted|broke\s+out|since)\b[^.;]*$", re.I)


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
    """Date mentions in ``text`` (normalised), non-overlapping, earlier rules first.

    Known only to the month of publication, an article's "April 1" takes the year that puts it in or
    before that month; with no date at all it stays unresolved.
    """
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
            basis = None
            if precision == "unresolved" and doc.published_month is not None and rule.kind in ("month_day", "month") \
                    and not m.groupdict().get("year"):
                begin, precision, basis = _year_from_month(doc, rule.kind, m)
            taken.append(span)
            found.append(DateMention(span, begin, end, precision, rule.id, basis))
    yield from sorted(found, key=lambda d: d.span)


def _year_from_month(doc: Doc, kind: str, m: re.Match[str]) -> tuple[PartialDate | None, str, str | None]:
    """A day or month without a year in an article known only to its month of publication: that
    month's year, or the year before for a day later in the year than that month."""
    month = doc.resources.rules.month_values[m.group("month").lower()]
    day = int(m.group("day")) if kind == "month_day" else 1
    pm = doc.published_month
    assert pm is not None
    year = pm.year if month <= pm.month else pm.year - 1
    if (d := _day(year, month, day)) is None:
        return None, "unresolved", None
    if kind == "month":
        return PartialDate(year, month), "month", YEAR_FROM_PUBLICATION_MONTH
    return PartialDate.of(d), "day", YEAR_FROM_PUBLICATION_MONTH


def _after_previous(doc: Doc, found: list[DateMention]) -> None:
    """"the next day", "two days later": counted from the last day the text gave before it."""
    kinds = {r.id: r for r in doc.resources.rules.dates}
    last: DateMention | None = None
    for i, d in enumerate(found):
        rule = kinds.get(d.rule)
        if rule is not None and rule.kind == "after_previous":
            if last is not None and last.begin is not None and last.begin.day is not None:
                day = last.begin.first_day + dt.timedelta(days=rule.days or 0)
                found[i] = d = replace(d, begin=PartialDate.of(day), precision="day", basis=AFTER_PREVIOUS_DATE)
            else:
                continue
        if d.precision == "day" and d.begin is not None and d.end is None:
            last = d


def _resolve(rule, m: re.Match[str], pub: dt.date | None, rules) -> tuple[PartialDate | None, PartialDate | None, str]:  # type: ignore[no-untyped-def]
    g = m.groupdict()
    year = int(g["year"]) if g.get("year") else None
    kind = rule.kind
    if kind == "prior":
        return None, None, "prior"
    if kind == "after_previous":
        return None, None, "unresolved"  # completed by _after_previous  # "previously said": before the report, date unknown
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


def _month_number(doc: Doc, name: str) -> int | None:
    return doc.resources.rules.month_values.get(name.lower().rstrip("."))


def _day(y: int, m: int, d: int) -> dt.date | None:
    try:
        return dt.date(y, m, d)
    except ValueError:
        return None


def _url_date(doc: Doc, url: str) -> tuple[dt.date | None, PartialDate | None]:
    """(day, month) a page address states: ``/2018/07/31/``, ``/2018/jul/31/``, ``/20230104/``, ``/2018/09/``."""
    m = re.search(r"/((?:19|20)\d\d)[/-](\d{1,2})[/-](\d{1,2})(?:[/._-]|$)", url)
    if m and (d := _day(int(m.group(1)), int(m.group(2)), int(m.group(3)))):
        return d, None
    m = re.search(r"/((?:19|20)\d\d)/([A-Za-z]{3,9})/(\d{1,2})(?:[/._-]|$)", url)
    if m and (mo := _month_number(doc, m.group(2))) and (d := _day(int(m.group(1)), mo, int(m.group(3)))):
        return d, None
    m = re.search(r"[/_-]((?:19|20)\d\d)(0[1-9]|1[0-2])([0-3]\d)(?:[/._-]|$)", url)
    if m and (d := _day(int(m.group(1)), int(m.group(2)), int(m.group(3)))):
        return d, None
    m = re.search(r"/((?:19|20)\d\d)/(0?[1-9]|1[0-2])/", url)
    if m:
        return None, PartialDate(int(m.group(1)), int(m.group(2)))
    return None, None


def _stated_dates(doc: Doc, text: str) -> list[tuple[int, dt.date]]:
    """Absolute dates with a year in ``text``: (offset, date)."""
    months = "|".join(sorted((r.pattern for r in doc.resources.rules.months), key=len, reverse=True))
    out = []
    for m in re.finditer(rf"\b(?P<mon>{months})\.?\s+(?P<d>\d{{1,2}})(?:st|nd|rd|th)?,?\s*(?P<y>(?:19|20)\d\d)\b|"
                         rf"\b(?P<d2>\d{{1,2}})(?:st|nd|rd|th)?\s+(?P<mon2>{months})\.?,?\s+(?P<y2>(?:19|20)\d\d)\b|"
                         r"\b(?P<d3>\d{1,2})\.(?P<m3>\d{1,2})\.(?P<y3>(?:19|20)\d\d)\b|"
                         r"\b(?P<y4>(?:19|20)\d\d)-(?P<m4>\d\d)-(?P<d4>\d\d)\b", text):
        g = m.groupdict()
        if g["mon"]:
            mo, d, y = _month_number(doc, g["mon"]), int(g["d"]), int(g["y"])
        elif g["mon2"]:
            mo, d, y = _month_number(doc, g["mon2"]), int(g["d2"]), int(g["y2"])
        elif g["m3"]:
            mo, d, y = int(g["m3"]), int(g["d3"]), int(g["y3"])
        else:
            mo, d, y = int(g["m4"]), int(g["d4"]), int(g["y4"])
        day = _day(y, mo, d) if mo else None
        if day is not None:
            out.append((m.start(), day))
    return out


def _yearless_dates(doc: Doc, text: str, anchors: list[tuple[int, dt.date]]) -> list[dt.date]:
    """Days stated without a year ("on 5th December", "Dec. 2"), each given the year that puts it
    nearest the nearest date with a year in ``anchors``; none without anchors."""
    if not anchors:
        return []
    months = "|".join(sorted((r.pattern for r in doc.resources.rules.months), key=len, reverse=True))
    out = []
    for m in re.finditer(rf"\b(?P<mon>{months})\.?\s+(?P<d>\d{{1,2}})(?:st|nd|rd|th)?\b(?![,.]?\s*(?:19|20)\d\d|\d|:)|"
                         rf"\b(?P<d2>\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?(?P<mon2>{months})\b(?!\.?,?\s*(?:19|20)\d\d)", text):
        before = text[max(0, m.start() - BACKGROUND_WINDOW_CHARS) : m.start()]
        if _BACKGROUND.search(before) or _NOT_THE_REPORT.search(before):
            continue
        mo = _month_number(doc, m.group("mon") or m.group("mon2"))
        day = int(m.group("d") or m.group("d2"))
        _, anchor = min(anchors, key=lambda a: abs(a[0] - m.start()))
        options = [d for y in (anchor.year - 1, anchor.year, anchor.year + 1) if mo and (d := _day(y, mo, day)) is not None]
        if options:
            out.append(min(options, key=lambda o: abs((o - anchor).days)))
    return out


def infer_published(doc: Doc) -> tuple[dt.date | None, PartialDate | None, str | None]:
    """(day, month, basis) of publication when the metadata lacks the day; (None, None, None) when unknown."""
    meta = doc.article.meta
    head_blocks = [b for b in doc.blocks if b.kind != "appended"][:DATELINE_BLOCKS]
    # a line the cleaner read as a dateline ("Updated January 3, 2023", "By Jo Roe | 3 Jan 2023") counts wherever it stands
    for b in head_blocks + [b for b in doc.blocks if b.kind == "dateline" and b not in head_blocks]:  # a dateline: "09.06.2020, Moscow.", "Published February 28, 2020", "| 2018-08-10 17:36"
        line = doc.norm[b.span.start : b.span.end]
        found = [(pos, d) for pos, d in _stated_dates(doc, line) if not _BACKGROUND.search(line[max(0, pos - BACKGROUND_WINDOW_CHARS) : pos])]
        if found and (b.kind in ("dateline", "furniture") or len(line.split()) <= 12 or found[0][0] <= 40):
            return found[0][1], None, f"dateline '{line[:60].strip()}'"
    url_day, url_month = _url_date(doc, meta.url or "")
    if url_day is not None:
        return url_day, None, f"date in the address {meta.url}"
    body = " ".join(doc.norm[b.span.start : b.span.end] for b in doc.blocks if b.kind in ("body", "title", "dateline"))
    anchored = [(pos, d) for pos, d in _stated_dates(doc, body) if not _BACKGROUND.search(body[max(0, pos - BACKGROUND_WINDOW_CHARS) : pos])]
    stated = [d for _, d in anchored]
    month = PartialDate.parse(meta.published_month) if meta.published_month else url_month
    year = month.year if month else None
    for b in head_blocks:  # a wire dateline without the year: "MOSCOW, August 9 /TASS/."
        months = "|".join(r.pattern for r in doc.resources.rules.months)
        m = re.match(rf"^[A-Z][A-Z .'-]+,\s+(?P<mon>{months})\.?\s+(?P<d>\d{{1,2}})\b", doc.norm[b.span.start : b.span.end])
        if m and (mo := _month_number(doc, m.group("mon"))):
            years = {year} if year else {d.year for d in stated}
            if len(years) == 1 and (d := _day(years.pop(), mo, int(m.group("d")))) is not None:
                return d, None, f"dateline '{m.group()}' and the year stated"
    if stated:
        latest = max(stated)
        completed = [d for d in _yearless_dates(doc, body, anchored) if d > latest]
        if completed and (month is None or (max(completed).year, max(completed).month) == (month.year, month.month)):
            return max(completed), None, f"{LATEST_STATED}, its year from the nearest date stated with one"
        if month is None or (latest.year, latest.month) == (month.year, month.month):
            return latest, None, LATEST_STATED
    if month is not None:
        return None, month, "month given with the article" if meta.published_month else f"month in the address {meta.url}"
    return None, None, None


@component("dates", requires=("sentences",), assigns=("dates", "published_month"))
def dates(doc: Doc) -> Doc:
    if doc.article.meta.published is None:
        day, month, basis = infer_published(doc)
        if day is not None:
            doc.article = replace(doc.article, meta=replace(doc.article.meta, published=day, date_basis=f"inferred: {basis}"))
        elif month is not None:
            doc.published_month = month
            doc.article = replace(doc.article, meta=replace(doc.article.meta, date_basis=f"inferred: {basis}"))
    found: list[DateMention] = []
    for s in doc.sentences:
        found.extend(find_dates(doc, doc.norm[s.span.start : s.span.end], s.span.start))
    _after_previous(doc, found)
    basis = doc.article.meta.date_basis or ""
    if doc.published is not None and basis.startswith("inferred: "):
        # an inferred day only bounds the publication from below: "the next day" after it is later still
        later = [d.begin.first_day for d in found if d.basis == AFTER_PREVIOUS_DATE and d.begin is not None]
        if later and max(later) > doc.published:
            meta = replace(doc.article.meta, published=max(later), date_basis=f"{basis}, counted on by 'the next day'")
            doc.article = replace(doc.article, meta=meta)
    doc.dates = found
    return doc
