"""Extraction rules, loaded from ``data/rules/*.jsonl`` and validated at load.

Each line of a rules file is one JSON object ``{"id", "label", "pattern", ...}``; the file
name says which schema applies (:data:`SCHEMAS`). Code interprets the rules; every claim,
figure and event records the ids of the rules that produced it.
"""

from __future__ import annotations

import json
import re
from functools import cached_property
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, ValidationError, field_validator, model_validator

from .errors import DataFileError
from .model import CERTAINTIES, CHANNELS, EVENT_TYPES, MEASURES, QUALIFIERS, STANCES
from .resources import RULES_DIR

__all__ = ["Rule", "RuleSet", "SCHEMAS", "POPULATION_KINDS", "load_rules"]


class Rule(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    id: str
    label: str
    pattern: str

    @field_validator("id")
    @classmethod
    def _id(cls, v: str) -> str:
        if not re.fullmatch(r"[a-z0-9]+(?:[.-][a-z0-9]+)*", v):
            raise ValueError(f"rule id {v!r} must be lower-case words joined by '.' or '-'")
        return v


class RegexRule(Rule):
    @field_validator("pattern")
    @classmethod
    def _compiles(cls, v: str) -> str:
        try:
            re.compile(v.replace("{weekday}", "x").replace("{month}", "x").replace("{{", "{").replace("}}", "}"))
        except re.error as exc:
            raise ValueError(f"pattern does not compile: {exc}") from None
        return v


def _in(values: tuple[str, ...]):  # type: ignore[no-untyped-def]
    def check(cls, v):  # type: ignore[no-untyped-def]
        if v is not None and v not in values:
            raise ValueError(f"{v!r} is not one of {', '.join(values)}")
        return v

    return classmethod(check)


class CueRule(RegexRule):
    speaker: Literal["left", "right"]
    stance: str | None = None
    channel: str | None = None
    requires_quote: bool = False
    _stance = field_validator("stance")(_in(STANCES))
    _channel = field_validator("channel")(_in(CHANNELS))


class FrameRule(RegexRule):
    speaker_group: str | None = None
    via_group: str | None = None
    trigger: str | None = None
    """A word the sentence must contain (case-insensitive) before the frame's pattern is tried."""


class ChannelRule(RegexRule):
    channel: str
    _channel = field_validator("channel")(_in(CHANNELS))


class HedgeRule(RegexRule):
    certainty: str
    _certainty = field_validator("certainty")(_in(CERTAINTIES))


class StanceRule(RegexRule):
    stance: str
    perpetrator_only: bool = False
    _stance = field_validator("stance")(_in(STANCES))


class ValueRule(Rule):
    value: int


class VagueRule(RegexRule):
    low: int
    high: int | None = None


class QualifierRule(RegexRule):
    qualifier: str
    _q = field_validator("qualifier")(_in(QUALIFIERS))


class MeasureRule(RegexRule):
    measure: str
    position: Literal["after", "before", "zero", "inherit"]
    persons_only: bool = False
    """Only when the counted group names people (or, for attackers, aircraft and drones): "shot both pilots"."""
    _m = field_validator("measure")(_in(MEASURES))


class EventRule(RegexRule):
    """An event trigger: its type, and ``weak`` when it only names an event the article already
    has ("were killed", "targeted") and opens one only when there is none."""

    type: str
    weak: bool = False
    requires_place: bool = False
    """Names an event only with a place right after it ("captured the town of X", not "captured arms")."""
    _type = field_validator("type")(_in(EVENT_TYPES))


class PlacePhraseRule(RegexRule):
    """A phrase naming a place: group ``name`` (``{name}`` stands for a capitalised name), optional
    ``parent`` ("X's Y district") and ``generic`` (the word naming the level). ``create``: a name the
    gazetteer lacks becomes a place of the text ("the village of X", "near X"); ``context_only``: a
    weak phrase ("of X") whose name is a place only inside the article's countries."""

    create: bool = False
    context_only: bool = False
    """The name is a place only inside a country the article is about ("of X", "to X")."""

    @field_validator("pattern")
    @classmethod
    def _has_name(cls, v: str) -> str:
        if "(?P<name>" not in v:
            raise ValueError("a place phrase needs a (?P<name>...) group")
        return v


class PlaceNameRule(Rule):
    """A word that place-name matching ignores (see conflictkg.gazetteer): an article ("al"), a
    generic word with the level of place it names ("oblast": subdivision), an adjectival ending."""

    kind: Literal["article", "generic", "suffix", "compass"]
    level: Literal["subdivision", "district", "city"] | None = None
    english: str | None = None
    """For a compass word of another language ("nord"): the English word news uses ("north")."""

    @model_validator(mode="after")
    def _compass_has_english(self) -> PlaceNameRule:
        if (self.kind == "compass") != (self.english is not None):
            raise ValueError("a compass word, and only a compass word, gives its English word ('english')")
        return self


class FamilyRule(BaseModel):
    """Event types that can name one event ("an attack", "the strikes", "the clashes"), how many
    days after an event the reports of it that give no date of their own come out, and how
    specific a place names one of its events."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    id: str
    label: str
    family: str
    types: list[str]
    window_days: int = 14
    place_level: Literal[1, 2, 3] = 3
    ongoing: bool = False
    """A situation over a period (a deployment): a date the text gives is one moment of it, so its
    reports are compared over the reporting window either side of that date."""
    """How specific a place has to be to tell this family's events apart: 3 a town or village (an
    attack), 1 a country (a deployment, where "in Libya" is as precise as reports get)."""

    @field_validator("types")
    @classmethod
    def _types(cls, v: list[str]) -> list[str]:
        unknown = [t for t in v if t not in EVENT_TYPES]
        if unknown:
            raise ValueError(f"unknown event types {unknown}")
        return v


class FurnitureRule(RegexRule):
    action: Literal["drop", "cut_rest", "caption", "dateline", "summary"]


class DateRule(RegexRule):
    kind: Literal["weekday_range", "month_day", "weekday", "offset", "week", "month_offset", "month", "prior", "after_previous"]
    """``after_previous``: ``days`` after the date the text gave last ("the next day", "two days later")."""
    days: int | None = None
    weeks: int | None = None
    months: int | None = None


#: Kinds of counted populations (``ckg:PopulationKind`` individuals of the ontology).
POPULATION_KINDS = ("People", "Civilians", "Children", "Journalists", "AidWorkers", "Combatants", "Soldiers",
                    "Fighters", "Contractors", "Police", "OnBoard", "Crew", "Pilots", "Bodies", "Aircraft")


class PopulationKindRule(RegexRule):
    """A kind of counted population, the nouns that name it, and the kind it lies within."""

    kind: str
    within: str | None = None
    _kind = field_validator("kind", "within")(_in(POPULATION_KINDS))


class PopulationTermRule(RegexRule):
    """A word that places a counted group: its side, a subset mark, a breakdown, a running total, ..."""

    term: Literal["cut", "alignment", "side-of", "role", "mark", "party-head", "possessive", "own-kind",
                  "cumulative", "cumulative-sentence", "breakdown", "union", "apposition", "mark-after", "mark-before"]
    value: str | None = None

    @model_validator(mode="after")
    def _marks_name_their_subset(self) -> PopulationTermRule:
        if self.term in ("mark", "mark-after", "mark-before") and not self.value:
            raise ValueError(f"a {self.term} term must name the subset it marks (value)")
        return self


class SpeaksForRule(RegexRule):
    """A phrase naming the organisation a speaker speaks for (its ``org`` group): "in a statement released by X"."""

    @field_validator("pattern")
    @classmethod
    def _names_org(cls, v: str) -> str:
        if "(?P<org>" not in v:
            raise ValueError("pattern has no (?P<org>...) group")
        return v


class PartyPhraseRule(RegexRule):
    """A phrase naming the non-state party that owns a body or an office (its ``party`` group)."""

    @field_validator("pattern")
    @classmethod
    def _names_party(cls, v: str) -> str:
        if "(?P<party>" not in v:
            raise ValueError("pattern has no (?P<party>...) group")
        return v


#: Which schema each rules file follows.
SCHEMAS: dict[str, type[BaseModel]] = {
    "cues": CueRule,
    "frames": FrameRule,
    "channels": ChannelRule,
    "hedges": HedgeRule,
    "stances": StanceRule,
    "number_words": ValueRule,
    "vague_numbers": VagueRule,
    "qualifiers": QualifierRule,
    "measures": MeasureRule,
    "nonfigures": RegexRule,
    "nonfigures_before": RegexRule,
    "person_nouns": Rule,
    "nonperson_nouns": Rule,
    "force_nouns": Rule,
    "event_triggers": EventRule,
    "event_families": FamilyRule,
    "event_anaphora": RegexRule,
    "source_heads": Rule,
    "no_side_heads": Rule,
    "abbreviations": Rule,
    "person_titles": Rule,
    "role_nouns": Rule,
    "furniture": FurnitureRule,
    "dates": DateRule,
    "months": ValueRule,
    "weekdays": ValueRule,
    "not_names": Rule,
    "place_phrases": PlacePhraseRule,
    "place_names": PlaceNameRule,
    "population_kinds": PopulationKindRule,
    "population_terms": PopulationTermRule,
    "speaks_for": SpeaksForRule,
    "party_phrases": PartyPhraseRule,
    "revision_cues": RegexRule,
    "statement_dates": RegexRule,
}


class RuleSet:
    """All rules files of one folder, validated. Attribute access by file stem: ``rules.cues``."""

    def __init__(self, tables: dict[str, list[BaseModel]]) -> None:
        self._tables = tables

    def __getattr__(self, name: str) -> list:  # type: ignore[type-arg]
        try:
            return self._tables[name]
        except KeyError:
            raise AttributeError(name) from None

    def by_id(self, rule_id: str) -> BaseModel:
        for table in self._tables.values():
            for rule in table:
                if rule.id == rule_id:  # type: ignore[attr-defined]
                    return rule
        raise KeyError(rule_id)

    @cached_property
    def number_values(self) -> dict[str, int]:
        return {r.pattern: r.value for r in self.number_words}

    @cached_property
    def month_values(self) -> dict[str, int]:
        return {r.pattern.lower(): r.value for r in self.months}

    @cached_property
    def weekday_values(self) -> dict[str, int]:
        return {r.pattern.lower(): r.value for r in self.weekdays}

    def alternation(self, table: str) -> str:
        """A regex alternation of a table's patterns, longest first (computed once per table)."""
        cache = self.__dict__.setdefault("_alternations", {})
        if table not in cache:
            items = sorted((r.pattern for r in self._tables[table]), key=len, reverse=True)
            cache[table] = "|".join(re.escape(p) if table in _LITERAL_TABLES else p for p in items)
        return cache[table]


