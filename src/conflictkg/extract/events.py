"""``events``: event mentions, the article's events, and which event each claim is about.

Mentions: triggers (``data/rules/event_triggers.jsonl``: "air strike", "ambush", "clashes",
"shot down", "were killed", ...) and anaphora (``event_anaphora.jsonl``: "the incident", "the
tragedy"), each with its type, its date (the nearest date of its sentence that does not date a
statement), its place (the nearest place of its sentence, see :mod:`.places`) and the actors of
its sentence. A trigger after "the", "this", "its" or a possessive ("Thursday's strike") refers
back.

One event per real event within an article: in text order, a mention that refers back joins
the latest event it is compatible with (family, place, time); a mention with a date or a place
of its own joins the latest compatible event, or opens a new one when none is (a second date,
another district); a mention with neither joins the latest event of its family, or opens the
first. Weak triggers ("were killed") and plural ones ("attacks") never open an event without a
date or a place. A claim is about the event mentioned in its evidence (the most mentioned when
several are), else about the article's main event (the most mentioned).

The article's events are its *reports*: keyed ``<article key>-<n>`` until
:mod:`conflictkg.event_linking` joins the reports of one real event across articles and names
the event they share.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache

from ..model import EventRecord, PartialDate, Span
from .doc import DateMention, Doc, EventMention
from .pipeline import component

__all__ = ["events", "families_of", "DAY_TOLERANCE", "PLACE_REACH"]

#: A day date this many days from a week or a month can date the same event within an article
#: (across articles, conflictkg.event_linking allows as much between two days: time zones, midnight).
DAY_TOLERANCE = 1
#: A place this many characters or fewer from a trigger is where the trigger happened, before any farther one.
PLACE_REACH = 120
_DEFINITE = re.compile(r"(?:\b(?:the|this|that|these|those|its|their|his|her|latest|same|such)\s+(?:[\w-]+\s+){0,3}|'s\s+(?:[\w-]+\s+){0,2})$",
                       re.I)
_PLURAL = re.compile(r"(?:s|es)$")
#: A date ending this close before a trigger is its own ("Thursday's strike", "the March 17 incident").
_OWN_DATE_GAP = 14
_LOCATIVE_GAP = re.compile(r"\b(?:in|at|near|from|inside|outside)\b", re.I)
#: A trigger that requires a place needs it this close after it ("captured the salt-mining town of X").
_PLACE_AFTER = 40
#: Mentions after these words are times of reference ("since the start of the offensive").
_BACKGROUND = re.compile(r"\bsince\s+(?:the\s+)?(?:(?:start|beginning|outbreak|launch)\s+of\s+)?(?:the\s+|its\s+|their\s+)?(?:[\w-]+\s+){0,2}$", re.I)
#: A date after "since ..." in its clause is a time of reference ("since the start of the offensive in February").
_SINCE = re.compile(r"\bsince\b[^,.;:]*$", re.I)
#: A past-tense verb right before a date ("prepared Friday", "announced on Thursday").
_VERB_BEFORE = re.compile(r"\b(?P<verb>[a-z]+ed)\s+(?:on\s+)?$")
#: A date this close to a statement's cue ("said on Monday", "on Thursday, the ministry said") dates the statement.
_STATEMENT_REACH = 30
#: "MOSCOW, August 9./TASS/.": the date of a dateline dates the report, not an event.
_DATELINE = re.compile(r"(?:^|\n)[^\S\n]*[A-Z][A-Z .'-]+,[^\S\n]*$")


def families_of(doc_or_rules, types) -> set[str]:  # type: ignore[no-untyped-def]
    rules = getattr(doc_or_rules, "resources", None)
    rules = rules.rules if rules is not None else doc_or_rules
    return {f.family for f in rules.event_families for t in types if t in f.types}


def _date_for(doc: Doc, span: Span, sentence_span: Span, mine) -> DateMention | None:  # type: ignore[no-untyped-def]
    """The date of an event mention: the nearest date of its sentence that does not date a
    statement and is nearer to it than to another trigger."""
    claim_dates = {id(a.date) for a in doc.attributions if a.date is not None
                   and min(abs(a.date.span.start - a.cue.end), abs(a.cue.start - a.date.span.end)) <= _STATEMENT_REACH}
    cues = _left_cues(doc)
    dated = [d for d in doc.dates_in(sentence_span) if d.begin is not None and id(d) not in claim_dates
             and d.precision in ("day", "week", "month")
             and not _said_on(doc, d, span, sentence_span, cues)
             and not _DATELINE.search(doc.norm[max(0, d.span.start - 40) : d.span.start])
             and not doc.norm[d.span.start : d.span.end].lower().startswith("since")
             and not _SINCE.search(doc.norm[max(sentence_span.start, d.span.start - 50) : d.span.start])
             and not _other_verb(doc, d, span) and mine(d.span)]
    if not dated:
        return None
    return min(dated, key=lambda d: min(abs(d.span.start - span.end), abs(span.start - d.span.end)))


def _said_on(doc: Doc, d: DateMention, trigger: Span, sentence_span: Span, cues: list[re.Pattern[str]]) -> bool:
    """A date a few words after a statement's cue dates the statement ("Konashenkov told the media
    on Tuesday", "said Monday"), unless the trigger comes between them ("said the attack was on Monday")."""
    start = max(sentence_span.start, d.span.start - 60)
    before = doc.norm[start : d.span.start]
    for rx in cues:
        m = rx.search(before)
        if m is not None and not (start + m.start() <= trigger.start < d.span.start):
            return True
    return False


