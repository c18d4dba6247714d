"""The curated dictionary of actors and places (``data/dictionary/*.yaml``), validated at load."""

from __future__ import annotations

import re
from functools import cached_property
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError

from .errors import DataFileError
from .namespaces import CKGID
from .resources import DICTIONARY_DIR

__all__ = ["ActorEntry", "PlaceEntry", "Dictionary", "load_dictionary", "ACTOR_TYPES"]

ACTOR_TYPES = (
    "Person", "Government", "Ministry", "ArmedForce", "ArmedGroup", "Coalition",
    "MediaOutlet", "NewsAgency", "Monitor", "InternationalOrganisation",
)


class ActorEntry(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    id: str
    label: str
    type: Literal[
        "Person", "Government", "Ministry", "ArmedForce", "ArmedGroup", "Coalition",
        "MediaOutlet", "NewsAgency", "Monitor", "InternationalOrganisation",
    ]
    aliases: tuple[str, ...] = ()
    roles: tuple[str, ...] = ()
    role_nouns: tuple[str, ...] = ()
    affiliated_with: tuple[str, ...] = ()
    backs: tuple[str, ...] = ()
    country: str | None = None
    heads: tuple[str, ...] = ()
    same_as: tuple[str, ...] = ()

    @property
    def iri(self) -> str:
        return str(CKGID[f"actor/{self.id}"])

    @property
    def is_person(self) -> bool:
        return self.type == "Person"

    @property
    def is_media(self) -> bool:
        return self.type in ("MediaOutlet", "NewsAgency")


class PlaceEntry(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    id: str
    label: str
    type: Literal["country", "governorate", "city", "town", "village", "air base", "region", "river"]
    aliases: tuple[str, ...] = ()
    demonyms: tuple[str, ...] = ()
    part_of: str | None = None
    same_as: tuple[str, ...] = ()
    iso: str | None = None
    """The ISO 3166-1 alpha-2 or ISO 3166-2 code of the gazetteer place this entry is (conflictkg.gazetteer)."""
    geonames: int | None = None
    """The GeoNames id of the gazetteer's populated place this entry is."""

    @property
    def iri(self) -> str:
        return str(CKGID[f"place/{self.id}"])


class Dictionary:
    """Actors and places by id, with the lookups extraction needs."""

    def __init__(self, actors: list[ActorEntry], places: list[PlaceEntry]) -> None:
        self.actors = {a.id: a for a in actors}
        self.places = {p.id: p for p in places}

    def actor_by_iri(self, iri: str) -> ActorEntry | None:
        prefix = str(CKGID["actor/"])
        return self.actors.get(iri[len(prefix):]) if iri.startswith(prefix) else None

    def place_ancestors(self, place_id: str) -> list[str]:
        """The place and every place it lies in, innermost first."""
        out: list[str] = []
        current: str | None = place_id
        while current is not None and current not in out:
            out.append(current)
            current = self.places[current].part_of if current in self.places else None
        return out

    def admin_place(self, place_id: str) -> str:
        """The governorate (or country) a place lies in: names merged events."""
        for pid in self.place_ancestors(place_id):
            if pid in self.places and self.places[pid].type in ("governorate", "country"):
                return pid
        return place_id

    def places_compatible(self, a: str, b: str) -> bool:
        return a in self.place_ancestors(b) or b in self.place_ancestors(a)

    @cached_property
    def demonyms(self) -> dict[str, str]:
        """Demonym -> country id: ``"Russian" -> "russia"``."""
        return {d: p.id for p in self.places.values() for d in p.demonyms}

    def actors_with_head(self, head: str, country: str | None) -> list[ActorEntry]:
        """Actors a definite ``the <head>`` can refer to, those of ``country`` first."""
        head = head.lower()
        found = [a for a in self.actors.values() if head in (h.lower() for h in a.heads)]
        return sorted(found, key=lambda a: (a.country != country, a.id))

    def government_of(self, country: str) -> ActorEntry | None:
        for a in sorted(self.actors.values(), key=lambda a: a.id):
            if a.type == "Government" and a.country == country:
                return a
        return None

    @cached_property
    def alias_index(self) -> tuple[re.Pattern[str], re.Pattern[str], dict[str, tuple[str | None, str | None]]]:
        """(case-sensitive regex, case-insensitive regex, folded alias -> (actor id, place id)).

        Single-word aliases match case-sensitively ("IS", "Moscow"), and so do titles of capitalised words
        after "The" ("The National", not "the national bus company"); longer ones ignore case.
        Aliases are matched on normalised text (straight quotes, plain spaces).
        """
        table: dict[str, list[str | None]] = {}
        for a in sorted(self.actors.values(), key=lambda a: a.id):
            for alias in (a.label, *a.aliases):
                table.setdefault(_fold(alias), [None, None])[0] = table.get(_fold(alias), [None, None])[0] or a.id
        for p in sorted(self.places.values(), key=lambda p: p.id):
            for alias in (p.label, *p.aliases):
                entry = table.setdefault(_fold(alias), [None, None])
                entry[1] = entry[1] or p.id
        names = {_norm_alias(alias) for e in (*self.actors.values(), *self.places.values()) for alias in (e.label, *e.aliases)}
        # "The National", "The Guardian": a title whose words are common nouns in lower case keeps its capitals
        titled = {n for n in names if re.fullmatch(r"The(?:\s+[A-Z][\w'.&-]*)+", n)}
        single = sorted((n for n in names if " " not in n or n in titled), key=lambda n: (-len(n), n))
        multi = sorted((n for n in names if " " in n and n not in titled), key=lambda n: (-len(n), n))
        edge_l, edge_r = r"(?<![\w-])", r"(?![\w]|-\w)"
        alt = lambda xs: "|".join(re.escape(x).replace(r"\ ", r"\s+").replace(r"\-", r"\s*-\s*") for x in xs)  # noqa: E731
        cs = re.compile(edge_l + "(?:" + alt(single).replace("The\\s+", "[Tt]he\\s+") + ")" + edge_r)
        ci = re.compile(edge_l + "(?:" + alt(multi) + ")" + edge_r, re.IGNORECASE)
        return cs, ci, {k: (v[0], v[1]) for k, v in table.items()}

    def lookup(self, surface: str) -> tuple[str | None, str | None]:
        """(actor id, place id) a matched surface form names."""
        return self.alias_index[2].get(_fold(surface), (None, None))

    def check(self) -> None:
        problems = []
        for a in self.actors.values():
            for ref in (*a.affiliated_with, *a.backs):
                if ref not in self.actors:
                    problems.append(f"actor {a.id}: unknown actor {ref!r}")
            if a.country and a.country not in self.places:
                problems.append(f"actor {a.id}: unknown country {a.country!r}")
        for p in self.places.values():
            if p.part_of and p.part_of not in self.places:
                problems.append(f"place {p.id}: unknown part_of {p.part_of!r}")
        if problems:
            raise DataFileError("dictionary: " + "; ".join(problems), code="E027")


def _norm_alias(alias: str) -> str:
    return " ".join(alias.replace("\u2019", "'").replace("\u2013", "-").split())


def _fold(alias: str) -> str:
    return re.sub(r"\s*-\s*", "-", _norm_alias(alias)).lower().replace("\u2019", "'")


def _load(path: Path, model: type[BaseModel]) -> list:  # type: ignore[type-arg]
    try:
        rows = yaml.safe_load(path.read_text(encoding="utf-8")) or []
    except yaml.YAMLError as exc:
        raise DataFileError(f"{path}: not YAML: {exc}", code="E022") from None
    if not isinstance(rows, list):
        raise DataFileError(f"{path}: must be a list of entries", code="E023")
    out, seen = [], set()
    for i, row in enumerate(rows):
        try:
            entry = model.model_validate(row)
        except ValidationError as exc:
            problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
            raise DataFileError(f"{path}: entry {i + 1}: {problems}", code="E023") from None
        if entry.id in seen:  # type: ignore[attr-defined]
            raise DataFileError(f"{path}: duplicate id {entry.id!r}", code="E024")  # type: ignore[attr-defined]
        seen.add(entry.id)  # type: ignore[attr-defined]
        out.append(entry)
    return out


def load_dictionary(directory: Path = DICTIONARY_DIR) -> Dictionary:
    d = Dictionary(_load(directory / "actors.yaml", ActorEntry), _load(directory / "places.yaml", PlaceEntry))
    d.check()
    return d
