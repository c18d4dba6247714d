"""The document that flows through the extraction pipeline, and the records components add to it."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING

from ..model import ActorRecord, Article, Claim, EventRecord, Figure, PartialDate, PlaceRecord, Span

from ..countries import CountryTable, load_countries

if TYPE_CHECKING:  # pragma: no cover
    from ..dictionary import Dictionary
    from ..gazetteer import Gazetteer
    from ..rules import RuleSet

__all__ = ["Doc", "Resources", "Block", "Sentence", "Mention", "DateMention", "FigureMention",
           "Attribution", "EventMention", "PlaceMention", "normalise"]

_SAME_LENGTH = str.maketrans({
    "\u00a0": " ", "\u2007": " ", "\u202f": " ", "\u2009": " ", "\u200a": " ",
    "\u2018": "'", "\u2019": "'", "\u201b": "'", "\u2032": "'",
    "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u2033": '"',
    "\u2013": "-", "\u2014": "-", "\u2012": "-", "\u2212": "-",
})


def normalise(text: str) -> str:
    """Same-length normalisation for matching: no-break spaces, curly quotes, dashes.

    Offsets into the result are offsets into the original text.
    """
    return text.translate(_SAME_LENGTH)


@dataclass(frozen=True)
class Resources:
    rules: RuleSet
    dictionary: Dictionary
    gazetteer: Gazetteer
    countries: CountryTable = field(default_factory=load_countries)


@dataclass
class Block:
    """A line or paragraph of the page, classified by the cleaner."""

    span: Span
    kind: str
    """title | body | furniture | caption | dateline | summary | appended"""
    rule: str = ""


@dataclass
class Sentence:
    span: Span
    paragraph: int
    index: int
    quotes: list[Span] = field(default_factory=list)
    """Spans inside quotation marks (including the marks)."""
    title: bool = False
    """The headline, read as a sentence: "Toll rises to 89, says ministry"."""

    def in_quote(self, pos: int) -> bool:
        return any(q.start <= pos < q.end for q in self.quotes)


@dataclass
class Mention:
    """A dictionary name found in the text: an actor, a place, or both readings."""

    span: Span
    surface: str
    actor: str | None = None
    """Dictionary actor id."""
    place: str | None = None
    """Dictionary place id."""


@dataclass
class DateMention:
    span: Span
    begin: PartialDate | None
    end: PartialDate | None
    precision: str
    """day | week | month | unresolved | prior (an earlier statement: "previously")"""
    rule: str
    basis: str | None = None
    """How a date the phrase leaves open was completed: the year from the month of publication
    ("date.year-from-publication-month") or the day from the date the text gave before it
    ("date.after-previous-date"); None when the phrase or the publication date gives it."""


@dataclass
class FigureMention:
    figure: Figure
    sentence: int
    elliptical: bool = False
    """A bare number standing for people already counted ("Two were advisers", "three others were wounded")."""


@dataclass
class Speaker:
    """Who a claim is attributed to, once resolved."""

    iri: str
    label: str
    kind: str
    """dictionary | person | organisation | institution | unnamed | outlet"""
    person: bool = False
    country: str | None = None
    affiliation: str | None = None
    role_nouns: tuple[str, ...] = ()
    dictionary_id: str | None = None
    via: str | None = None
    """The outlet the speaker spoke through, when the phrase names it ("Al Jazeera's James Bays")."""


@dataclass
class Attribution:
    sentence: int
    speaker: Speaker
    cue: Span
    rules: list[str]
    stance: str | None = None
    channel: str | None = None
    via: str | None = None
    date: DateMention | None = None
    continuation: bool = False
    region: Span | None = None
    """The speaker phrase's span, when the speaker stands in the sentence."""


@dataclass
class PlaceMention:
    """A place the text names, resolved (see conflictkg.extract.places)."""

    span: Span
    sentence: int
    place: str
    """Place id (conflictkg.gazetteer)."""
    rule: str
    level: str | None = None
    """The level a generic word names: subdivision ("X province"), district, city."""


@dataclass
class EventMention:
    span: Span
    sentence: int
    type: str
    rule: str
    date: DateMention | None = None
    places: list[str] = field(default_factory=list)
    actors: list[str] = field(default_factory=list)
    place: str | None = None
    """The place the mention is at: the nearest place of its sentence (conflictkg.extract.events)."""
    anaphoric: bool = False
    """Refers back ("the attack", "the incident") rather than introducing an event."""
    weak: bool = False
    plural: bool = False


@dataclass
class Doc:
    """One article on its way through the pipeline."""

    article: Article
    resources: Resources
    blocks: list[Block] = field(default_factory=list)
    title: str = ""
    title_basis: str = "text"
    title_span: Span | None = None
    sentences: list[Sentence] = field(default_factory=list)
    mentions: list[Mention] = field(default_factory=list)
    dates: list[DateMention] = field(default_factory=list)
    figures: list[FigureMention] = field(default_factory=list)
    attributions: list[Attribution] = field(default_factory=list)
    event_mentions: list[EventMention] = field(default_factory=list)
    claims: list[Claim] = field(default_factory=list)
    events: list[EventRecord] = field(default_factory=list)
    actors: list[ActorRecord] = field(default_factory=list)
    place_mentions: list[PlaceMention] = field(default_factory=list)
    places: list[PlaceRecord] = field(default_factory=list)
    """The places the article names that the dictionary graph lacks (gazetteer places, places of the text), with their ancestors."""
    publisher: str | None = None
    warnings: list[str] = field(default_factory=list)
    published_month: PartialDate | None = None
    """The month of publication, when only the month is known (the day is then ``published`` = None)."""

    @property
    def text(self) -> str:
        return self.article.text

    @cached_property
    def norm(self) -> str:
        return normalise(self.article.text)

    @property
    def published(self) -> dt.date | None:
        return self.article.meta.published

    def mentions_in(self, span: Span) -> list[Mention]:
        return [m for m in self.mentions if span.contains(m.span)]

    def dates_in(self, span: Span) -> list[DateMention]:
        return [d for d in self.dates if span.contains(d.span)]