def _other_verb(doc: Doc, d: DateMention, trigger: Span) -> bool:
    """A date right after a verb other than the trigger dates that verb ("prepared Friday to
    discuss an air strike"), unless the verb is the trigger ("were killed on Thursday")."""
    base = max(0, d.span.start - 30)
    m = _VERB_BEFORE.search(doc.norm[base : d.span.start])
    if m is None:
        return False
    verb_end = base + m.end("verb")
    return not (trigger.start < verb_end <= trigger.end)


def _left_cues(doc: Doc) -> list[re.Pattern[str]]:
    return _cues(doc.resources.rules)


@lru_cache(maxsize=4)
def _cues(rules) -> list[re.Pattern[str]]:  # type: ignore[no-untyped-def]
    return [re.compile(rf"(?<![\w-])(?:{c.pattern})\s+(?:[\w'-]+\s+){{0,3}}(?:on\s+|late\s+|early\s+)?$") for c in rules.cues
            if c.speaker == "left"]


@lru_cache(maxsize=4)
def _triggers(rules) -> list[tuple[re.Pattern[str], object, bool]]:  # type: ignore[no-untyped-def]
    out = [(re.compile(rf"(?<![\w-])(?:{r.pattern})(?![\w-])", re.I), r, False) for r in rules.event_triggers]
    return out + [(re.compile(rf"(?<![\w-])(?:{r.pattern})(?![\w-])", re.I), r, True) for r in rules.event_anaphora]


def is_trigger(rules, word: str) -> bool:  # type: ignore[no-untyped-def]
    """Whether a word is one of the event triggers ("Massacre" in "the Moura Massacre")."""
    return any(rx.fullmatch(word) for rx, _r, anaphor in _triggers(rules) if not anaphor)


def _place_for(doc: Doc, span: Span, sentence: int, mine) -> tuple[str | None, list[str]]:  # type: ignore[no-untyped-def]
    """The place of a trigger (the nearest place of its sentence that is nearer to it than to
    another trigger, a deeper one when it lies in that one), and every place of the sentence."""
    gaz = doc.resources.gazetteer
    everywhere = [m for m in doc.place_mentions if m.sentence == sentence]
    here = [m for m in everywhere if mine(m.span)]
    if not here:
        return None, sorted({m.place for m in everywhere})

    def distance(m) -> int:  # type: ignore[no-untyped-def]
        return _distance(span, m.span)

    nearest = min(here, key=lambda m: (distance(m), m.span))
    focus = nearest.place
    # A deeper place within reach that lies in the nearest one is more precise ("in Dahyan city in the province of Saada").
    for m in sorted(here, key=lambda m: (distance(m), m.span)):
        if distance(m) <= PLACE_REACH and m.place != focus and gaz.contains(focus, m.place):
            focus = m.place
    return focus, sorted({m.place for m in here})


