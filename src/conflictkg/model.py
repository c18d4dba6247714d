"""The domain objects extraction produces and :mod:`conflictkg.rdf` writes: Claim, Figure, Event, ...

These are plain typed records. Detection code builds them; only :mod:`conflictkg.rdf` turns
them into triples.
"""

from __future__ import annotations

import calendar
import datetime as dt
import hashlib
from dataclasses import dataclass, field

__all__ = [
    "Span",
    "PartialDate",
    "ArticleMeta",
    "Article",
    "ActorRecord",
    "Figure",
    "PopulationRecord",
    "Claim",
    "EventRecord",
    "PlaceRecord",
    "MEASURES",
    "QUALIFIERS",
    "STANCES",
    "CHANNELS",
    "CERTAINTIES",
    "EVENT_TYPES",
    "EVENT_TYPE_LABELS",
]

#: Controlled values, as local names of ``ckg:`` individuals (``graspf:`` for certainty).
MEASURES = ("killed", "wounded", "killed_or_wounded", "attackers", "missing", "captured")
QUALIFIERS = ("exact", "approximately", "at_least", "more_than", "up_to", "less_than", "range", "vague")
STANCES = ("asserts", "denies", "accuses", "claims_responsibility", "confirms")
CHANNELS = ("statement", "briefing", "interview", "social_media", "letter", "media_report")
CERTAINTIES = ("certain", "probable", "possible")
#: Event types: local names of the ckg: subclasses of ckg:Event (data/rules/event_triggers.jsonl).
EVENT_TYPES = ("Attack", "AirStrike", "Clash", "Crash", "Bombardment", "Ambush", "Explosion", "Killing", "ShootDown",
               "ChemicalAttack", "Capture", "Siege", "Deployment")
#: How event labels name each type ("Air strike, Makiivka (Donetsk), 2023-01-01").
EVENT_TYPE_LABELS = {"Attack": "Attack", "AirStrike": "Air strike", "Clash": "Clashes", "Crash": "Crash",
                     "Bombardment": "Shelling", "Ambush": "Ambush", "Explosion": "Explosion", "Killing": "Killing",
                     "ShootDown": "Shoot-down", "ChemicalAttack": "Chemical attack", "Capture": "Capture",
                     "Siege": "Siege", "Deployment": "Deployment"}


@dataclass(frozen=True, order=True)
class Span:
    """Character offsets ``[start, end)`` into the article text as received."""

    start: int
    end: int

    def __post_init__(self) -> None:
        if not 0 <= self.start < self.end:
            raise ValueError(f"bad span {self.start}..{self.end}")

    def text(self, source: str) -> str:
        return source[self.start : self.end]

    def overlaps(self, other: Span) -> bool:
        return self.start < other.end and other.start < self.end

    def contains(self, other: Span) -> bool:
        return self.start <= other.start and other.end <= self.end

    def union(self, other: Span) -> Span:
        return Span(min(self.start, other.start), max(self.end, other.end))


@dataclass(frozen=True, order=True)
class PartialDate:
    """A date known to the day or only to the month."""

    year: int
    month: int
    day: int | None = None

    @classmethod
    def of(cls, d: dt.date) -> PartialDate:
        return cls(d.year, d.month, d.day)

    @classmethod
    def parse(cls, text: str) -> PartialDate:
        parts = [int(p) for p in text.split("-")]
        if len(parts) == 3:
            dt.date(*parts)
            return cls(parts[0], parts[1], parts[2])
        if len(parts) == 2 and 1 <= parts[1] <= 12:
            return cls(parts[0], parts[1])
        raise ValueError(f"not a date or year-month: {text!r}")

    @property
    def iso(self) -> str:
        base = f"{self.year:04d}-{self.month:02d}"
        return base if self.day is None else f"{base}-{self.day:02d}"

    @property
    def first_day(self) -> dt.date:
        return dt.date(self.year, self.month, self.day or 1)

    @property
    def last_day(self) -> dt.date:
        return dt.date(self.year, self.month, self.day or calendar.monthrange(self.year, self.month)[1])

    def __str__(self) -> str:
        return self.iso


@dataclass(frozen=True, kw_only=True)
class ArticleMeta:
    """What ``metadata.json`` says of one article (every field may be missing)."""

    file_name: str
    title: str | None = None
    publisher: str | None = None
    published: dt.date | None = None
    date_basis: str | None = None
    url: str | None = None
    published_month: str | None = None
    """``YYYY-MM`` when the metadata gives the month of publication but not the day."""


@dataclass(frozen=True, kw_only=True)
class Article:
    """An article as ingested: its text exactly as received, and its metadata."""

    text: str
    meta: ArticleMeta

    @property
    def content_hash(self) -> str:
        return hashlib.sha256(self.text.encode("utf-8")).hexdigest()

    @property
    def key(self) -> str:
        """Content-derived key: names the article's IRI and its named graph."""
        return self.content_hash[:16]


