"""One real-world event, one node: joining the reports of an event across articles.

Each article reports its events (:mod:`conflictkg.extract.events`): a type, a place, a time
(a stated date, or only "published on P": some time in the family's reporting window before
P, or nothing at all), actors and figures. :func:`link` scores a pair of reports of different
articles:

- hard conditions: their types share a family, their times can overlap (unknown time fits any
  time), their places can be the same (one contains the other; an unknown place fits any);
- evidence (:data:`WEIGHTS`): the same place or one inside the other (or two articles' places of
  the text with one name in places that can be one), the same day or
  overlapping dates, the same type, the same toll quoted (``figures:killed:89``), shared actors.

A pair whose evidence reaches :data:`LINK_THRESHOLD` is a link. :func:`cluster` joins linked
reports, strongest links first, and only when every report of one group fits every report of
the other (so "Makiivka on 1 January" and "Soledar a week later" never meet through an undated
"Donetsk" report). Manual decisions come first: a merge joins two groups, a split keeps two
reports apart. The result depends on the set of reports only, never on the order they arrive:
:func:`canonical` names each group by its content (date, place, family) and the smallest
report id, so building a corpus in any order, or ingesting its articles one by one, gives the
same events.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from .gazetteer import Gazetteer
from .model import EVENT_TYPE_LABELS, EventRecord, PartialDate
from .namespaces import short_hash, slug

__all__ = ["Report", "Link", "Group", "link", "cluster", "canonical", "report_of", "window", "place_label", "consensus_place",
           "LINK_THRESHOLD", "UNTIMED_THRESHOLD", "WEIGHTS", "PLACE_WEIGHTS", "DAY_TOLERANCE", "TYPE_PRECEDENCE", "GENERIC_TYPES"]

#: Evidence a pair of reports needs to be one event.
LINK_THRESHOLD = 3.5
#: When one report's time is unknown, time can add nothing: a pair then needs less evidence, as
#: long as its places agree at least this well (a town in the same governorate, not a country).
UNTIMED_THRESHOLD, UNTIMED_PLACE_EVIDENCE = 2.5, 1.5
#: Types that say little about which event it is ("an attack", "the fighting", "killed").
GENERIC_TYPES = frozenset({"Attack", "Clash", "Killing"})
#: What each feature adds to a pair's evidence. The place's weight grows with how specific it is
#: (:data:`PLACE_WEIGHTS`): the same country is little evidence, the same village much.
WEIGHTS = {
    "place:compatible": 0.5, "place:near": 0.0,
    "time:same-day": 3.0, "time:overlap": 2.0, "time:window": 1.0,
    "type:same": 1.0, "type:family": 0.5,
    "figure": 2.0, "actor": 0.5,
}
#: "place:same" by level (country, subdivision, smaller); "place:contains" weighs half a point
#: less than the same place at the level of the larger of the two (the container).
PLACE_WEIGHTS = {1: 1.0, 2: 2.0, 3: 3.0}
#: Most figures and actors that count as evidence.
MAX_FIGURES, MAX_ACTORS = 2, 2
#: Two day dates this many days apart can date the same event.
DAY_TOLERANCE = 1
#: The more specific type names an event when its reports say several ("Air strike" over "Attack").
TYPE_PRECEDENCE = ("AirStrike", "ShootDown", "ChemicalAttack", "Ambush", "Bombardment", "Explosion", "Crash", "Capture",
                   "Siege", "Killing", "Clash", "Attack", "Deployment")


@dataclass(frozen=True)
class Report:
    """What linking knows of one article's report of an event."""

    id: str
    article: str
    types: tuple[str, ...]
    begin: PartialDate | None = None
    end: PartialDate | None = None
    published: dt.date | None = None
    place: str | None = None
    actors: tuple[str, ...] = ()
    figures: tuple[str, ...] = ()
    event: str | None = None
    """The event key the report is linked to now (reports read from the store)."""