def _distance(trigger: Span, target: Span) -> int:
    """How far a date or a place is from a trigger: after it counts as is, before it double."""
    return target.start - trigger.end if target.start >= trigger.end else (trigger.start - target.end) * 2


def _mentions(doc: Doc) -> list[EventMention]:
    rules = doc.resources.rules
    dictionary = doc.resources.dictionary
    compiled = _triggers(rules)
    out: list[EventMention] = []
    for s in doc.sentences:
        text = doc.norm[s.span.start : s.span.end]
        found = []
        for rx, r, anaphor in compiled:
            for m in rx.finditer(text):
                found.append((m.start(), -(m.end() - m.start()), m.end(), r, anaphor))
        taken_until = -1
        actors = sorted({dictionary.actors[mn.actor].iri for mn in doc.mentions_in(s.span)
                         if mn.actor and not dictionary.actors[mn.actor].is_media})
        triggers = []
        for start, _neg, end, r, anaphor in sorted(found, key=lambda f: (f[0], f[1])):
            if start < taken_until:
                continue
            taken_until = end
            span = Span(s.span.start + start, s.span.start + end)
            before = doc.norm[s.span.start : span.start]
            definite = bool(_DEFINITE.search(before))
            if anaphor and not definite:
                continue  # "an incident", "incidents": not a reference to a known event
            if _BACKGROUND.search(before):
                continue  # "since the start of the offensive": a time of reference, not an event reported
            if getattr(r, "requires_place", False) and not any(
                    0 <= m.span.start - span.end <= _PLACE_AFTER and not _LOCATIVE_GAP.search(doc.norm[span.end : m.span.start])
                    for m in doc.place_mentions if m.sentence == s.index):
                continue  # "captured the town of X", not "captured arms" nor "captured in X"
            triggers.append((span, r, anaphor, definite))
        spans = [t[0] for t in triggers]

        def mine(span: Span, target: Span) -> bool:
            """A date or a place of the sentence belongs to the trigger nearest to it."""
            return min(spans, key=lambda t: (_distance(t, target), t)) == span

        for span, r, anaphor, definite in triggers:
            place, places = _place_for(doc, span, s.index, lambda target, span=span: mine(span, target))
            surface = doc.norm[span.start : span.end]
            date = _date_for(doc, span, s.span, lambda target, span=span: mine(span, target))
            # "last Friday's air raid", "the Jan 1 strike": the date is the mention's own.
            own_date = date is not None and 0 <= span.start - date.span.end <= _OWN_DATE_GAP
            out.append(EventMention(span, s.index, None if anaphor else r.type, r.id, date, places,  # type: ignore[arg-type]
                                    actors, place=place, anaphoric=(anaphor or definite) and not own_date, weak=anaphor or r.weak,
                                    plural=bool(_PLURAL.search(surface)) and not surface.lower().endswith(("ss", "is"))))
    return sorted(out, key=lambda e: e.span)


@dataclass
class _Event:
    mentions: list[EventMention] = field(default_factory=list)

    @property
    def types(self) -> list[str]:
        return [m.type for m in self.mentions if m.type is not None]

    def dates(self) -> list[DateMention]:
        """The dates its mentions give, the most precise kind only (days over weeks over months)."""
        found = [m.date for m in self.mentions if m.date is not None and not m.anaphoric] or \
            [m.date for m in self.mentions if m.date is not None]
        for precision in ("day", "week", "month"):
            kept = [d for d in found if d.precision == precision]
            if kept:
                return kept
        return found

    def places(self) -> list[str]:
        return [m.place for m in self.mentions if m.place is not None]


def _interval(d: DateMention) -> tuple:  # type: ignore[type-arg]
    end = d.end or d.begin
    return d.begin.first_day, end.last_day  # type: ignore[union-attr]