_LITERAL_TABLES = {"not_names", "number_words", "source_heads", "no_side_heads", "abbreviations", "person_titles", "role_nouns",
                   "months", "weekdays", "person_nouns", "nonperson_nouns", "force_nouns"}


def load_rules(directory: Path = RULES_DIR) -> RuleSet:
    """Load and validate every ``*.jsonl`` in ``directory``; raises :class:`DataFileError` naming the line."""
    tables: dict[str, list[BaseModel]] = {}
    seen: dict[str, str] = {}
    for name, schema in SCHEMAS.items():
        path = directory / f"{name}.jsonl"
        if not path.exists():
            raise DataFileError(f"{path}: missing rules file", code="E021")
        rows: list[BaseModel] = []
        for lineno, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip():
                continue
            where = f"{path}:{lineno}"
            try:
                rule = schema.model_validate(json.loads(line))
            except json.JSONDecodeError as exc:
                raise DataFileError(f"{where}: not JSON: {exc.msg}", code="E022") from None
            except ValidationError as exc:
                problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
                raise DataFileError(f"{where}: {problems}", code="E023") from None
            rid = rule.id  # type: ignore[attr-defined]
            if rid in seen:
                raise DataFileError(f"{where}: rule id {rid!r} already used in {seen[rid]}", code="E024")
            seen[rid] = where
            rows.append(rule)
        tables[name] = rows
    extra = sorted(p.stem for p in directory.glob("*.jsonl") if p.stem not in SCHEMAS)
    if extra:
        raise DataFileError(f"{directory}: unknown rules files {extra} (no schema)", code="E025")
    return RuleSet(tables)