@dataclass(frozen=True)
class Link:
    a: str
    b: str
    score: float
    reasons: tuple[str, ...]


@dataclass
class Group:
    """A linked group of reports and the event it is."""

    reports: list[Report]
    key: str = ""
    label: str = ""
    types: tuple[str, ...] = ()
    begin: PartialDate | None = None
    end: PartialDate | None = None
    latest_end: PartialDate | None = None
    place: str | None = None
    actors: tuple[str, ...] = ()
    reasons: dict[str, tuple[str, tuple[str, ...], float]] = field(default_factory=dict)
    """Report id -> (the report it is linked through, the features matched, the score)."""

    @classmethod
    def of(cls, article: str, rec: EventRecord) -> Group:
        """The event of one article's report, named as the record names it (fixtures, tests)."""
        return cls([report_of(article, rec)], key=rec.key, label=rec.label, types=tuple(rec.types), begin=rec.begin,
                   end=rec.end, latest_end=rec.latest_end, place=rec.place, actors=tuple(rec.actors))


def report_of(article: str, rec: EventRecord) -> Report:
    return Report(rec.report_id(article), article, rec.types, rec.begin, rec.end, rec.published, rec.place,
                  tuple(rec.actors), tuple(rec.figures))


def families(rules, types: Iterable[str]) -> set[str]:  # type: ignore[no-untyped-def]
    types = set(types)
    return {f.family for f in rules.event_families if types & set(f.types)}


def window(report: Report, rules) -> tuple[dt.date | None, dt.date | None]:  # type: ignore[no-untyped-def]
    """When the event can have happened: its dates (give or take a day), else the reporting
    window before publication, else any time (None, None)."""
    slack = dt.timedelta(days=DAY_TOLERANCE)
    ongoing, days = _reach(report.types, rules)
    if report.begin is not None:
        if ongoing:
            slack = dt.timedelta(days=days)
        return report.begin.first_day - slack, (report.end or report.begin).last_day + slack
    if report.published is not None:
        return report.published - dt.timedelta(days=days), report.published
    return None, None


def _reach(types: Sequence[str], rules) -> tuple[bool, int]:  # type: ignore[no-untyped-def]
    """Whether a report is of a situation (a type only ongoing families have: a deployment), and
    its reporting window: the situation's, else that of its main type's incident families."""
    def fams(t: str) -> list:  # type: ignore[type-arg]
        return [f for f in rules.event_families if t in f.types]

    situations = [f for t in types if fams(t) and all(f.ongoing for f in fams(t)) for f in fams(t)]
    if situations:
        return True, max(f.window_days for f in situations)
    incidents = [f for f in fams(types[0]) if not f.ongoing] if types else []
    return False, max((f.window_days for f in incidents), default=14)


def _overlap(a: tuple[dt.date | None, dt.date | None], b: tuple[dt.date | None, dt.date | None]) -> bool:
    lo = max((x for x in (a[0], b[0]) if x is not None), default=None)
    hi = min((x for x in (a[1], b[1]) if x is not None), default=None)
    return lo is None or hi is None or lo <= hi


def fits(a: Report, b: Report, gaz: Gazetteer, rules) -> bool:  # type: ignore[no-untyped-def]
    """The hard conditions: shared family, times that can overlap, places that can be one."""
    if not families(rules, a.types) & families(rules, b.types):
        return False
    if not _overlap(window(a, rules), window(b, rules)):
        return False
    return a.place is None or b.place is None or gaz.compatible(a.place, b.place) or gaz.near(a.place, b.place)


