"""``events``: event mentions, the article's events, and which event each claim is about.

A trigger ("attack", "air strikes", "clashes", "crashed") with a day- or month-precise date
in its sentence anchors an event. Other mentions join an anchor when they refer back
("the attack", "Wednesday's attack"), name a compatible place, or state figures; a week
("last week") joins the anchor it contains. The article's main event is its first anchor
(or, with none, its first referring mention, dated only by the report). A claim is about
the events mentioned in its sentences, else about the main event.

Event keys are ``<date>-<governorate>-<family>`` (``reported-<publication date>-...`` when
the text gives no date), so the same event reported by several articles gets one IRI;
:func:`merge_events` joins undated events to dated ones across articles.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from ..model import ActorRecord, EventRecord, PartialDate, Span
from ..namespaces import CKGID, slug
from .doc import DateMention, Doc, EventMention
from .pipeline import component

__all__ = ["events", "merge_events", "MERGE_WINDOW_DAYS", "EventCandidate"]

#: An undated event reported this many days after a dated one (same family, compatible place) is the same event.
MERGE_WINDOW_DAYS = 14
_DEFINITE = re.compile(r"(?:\b(?:the|this|these|its|their|latest|initial|same)\s+(?:\w+\s+){0,2}|'s\s+(?:\w+\s+)?)$", re.I)
_FAMILY_LABEL = {"combat": "Attack", "crash": "Crash"}


@dataclass
class EventCandidate:
    family: str
    begin: PartialDate | None
    end: PartialDate | None
    mentions: list[EventMention] = field(default_factory=list)

    def places(self) -> list[str]:
        return sorted({p for m in self.mentions for p in m.places})


def _family(doc: Doc, etype: str) -> str:
    for f in doc.resources.rules.event_families:
        if etype in f.types:
            return f.family
    return "combat"


def _date_for(doc: Doc, span: Span, sentence_span: Span) -> DateMention | None:
    """The date of an event mention: the nearest date of its sentence that does not date a statement."""
    claim_dates = {id(a.date) for a in doc.attributions if a.date is not None}
    cues = [re.compile(rf"(?<![\w-])(?:{c.pattern})\s+$") for c in doc.resources.rules.cues if c.speaker == "left"]
    dated = [d for d in doc.dates_in(sentence_span) if d.begin is not None and id(d) not in claim_dates
             and not any(rx.search(doc.norm[max(sentence_span.start, d.span.start - 40) : d.span.start]) for rx in cues)]
    if not dated:
        return None
    return min(dated, key=lambda d: min(abs(d.span.start - span.end), abs(span.start - d.span.end)))


def _mentions(doc: Doc) -> list[EventMention]:
    rules = doc.resources.rules
    out: list[EventMention] = []
    dictionary = doc.resources.dictionary
    for s in doc.sentences:
        taken: list[Span] = []
        for r in rules.event_triggers:
            for m in re.finditer(rf"(?<![\w-])(?:{r.pattern})(?![\w-])", doc.norm[s.span.start : s.span.end], re.I):
                span = Span(s.span.start + m.start(), s.span.start + m.end())
                if any(span.overlaps(t) for t in taken):
                    continue
                taken.append(span)
                places = sorted({mn.place for mn in doc.mentions_in(s.span) if mn.place and _is_place(doc, mn)}  # type: ignore[misc]
                                | {p.iri.rsplit("place/", 1)[1] for p in _text_places(doc, s.span)})
                actors = sorted({dictionary.actors[mn.actor].iri for mn in doc.mentions_in(s.span)
                                 if mn.actor and not dictionary.actors[mn.actor].is_media})
                out.append(EventMention(span, s.index, r.type, r.id, _date_for(doc, span, s.span), places, actors))
    return sorted(out, key=lambda e: e.span)


_LOCATIVE = re.compile(r"\b(?:in|at|near|from|inside|across|to|of|outside|around|towards?)\s+(?:the\s+)?$", re.I)


_MODIFIES = re.compile(r"^(?:\s+(?:air|forces|troops|military|officials|warplanes|strikes?|jets|aircraft|government|army|advisers|soldiers)\b|\s*-)", re.I)


def _text_places(doc: Doc, span: Span) -> list[ActorRecord]:
    """Places the dictionary lacks but the text names ("the town of Maarat al-Numan", "northern Yemen")."""
    out = []
    dictionary = doc.resources.dictionary
    for rule in doc.resources.rules.place_phrases:
        for m in re.finditer(rule.pattern, doc.norm[span.start : span.end]):
            name = m.group("name").strip()
            if dictionary.lookup(name) != (None, None) or name in _NOT_PLACES:
                continue
            start = span.start + m.start("name")
            iri = str(CKGID[f"place/text/{slug(name)}"])
            rec = next((p for p in doc.places if p.iri == iri), None)
            if rec is None:
                rec = ActorRecord(iri=iri, label=name, types=("Place",), evidence=Span(start, start + len(name)), rule=rule.id)
                doc.places.append(rec)
            out.append(rec)
    return out


_NOT_PLACES = {"The", "A", "An", "This", "That", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"}


def _is_place(doc: Doc, mn) -> bool:  # type: ignore[no-untyped-def]
    """A name that is both an actor and a place ("Moscow", "US") is a place only after a locative word."""
    if not mn.actor:
        return True
    if _MODIFIES.match(doc.norm[mn.span.end : mn.span.end + 20]):
        return False  # "US air strikes", "US-backed forces"
    return bool(_LOCATIVE.search(doc.norm[max(0, mn.span.start - 20) : mn.span.start]))


def _compatible(doc: Doc, cand: EventCandidate, m: EventMention) -> bool:
    if cand.family != _family(doc, m.type):
        return False
    dictionary = doc.resources.dictionary
    mine, theirs = m.places, cand.places()
    if mine and theirs and not any(dictionary.places_compatible(a, b) for a in mine for b in theirs):
        return False
    if m.date is not None and m.date.begin is not None and cand.begin is not None:
        lo, hi = m.date.begin.first_day, (m.date.end or m.date.begin).last_day
        return lo <= cand.begin.first_day <= hi or cand.begin.first_day <= lo <= (cand.end or cand.begin).last_day
    return True


def _key(doc: Doc, cand: EventCandidate, reported: dt.date | None) -> tuple[str, list[str]]:
    places = cand.places() or _article_place(doc)
    admin = _admin(doc, places)
    if cand.begin is not None:
        date = cand.begin.iso
    elif reported is not None:
        date = f"reported-{reported.isoformat()}"
    else:
        date = f"undated-{doc.article.key}"
    return f"{date}-{slug(admin)}-{cand.family}", places


def _admin(doc: Doc, places: list[str]) -> str:
    """The governorate the places point to (most specific first), else their country; a place
    the dictionary lacks stands for itself."""
    dictionary = doc.resources.dictionary
    known = [p for p in places if p in dictionary.places]
    if not known:
        return sorted(places)[0] if places else "unknown-place"
    ranked = sorted(known, key=lambda p: (dictionary.places[dictionary.admin_place(p)].type != "governorate",
                                          -len(dictionary.place_ancestors(p)), p))
    return dictionary.admin_place(ranked[0])


def _article_place(doc: Doc) -> list[str]:
    counts: dict[str, int] = {}
    for mn in doc.mentions:
        if mn.place and not mn.actor:
            counts[mn.place] = counts.get(mn.place, 0) + 1
    return [max(counts, key=lambda p: (counts[p], p))] if counts else []


def event_label(doc: Doc, key: str, family: str, admin: str, begin: PartialDate | None) -> str:
    dictionary = doc.resources.dictionary
    text_place = next((p.label for p in doc.places if p.iri.endswith("/place/" + admin)), None)
    place = dictionary.places[admin].label if admin in dictionary.places else text_place or "unknown place"
    when = begin.iso if begin else "date not stated"
    return f"{_FAMILY_LABEL.get(family, family.title())}, {place}, {when}"


@component("events", requires=("sentences", "mentions", "dates", "claims"), assigns=("events", "event_mentions", "places"))
def events(doc: Doc) -> Doc:
    mentions = _mentions(doc)
    doc.event_mentions = mentions
    anchors: list[EventCandidate] = []
    precise = any(m.date is not None and m.date.precision in ("day", "month") for m in mentions)
    for m in mentions:
        # Day or month dates anchor events; a week ("last week") only when nothing is more precise.
        if m.date is None or m.date.precision not in (("day", "month") if precise else ("day", "month", "week")):
            continue
        fam = _family(doc, m.type)
        for c in anchors:
            if c.family == fam and c.begin == m.date.begin:
                c.mentions.append(m)
                break
        else:
            anchors.append(EventCandidate(fam, m.date.begin, m.date.end, [m]))
    figure_sentences = {f.sentence for f in doc.figures}
    pending = [m for m in mentions if not any(m in c.mentions for c in anchors)]
    if not anchors:
        first = next((m for m in pending if m.places or m.sentence in figure_sentences
                      or _DEFINITE.search(doc.norm[doc.sentences[m.sentence].span.start : m.span.start])), None)
        if first is None:
            doc.events = []
            return doc
        anchors.append(EventCandidate(_family(doc, first.type), None, None, [first]))
        pending.remove(first)
    main = anchors[0]
    for m in pending:
        before = doc.norm[doc.sentences[m.sentence].span.start : m.span.start]
        refers = bool(_DEFINITE.search(before)) or bool(m.places) or m.sentence in figure_sentences or m.date is not None
        if not refers:
            continue
        options = [c for c in anchors if _compatible(doc, c, m)]
        if options:
            (main if main in options else options[0]).mentions.append(m)

    records: list[EventRecord] = []
    by_sentence: dict[int, list[str]] = {}
    # An event needs a place, and a time: its date, or at least the report's date as an upper bound.
    anchors = [c for c in anchors if (c.places() or _article_place(doc)) and (c.begin is not None or doc.published)]
    if not anchors:
        doc.events = []
        return doc
    for c in anchors:
        key, places = _key(doc, c, doc.published)
        types = tuple(sorted({m.type for m in c.mentions}))
        rec = EventRecord(
            key=key, label=event_label(doc, key, c.family, _admin(doc, places), c.begin), types=types,
            begin=c.begin, end=c.end, latest_end=PartialDate.of(doc.published) if c.begin is None and doc.published else None,
            places=[str(CKGID["place/" + p]) for p in places],
            actors=sorted({a for m in c.mentions for a in m.actors}),
            mentions=[m.span for m in c.mentions], rules=sorted({m.rule for m in c.mentions}),
        )
        records.append(rec)
        for m in c.mentions:
            if key not in by_sentence.setdefault(m.sentence, []):
                by_sentence[m.sentence].append(key)
    main_key = records[0].key
    for claim in doc.claims:
        keys: list[str] = []
        for s in doc.sentences:
            if claim.span.contains(s.span):
                keys += [k for k in by_sentence.get(s.index, []) if k not in keys]
        claim.events = keys or [main_key]
        claim.rules.append("event.in-sentence" if keys else "event.article-main")
    doc.events = records
    return doc


def merge_events(docs: Iterable[Doc], known: Iterable[EventRecord] = ()) -> None:
    """Join each undated event to a dated one of another article (or of the store).

    Same family, compatible places, and reported within :data:`MERGE_WINDOW_DAYS` after the
    dated event: the undated event takes the dated event's key. Claims follow.
    """
    docs = list(docs)
    dated: list[tuple[EventRecord, Doc | None]] = [(e, d) for d in docs for e in d.events if e.begin is not None]
    dated += [(e, None) for e in known if e.begin is not None]
    for doc in docs:
        dictionary = doc.resources.dictionary
        renamed: dict[str, str] = {}
        for ev in doc.events:
            if ev.begin is not None or doc.published is None:
                continue
            family = ev.key.rsplit("-", 1)[-1]
            best = None
            for other, _ in dated:
                if other.key.rsplit("-", 1)[-1] != family:
                    continue
                days = (doc.published - other.begin.first_day).days  # type: ignore[union-attr]
                if not 0 <= days <= MERGE_WINDOW_DAYS:
                    continue
                mine = [p.rsplit("/", 1)[-1] for p in ev.places]
                theirs = [p.rsplit("/", 1)[-1] for p in other.places]
                if mine and theirs and not any(dictionary.places_compatible(a, b) for a in mine for b in theirs):
                    continue
                if best is None or (days, other.key) < best[0]:
                    best = ((days, other.key), other)
            if best is not None:
                other = best[1]
                renamed[ev.key] = other.key
                ev.key, ev.label, ev.begin, ev.end, ev.latest_end = other.key, other.label, other.begin, other.end, None
                ev.rules = sorted({*ev.rules, "event.merged-across-articles"})
        for claim in doc.claims:
            claim.events = [renamed.get(k, k) for k in claim.events]