@dataclass(kw_only=True)
class ActorRecord:
    """An actor created from the text (named there, or only described) rather than the dictionary."""

    iri: str
    label: str
    types: tuple[str, ...]
    """Local names of ckg: classes, e.g. ("Person",) or ("UnnamedSource",)."""
    evidence: Span
    roles: tuple[str, ...] = ()
    affiliated_with: tuple[str, ...] = ()
    scoped_to_article: bool = False
    rule: str = ""


@dataclass(frozen=True, kw_only=True)
class PopulationRecord:
    """Who a figure counts, as a group of the figure's event (see :mod:`conflictkg.populations`).

    Unset attributes are not known (never "anyone"): ``nationality`` a country's place IRI,
    ``side`` the IRI of the party they belong to or fight for, ``alignment`` ``GovernmentSide`` or
    ``OppositionSide`` (relative to the event's country), ``role`` ``AttackingSide``; ``marks``
    name subsets ("mobilised").
    """

    kind: str
    """Local name of a ``ckg:PopulationKind`` (``Soldiers``, ``Civilians``, ``People``, ...)."""
    nationality: str | None = None
    side: str | None = None
    alignment: str | None = None
    role: str | None = None
    marks: tuple[str, ...] = ()
    rules: tuple[str, ...] = field(default=(), compare=False)
    label: str = field(default="", compare=False)
    """How an analyst reads it: "Russian soldiers (mobilised)"."""


@dataclass(kw_only=True)
class PlaceRecord:
    """A place an article names: a gazetteer place (``source`` says which entry) or a place
    created from the text (``evidence`` and ``rule`` say where and how)."""

    id: str
    """Gazetteer id (``gn/702320``, ``iso/UA-14``, ``country/UA``), dictionary id, or ``text/<parent>/<slug>``."""
    label: str
    kind: str
    type: str = ""
    """The curated place type, when the dictionary has the place."""
    parent: str | None = None
    source: str = ""
    same_as: tuple[str, ...] = ()
    evidence: Span | None = None
    rule: str = ""

    @property
    def iri(self) -> str:
        return "https://w3id.org/conflictkg/id/place/" + self.id


@dataclass(kw_only=True)
class Figure:
    measure: str
    low: int | None
    high: int | None
    qualifier: str
    surface: str
    span: Span
    group: str | None = None
    rule: str = ""
    population: PopulationRecord | None = None
    """Who the figure counts (None: a group that cannot be placed, never compared)."""
    part_of: Figure | None = field(default=None, compare=False, repr=False)
    """The total this figure breaks down ("35 killed, including nine Russians"), in the same claim."""

    def __post_init__(self) -> None:
        if self.measure not in MEASURES:
            raise ValueError(f"unknown measure {self.measure!r}")
        if self.qualifier not in QUALIFIERS:
            raise ValueError(f"unknown qualifier {self.qualifier!r}")


@dataclass(kw_only=True)
class Claim:
    claimant: str
    """IRI of the claimant actor."""
    span: Span
    """The evidence: the sentence(s) with the statement and its attribution."""
    on_behalf_of: str | None = None
    date: PartialDate | None = None
    date_stated: bool = False
    events: list[str] = field(default_factory=list)
    figures: list[Figure] = field(default_factory=list)
    stance: str = "asserts"
    certainty: str = "certain"
    hedges: list[str] = field(default_factory=list)
    channel: str | None = None
    reported_via: str | None = None
    rules: list[str] = field(default_factory=list)


@dataclass(kw_only=True)
class EventRecord:
    key: str
    """``<date>-<admin place>-<family>``: names the event's IRI, shared across articles."""
    label: str
    types: tuple[str, ...]
    begin: PartialDate | None
    end: PartialDate | None
    latest_end: PartialDate | None = None
    """For an undated event: the report's date, an upper bound."""
    places: list[str] = field(default_factory=list)
    actors: list[str] = field(default_factory=list)
    mentions: list[Span] = field(default_factory=list)
    rules: list[str] = field(default_factory=list)
    report: str = ""
    """``<article key>-<n>``: this article's report of the event (its own reading, before linking)."""
    place: str | None = None
    """The place id the article puts the event at (conflictkg.gazetteer), or None when it does not say."""
    figures: tuple[str, ...] = ()
    """Figures the article's claims about the event state, as ``measure:low:high`` (linking evidence)."""
    published: dt.date | None = None
    link_keys: tuple[str, ...] = ()
    """Where linking looks for this report: ``week:2023-W01:UA`` (the weeks its time can fall in, with its country),
    ``untimed:UA``, ``country:UA`` (conflictkg.event_index)."""

    def report_id(self, article_key: str) -> str:
        """The id of this article's report of the event (``report``, else one made from the key)."""
        return self.report or f"{article_key}-{self.key}"