def link(a: Report, b: Report, gaz: Gazetteer, rules) -> Link | None:  # type: ignore[no-untyped-def]
    """The evidence that two reports of different articles are one event, or None."""
    if a.article == b.article or not fits(a, b, gaz, rules):
        return None
    reasons: list[str] = []
    score = 0.0
    shared_families = families(rules, a.types) & families(rules, b.types)
    natural = min((f.place_level for f in rules.event_families if f.family in shared_families), default=3)

    def weight(place: str) -> float:
        return PLACE_WEIGHTS[min(3, gaz.level(place) + 3 - natural)]

    if a.place is not None and b.place is not None:
        if a.place == b.place:
            reasons.append("place:same")
            score += weight(a.place)
        elif gaz.contains(a.place, b.place) or gaz.contains(b.place, a.place):
            reasons.append("place:contains")
            score += min(weight(a.place), weight(b.place)) - 0.5
        elif gaz.same_text_name(a.place, b.place):
            reasons.append("place:same-name")  # one village, placed by each article under what it names around it
            score += min(weight(a.place), weight(b.place)) - 0.5
        elif gaz.compatible(a.place, b.place):
            reasons.append("place:compatible")
        else:
            reasons.append("place:near")
    if a.begin is not None and b.begin is not None:
        reasons.append("time:same-day" if a.begin == b.begin and a.begin.day is not None else "time:overlap")
    elif (a.begin is None) != (b.begin is None) and None not in window(a, rules) + window(b, rules):
        reasons.append("time:window")
    specific = (set(a.types) & set(b.types)) - GENERIC_TYPES
    reasons.append("type:same" if specific or primary_type(a.types) == primary_type(b.types) else "type:family")
    score += sum(WEIGHTS.get(r, 0.0) for r in reasons)
    place_evidence = score - WEIGHTS[reasons[-1]]
    shared = sorted(set(a.figures) & set(b.figures))[:MAX_FIGURES]
    actors = sorted(set(a.actors) & set(b.actors))[:MAX_ACTORS]
    score += WEIGHTS["figure"] * len(shared) + WEIGHTS["actor"] * len(actors)
    reasons += [f"figure:{f}" for f in shared] + [f"actor:{x.rsplit('/', 1)[-1]}" for x in actors]
    untimed = None in window(a, rules) or None in window(b, rules)
    if score < (UNTIMED_THRESHOLD if untimed and place_evidence >= UNTIMED_PLACE_EVIDENCE else LINK_THRESHOLD):
        return None
    first, second = sorted((a.id, b.id))
    return Link(first, second, score, tuple(reasons))


def primary_type(types: Sequence[str]) -> str:
    """The type that names a report: its first (the article's most frequent), else the most specific."""
    if not types:
        return "Attack"
    return types[0]


def cluster(reports: Sequence[Report], gaz: Gazetteer, rules, *,  # type: ignore[no-untyped-def]
            merges: Iterable[tuple[str, str]] = (), splits: Iterable[tuple[str, str]] = ()) -> list[Group]:
    """Groups of reports that are one event each: manual merges first, then links strongest
    first, joining two groups only when all their reports fit one another and no manual split
    keeps two of them apart. Depends only on the set of reports and decisions."""
    reports = sorted({r.id: r for r in reports}.values(), key=lambda r: r.id)
    by_id = {r.id: r for r in reports}
    apart = {frozenset(p) for p in splits if p[0] in by_id and p[1] in by_id}
    group_of = {r.id: i for i, r in enumerate(reports)}
    members: dict[int, list[str]] = {i: [r.id] for i, r in enumerate(reports)}
    reasons: dict[str, tuple[str, tuple[str, ...], float]] = {}

    def join(x: str, y: str) -> None:
        gx, gy = group_of[x], group_of[y]
        keep, gone = min(gx, gy), max(gx, gy)
        for rid in members.pop(gone):
            group_of[rid] = keep
            members[keep].append(rid)

    for x, y in sorted(tuple(sorted(p)) for p in merges):
        if x in by_id and y in by_id and group_of[x] != group_of[y]:
            join(x, y)
            reasons.setdefault(max(x, y), (min(x, y), ("manual:merge",), 0.0))
    links = [lk for i, a in enumerate(reports) for b in reports[i + 1:] if (lk := link(a, b, gaz, rules)) is not None]
    for lk in sorted(links, key=lambda lk: (-lk.score, lk.a, lk.b)):
        ga, gb = group_of[lk.a], group_of[lk.b]
        if ga == gb:
            continue
        if any(frozenset((x, y)) in apart or not fits(by_id[x], by_id[y], gaz, rules)
               for x in members[ga] for y in members[gb]):
            continue
        join(lk.a, lk.b)
        reasons.setdefault(lk.b, (lk.a, lk.reasons, lk.score))
        reasons.setdefault(lk.a, (lk.b, lk.reasons, lk.score))
    groups = []
    for ids in members.values():
        g = Group([by_id[i] for i in sorted(ids)])
        g.reasons = {i: reasons[i] for i in sorted(ids) if i in reasons and len(ids) > 1}
        groups.append(g)
    return sorted(groups, key=lambda g: g.reports[0].id)


