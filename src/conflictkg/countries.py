"""Countries: names, demonyms, ISO codes and capitals, and the institutions every country has.

The table is built from two maintained data packages: ``pycountry`` (ISO 3166-1 codes and
names) and ``countryinfo`` (common names, alternative spellings, demonyms, capitals), plus the
additions in ``data/dictionary/countries.yaml`` (extra names and demonyms news uses: "U.S.",
"Saudi", "CAR"). Places below the country (regions, towns) are not here: they belong to the
place gazetteer, which reuses this table for the countries.

``data/dictionary/institutions.yaml`` lists institutions by their head nouns ("defence ministry",
"general staff", "embassy"): "Turkey's defence ministry" or "the Nigerien army" become an actor of
that country, affiliated with its government.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cached_property, lru_cache
from importlib import resources
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError

from .errors import DataFileError
from .resources import DICTIONARY_DIR

__all__ = ["Country", "CountryTable", "Institution", "load_countries", "MIN_NAME_LENGTH"]

#: Alternative spellings shorter than this (ISO codes such as "UA", "RUS") are not names in text,
#: unless ``countries.yaml`` adds them.
MIN_NAME_LENGTH = 4
_LATIN = re.compile(r"^[A-Za-z][A-Za-z .'\u2019-]*[A-Za-z.]$")


@dataclass(frozen=True)
class Country:
    """One country: ISO codes, the names and demonyms that stand for it in English text."""

    alpha2: str
    alpha3: str
    name: str
    """The short English name ("Russia", "Syria", "Turkey")."""
    names: tuple[str, ...]
    """Every name that stands for the country, ``name`` first."""
    demonyms: tuple[str, ...]
    capital: str | None

    @property
    def key(self) -> str:
        """A stable identifier: the lower-case ISO alpha-3 code."""
        return self.alpha3.lower()

    @property
    def demonym(self) -> str:
        return self.demonyms[0] if self.demonyms else self.name


class Institution(BaseModel):
    """An institution every country has, named by a head noun after the country or its demonym."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    id: str
    label: str
    """With ``{demonym}`` or ``{country}``: "{demonym} Ministry of Defence"."""
    type: Literal["Government", "Ministry", "ArmedForce", "InternationalOrganisation"]
    heads: tuple[str, ...]
    role_nouns: tuple[str, ...] = ()
    """Titles of the people who speak for it ("defence minister", "army spokesman")."""

    def label_for(self, country: Country) -> str:
        return self.label.format(demonym=country.demonym, country=country.name)