def _time_fits(d: DateMention, ev: _Event) -> bool:
    import datetime as dt

    lo, hi = _interval(d)
    for other in ev.dates():
        olo, ohi = _interval(other)
        # Within one article two different days are two events ("on Tuesday ... on Wednesday").
        slack = dt.timedelta(days=0 if d.precision == other.precision == "day" else DAY_TOLERANCE)
        if lo - slack <= ohi and olo - slack <= hi:
            return True
    return not ev.dates()


def _place_fits(doc: Doc, place: str | None, ev: _Event) -> bool:
    gaz = doc.resources.gazetteer
    if place is None:
        return True
    return all(gaz.compatible(place, p) for p in ev.places())


def _fits(doc: Doc, m: EventMention, ev: _Event, *, with_time: bool = True, with_place: bool = True) -> bool:
    if m.type is not None and ev.types and not (families_of(doc, [m.type]) & families_of(doc, ev.types)):
        return False
    if with_time and m.date is not None and not _time_fits(m.date, ev):
        return False
    return not with_place or _place_fits(doc, m.place, ev)


def _group(doc: Doc, mentions: list[EventMention]) -> list[_Event]:
    events: list[_Event] = []

    def latest_first(evs: list[_Event]) -> list[_Event]:
        return sorted(evs, key=lambda e: -e.mentions[-1].span.start)

    def place(m: EventMention) -> None:
        own = m.date is not None or m.place is not None
        options = [e for e in latest_first(events) if _fits(doc, m, e)]
        if m.anaphoric or m.weak:
            # A reference back keeps to its antecedent even when its sentence dates a statement
            # or names another place: the latest event of its family, best one that fits.
            if not options:
                options = [e for e in latest_first(events) if _fits(doc, m, e, with_time=False)]
                if options:
                    m.date = None  # its sentence's date dates something else
                else:
                    options = [e for e in latest_first(events) if _fits(doc, m, e, with_time=False, with_place=False)]
                    if options:
                        m.date, m.place = None, None
            if options:
                options[0].mentions.append(m)
            elif not events and (own if m.weak else True):
                events.append(_Event([m]))
            return
        if options:
            options[0].mentions.append(m)
        elif (own or not events) and not (m.plural and (m.date is None or m.date.precision != "day")):
            events.append(_Event([m]))

    for sentence in sorted({m.sentence for m in mentions}):
        here = [m for m in mentions if m.sentence == sentence]
        later: list[EventMention] = []
        for i, m in enumerate(here):
            # A weak mention that fits no event yet waits for the strong triggers of its sentence
            # ("7 guards were killed on Tuesday in an ambush in Homs").
            if (m.weak or m.anaphoric) and not any(_fits(doc, m, e) for e in events) \
                    and any(not n.weak for n in here[i + 1:]):
                later.append(m)
                continue
            place(m)
        for m in later:
            place(m)
    return [e for e in events if e.types]


def _focus(doc: Doc, ev: _Event) -> str | None:
    """The event's place: the one whose chain of places (itself and the places it lies in) its
    mentions name most often, the most specific of equally supported ones."""
    from ..event_linking import consensus_place

    return consensus_place(Counter(ev.places()), doc.resources.gazetteer)


def _types(ev: _Event) -> tuple[str, ...]:
    """The event's types, the one that names it first: the type its mentions give most (strong
    triggers before weak ones), the more specific of equally frequent ones."""
    from ..event_linking import TYPE_PRECEDENCE

    strong = Counter(m.type for m in ev.mentions if m.type is not None and not m.weak) or Counter(ev.types)
    rank = {t: i for i, t in enumerate(TYPE_PRECEDENCE)}
    ordered = sorted(strong, key=lambda t: (-strong[t], rank.get(t, 99), t))
    return tuple(ordered + sorted(set(ev.types) - set(ordered)))


def _when(ev: _Event) -> tuple[PartialDate | None, PartialDate | None]:
    """The event's time as the article gives it: its most often stated date (the more precise,
    then the earliest, of equally frequent ones), with that date's own end (a week, a range)."""
    dates = ev.dates()
    if not dates:
        return None, None
    counts = Counter(d.begin for d in dates)
    best = max(counts, key=lambda b: (counts[b], b.day is not None, -b.first_day.toordinal()))  # type: ignore[union-attr]
    end = next(d.end for d in dates if d.begin == best)
    return best, end if end != best else None