def canonical(group: Group, gaz: Gazetteer, rules) -> Group:  # type: ignore[no-untyped-def]
    """Name a group by its content: the type its reports give most, the place they agree on
    (the most specific one all others contain, else the most reported), the date stated most
    (the earliest of equally frequent ones), and the smallest report id."""
    reports = group.reports
    votes = Counter(primary_type(r.types) for r in reports)
    ranked = sorted(votes, key=lambda t: (-votes[t], TYPE_PRECEDENCE.index(t) if t in TYPE_PRECEDENCE else 99, t))
    types = tuple(ranked + sorted({t for r in reports for t in r.types} - set(ranked)))
    place = consensus_place(Counter(r.place for r in reports if r.place is not None), gaz)
    dated = [r for r in reports if r.begin is not None]
    begin = end = latest_end = None
    if dated:
        begins = Counter(r.begin for r in dated)
        begin = max(begins, key=lambda b: (begins[b], b.day is not None, -b.first_day.toordinal()))  # type: ignore[union-attr]
        ends = [r.end for r in dated if r.begin == begin and r.end is not None]
        end = max(ends, key=lambda e: e.last_day) if ends else None
    else:
        published = [r.published for r in reports if r.published is not None]
        latest_end = PartialDate.of(min(published)) if published else None
    family = sorted(families(rules, types[:1]))[0] if families(rules, types[:1]) else "event"
    when = begin.iso if begin is not None else "undated"
    label_place = place_label(place, gaz)
    key = f"{when}-{slug(label_place if place else 'place-unknown')}-{family}-{short_hash(reports[0].id, length=6)}"
    label = f"{EVENT_TYPE_LABELS.get(types[0], types[0])}, {label_place if place else 'place unknown'}, " + \
        (begin.iso if begin is not None else f"date unknown (reported by {latest_end.iso})" if latest_end else "date unknown")
    group.key, group.label, group.types, group.place = key, label, types, place
    group.begin, group.end, group.latest_end = begin, end, latest_end
    group.actors = tuple(sorted({a for r in reports for a in r.actors}))
    return group


def consensus_place(counts: Counter[str], gaz: Gazetteer) -> str | None:
    """The place a set of place mentions agree on: the one whose chain (itself and the places
    it lies in) they name most often; the most specific of equally supported ones."""
    if not counts:
        return None
    support = {p: sum(counts.get(a, 0) for a in gaz.ancestors(p)) for p in counts}
    return max(counts, key=lambda p: (support[p], len(gaz.ancestors(p)), counts[p], p))


def place_label(place: str | None, gaz: Gazetteer) -> str:
    """``"Makiyivka (Donetsk)"``: a place and the subdivision (else the country) it lies in."""
    if place is None:
        return "place unknown"
    p = gaz.get(place)
    if p is None:
        return place.rsplit("/", 1)[-1]
    if p.kind == "country":
        return p.label
    for up in gaz.ancestors(place)[1:]:
        q = gaz.get(up)
        if q is not None and q.kind in ("subdivision", "country") and q.label != p.label:
            return f"{p.label} ({q.label})"
    return p.label