class _Additions(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    alpha2: str
    names: tuple[str, ...] = ()
    demonyms: tuple[str, ...] = ()
    not_names: tuple[str, ...] = ()
    """Names the packages give that mislead in English news text."""


class CountryTable:
    """Countries by code, name and demonym, with the regular expressions that find them."""

    def __init__(self, countries: list[Country], institutions: list[Institution]) -> None:
        self.countries = {c.alpha2: c for c in countries}
        self.institutions = {i.id: i for i in institutions}
        self._by_name: dict[str, Country] = {}
        for c in countries:
            for word in (*c.names, *c.demonyms):
                self._by_name.setdefault(word.lower(), c)

    def get(self, alpha2: str) -> Country | None:
        return self.countries.get(alpha2.upper())

    def find(self, text: str) -> Country | None:
        """The country a name, demonym or capital stands for: "Ukrainian" -> Ukraine."""
        text = re.sub(r"(?:'s|\u2019s|')$", "", " ".join(text.replace("\u2019", "'").split()))
        text = re.sub(r"^the\s+", "", text, flags=re.I)
        return self._by_name.get(text.lower())

    def capital_of(self, text: str) -> Country | None:
        """The country whose capital ``text`` names: "Kyiv" -> Ukraine."""
        return self._capitals.get(text.lower())

    @cached_property
    def _capitals(self) -> dict[str, Country]:
        out: dict[str, Country] = {}
        for c in self.countries.values():
            if c.capital:
                out.setdefault(c.capital.lower(), c)
                out.setdefault(re.sub(r"\s+D\.?C\.?$", "", c.capital).lower(), c)  # "Washington D.C."
        return out

    @cached_property
    def name_regex(self) -> re.Pattern[str]:
        """Any country name or demonym, as a whole word."""
        return re.compile(rf"(?<![\w-])(?:{self.name_pattern})(?![\w-])")

    @cached_property
    def institution_regexes(self) -> tuple[re.Pattern[str], re.Pattern[str]]:
        """"<country> <words> <head>" and "<head> of <country>", whole phrases."""
        names, heads = self.name_pattern, self.head_pattern
        return (re.compile(rf"(?P<country>{names})(?:'s|')?\s+(?:(?:[\w-]+\s+){{0,2}}?)(?P<head>(?i:{heads}))"),
                re.compile(rf"(?P<head>(?i:{heads}))\s+(?:of|in)\s+(?:the\s+)?(?P<country>{names})"))

    @cached_property
    def name_pattern(self) -> str:
        """A regex alternation of every name and demonym (case-sensitive, longest first)."""
        words = sorted(self._by_name_cased(), key=lambda w: (-len(w), w))
        return "|".join(re.escape(w).replace(r"\ ", r"\s+") for w in words)

    def _by_name_cased(self) -> set[str]:
        return {w for c in self.countries.values() for w in (*c.names, *c.demonyms)}

    @cached_property
    def head_pattern(self) -> str:
        heads = sorted({h for i in self.institutions.values() for h in i.heads}, key=lambda h: (-len(h), h))
        return "|".join(re.escape(h).replace(r"\ ", r"\s+") for h in heads)

    def institution_with_head(self, head: str) -> Institution | None:
        head = " ".join(head.lower().split())
        for i in self.institutions.values():
            if head in i.heads:
                return i
        return None


def _package_rows() -> list[dict[str, object]]:
    rows = []
    for f in resources.files("countryinfo").joinpath("data").iterdir():
        if f.name.endswith(".json"):
            data = json.loads(f.read_text(encoding="utf-8"))
            rows.extend(data.values() if "name" not in data else [data])
    return rows


def _countries(additions: dict[str, _Additions]) -> list[Country]:
    import pycountry

    info: dict[str, dict[str, object]] = {}
    for row in _package_rows():
        iso = row.get("ISO")
        if isinstance(iso, dict) and iso.get("alpha2"):
            info.setdefault(str(iso["alpha2"]).upper(), row)
    out = []
    for c in pycountry.countries:
        row = info.get(c.alpha_2, {})
        extra = additions.get(c.alpha_2) or _Additions(alpha2=c.alpha_2)
        name = str(row.get("name") or getattr(c, "common_name", None) or c.name)
        candidates = [name, *extra.names, getattr(c, "common_name", None) or "", c.name, getattr(c, "official_name", None) or "",
                      *(str(s) for s in row.get("altSpellings") or [])]  # type: ignore[union-attr]
        names: list[str] = []
        for n in candidates:
            n = n.strip()
            if (n and n not in names and n not in extra.not_names and "," not in n and _LATIN.match(n)
                    and (len(n) >= MIN_NAME_LENGTH or n in extra.names)):
                names.append(n)
        demonyms = [d for d in (*extra.demonyms, str(row.get("demonym") or "")) if d and d not in extra.not_names]
        capital = str(row.get("capital") or "") or None
        out.append(Country(alpha2=c.alpha_2, alpha3=c.alpha_3, name=name, names=tuple(names),
                           demonyms=tuple(dict.fromkeys(demonyms)), capital=capital))
    return out


def _load_yaml(path: Path, model: type[BaseModel]) -> list:  # type: ignore[type-arg]
    try:
        rows = yaml.safe_load(path.read_text(encoding="utf-8")) or []
    except yaml.YAMLError as exc:
        raise DataFileError(f"{path}: not YAML: {exc}", code="E022") from None
    if not isinstance(rows, list):
        raise DataFileError(f"{path}: must be a list of entries", code="E023")
    out = []
    for i, row in enumerate(rows):
        try:
            out.append(model.model_validate(row))
        except ValidationError as exc:
            problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
            raise DataFileError(f"{path}: entry {i + 1}: {problems}", code="E023") from None
    return out


@lru_cache(maxsize=4)
def load_countries(directory: Path = DICTIONARY_DIR) -> CountryTable:
    """The country table and the institutions, validated (cached: the data does not change)."""
    additions = {a.alpha2.upper(): a for a in _load_yaml(directory / "countries.yaml", _Additions)}
    institutions = _load_yaml(directory / "institutions.yaml", Institution)
    ids = [i.id for i in institutions]
    if len(ids) != len(set(ids)):
        raise DataFileError(f"{directory / 'institutions.yaml'}: duplicate id", code="E024")
    table = CountryTable(_countries(additions), institutions)
    unknown = sorted(set(additions) - set(table.countries))
    if unknown:
        raise DataFileError(f"{directory / 'countries.yaml'}: unknown ISO codes {unknown}", code="E023")
    return table