#: A place this many characters after a count at most can say where the counted happened.
_PLACE_OF_COUNT = 80
#: What between a count and a place makes the place not where the counted happened: a quote's end, a
#: clause break, a cue, or words that make it where a statement was made ("told reporters in Kyiv").
_NOT_COUNTED_THERE = re.compile(r"[\"\u201d;:]|\b(?:said|says|told|according)\b|(?i:\b(?:said|says|told|tells|speaking|spoke|"
                                r"briefing|reporters|journalists|conference|statement|interview|visit|visiting)\b[^.;]{0,25}$)")


def _elsewhere(doc: Doc, claim, place: str | None) -> bool:  # type: ignore[no-untyped-def]
    """A claim with figures that names no event but places that cannot be the main event's place
    ("the neutralisation of four terrorists in the Niono zone" in a report of a raid on another
    town) is about something else: it is linked to no event rather than to the wrong one."""
    if place is None or not claim.figures:
        return False
    gaz = doc.resources.gazetteer
    named = [m.place for m in doc.place_mentions if claim.span.contains(m.span) and any(_counted_at(doc, f.span, m.span) for f in claim.figures)]
    return bool(named) and not any(gaz.compatible(p, place) for p in named)


def _counted_at(doc: Doc, figure: Span, place: Span) -> bool:
    """A place right after a count, in its clause ("four terrorists in the Niono zone"): where the
    counted happened, not where the speaker is ("..., the governor of X said", "a source at X hospital")."""
    between = doc.norm[figure.end : place.start]
    return figure.end <= place.start and len(between) <= _PLACE_OF_COUNT and not _NOT_COUNTED_THERE.search(between)


@component("events", requires=("sentences", "mentions", "places", "dates", "claims"), assigns=("events", "event_mentions"))
def events(doc: Doc) -> Doc:
    mentions = _mentions(doc)
    doc.event_mentions = mentions
    groups = _group(doc, mentions)
    records: list[EventRecord] = []
    of_mention: dict[int, str] = {}
    for n, ev in enumerate(groups, 1):
        report = f"{doc.article.key}-{n}"
        begin, end = _when(ev)
        place = _focus(doc, ev)
        records.append(EventRecord(
            key=report, label="", types=_types(ev), begin=begin, end=end,
            latest_end=PartialDate.of(doc.published) if begin is None and doc.published else None,
            places=sorted({p for m in ev.mentions for p in ([m.place] if m.place else [])}),
            actors=sorted({a for m in ev.mentions for a in m.actors}),
            mentions=[m.span for m in ev.mentions], rules=sorted({m.rule for m in ev.mentions}),
            report=report, place=place, published=doc.published,
        ))
        for m in ev.mentions:
            of_mention[id(m)] = report
    doc.events = records
    if not records:
        for claim in doc.claims:
            claim.events = []
        return doc
    weight = Counter(r for r in of_mention.values())
    main = max(records, key=lambda r: (weight[r.report], -records.index(r))).report
    by_report = {r.report: r for r in records}
    for claim in doc.claims:
        inside = [of_mention[id(m)] for m in mentions if id(m) in of_mention and claim.span.contains(m.span)]
        if inside:
            counts = Counter(inside)
            claim.events = [main if main in counts else max(counts, key=lambda r: (counts[r], -inside.index(r)))]
            claim.rules.append("event.in-evidence")
        elif _elsewhere(doc, claim, by_report[main].place):
            claim.events = []
            claim.rules.append("event.elsewhere")
        else:
            claim.events = [main]
            claim.rules.append("event.article-main")
    for claim in (c for c in doc.claims if c.events):
        rec = by_report[claim.events[0]]
        rec.figures = tuple(sorted({*rec.figures, *(f"{f.measure}:{f.low}:{f.high}" for f in claim.figures)}))
    return doc
