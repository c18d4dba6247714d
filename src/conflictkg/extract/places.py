"""``places``: the places the text names, resolved against the gazetteer.

Candidates come from the place phrases (``data/rules/place_phrases.jsonl``: "in X", "near X",
"the village of X", "X province", "X's Y district") and from the dictionary's place names.
Each is resolved against :class:`~conflictkg.gazetteer.Gazetteer`:

- a generic word says which level is meant ("Donetsk region" is the oblast, "Saada province"
  the governorate named after the town of Saada); a name the gazetteer spells differently is
  matched by its sound within the article's countries ("Deir Ezzor province" -> Dayr az Zawr);
- a name several places share is the one in the article's countries (those it names without
  doubt: a country, a subdivision, a dictionary place), then the one the phrase's parent
  contains ("Cabo Delgado's Macomia district"), then the most populous;
- a small place is only taken in a country the article is about, or where the phrase says it is
  a place ("the village of X"); otherwise a capitalised word after "in" is not a place;
- a name the gazetteer lacks becomes a place of the text when the phrase says it is a place
  ("the village of X", "near X", "X district"), with the parent the text gives: the phrase's
  own ("X's Y district"), else the most specific place of the sentence that can contain it.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from ..gazetteer import PLACE_KINDS, Gazetteer, Place, fold, split_generic, text_place_id
from ..model import PlaceRecord, Span
from .doc import Doc, PlaceMention
from .events import is_trigger
from .pipeline import component

__all__ = ["places", "NAME_PATTERN", "LOCAL_MIN_POPULATION", "WELL_KNOWN_POPULATION", "CONTEXT_MENTIONS"]

#: A capitalised place name: words, hyphens, apostrophes, Arabic articles and short particles.
NAME_PATTERN = (r"(?:(?:al|el|ez|az|as|ad|ar|an|at|ash)-)?[A-Z](?:\w|'(?!s\b))*(?:-(?:\w|'(?!s\b))+)*"
                r"(?:\s+(?:(?:al|el|ez|az|as|ad|ar|an|at|ash|de|del|da|do|la|le)[\s-]+)?[A-Z](?:\w|'(?!s\b))*(?:-(?:\w|'(?!s\b))+)*){0,3}")
#: Populated places smaller than this are taken only inside a country the article is about.
LOCAL_MIN_POPULATION = 1000
#: A country the article names this often is one it is about (its small places are taken after "of", "to").
CONTEXT_MENTIONS = 2
#: Populated places at least this large are taken without the article naming their country.
WELL_KNOWN_POPULATION = 100_000
_KIND_LEVEL = {"subdivision": "subdivision", "district": "district", "city": "city"}


@dataclass
class _Candidate:
    span: Span
    name: str
    rule: str
    create: bool
    context_only: bool
    level: str | None
    parent: str | None
    sentence: int


def _compiled(doc: Doc) -> list[tuple[re.Pattern[str], object]]:
    return [(re.compile(r.pattern.replace("{name}", NAME_PATTERN)), r) for r in doc.resources.rules.place_phrases]


def _stop_words(doc: Doc) -> set[str]:
    rules = doc.resources.rules
    words = {r.pattern.lower() for r in (*rules.months, *rules.weekdays, *rules.not_names)}
    return words


def _trim(name: str, start: int, stop: set[str]) -> tuple[str, int]:
    """Drop leading words that are not names ("The", "Monday")."""
    words = name.split()
    while words and words[0].lower() in stop:
        start += name.index(words[0]) + len(words[0])
        name = name[name.index(words[0]) + len(words[0]):]
        words = name.split()
    lead = len(name) - len(name.lstrip())
    return name.strip(), start + lead


def _candidates(doc: Doc) -> list[_Candidate]:
    stop = _stop_words(doc)
    found: list[_Candidate] = []
    taken: list[Span] = []
    sentence_of = {id(mn): next((s.index for s in doc.sentences if s.span.contains(mn.span)), 0) for mn in doc.mentions}
    # The dictionary's own places come first ("Hmeimim air base"): a longer name than a phrase finds.
    for mn in doc.mentions:
        if mn.place and not mn.actor:
            found.append(_Candidate(mn.span, mn.surface, "place.dictionary", False, False, None, None, sentence_of[id(mn)]))
            taken.append(mn.span)
    for s in doc.sentences:
        text = doc.norm[s.span.start : s.span.end]
        for rx, rule in _compiled(doc):
            for m in rx.finditer(text):
                name, start = _trim(m.group("name"), s.span.start + m.start("name"), stop)
                while " " in name and is_trigger(doc.resources.rules, name.rsplit(None, 1)[1]):
                    name = name.rsplit(None, 1)[0]  # a headline's "in Moura Massacre": the place, then the event
                if not name or name.lower() in stop:
                    continue
                span = Span(start, start + len(name))
                if any(span.overlaps(t) for t in taken):
                    continue
                generic = m.groupdict().get("generic")
                level = None
                if generic:
                    _, level = split_generic("x " + generic.lower(), doc.resources.gazetteer.rules)
                parent = m.groupdict().get("parent")
                taken.append(span)
                found.append(_Candidate(span, name, rule.id, rule.create, rule.context_only, level, parent, s.index))  # type: ignore[attr-defined]
    for mn in doc.mentions:
        if mn.place and mn.actor and not any(mn.span.overlaps(t) for t in taken) and _is_place(doc, mn):
            found.append(_Candidate(mn.span, mn.surface, "place.dictionary", False, False, None, None, sentence_of[id(mn)]))
            taken.append(mn.span)
    return sorted(found, key=lambda c: c.span)


#: A name followed by a lower-case word that is not a function word is a modifier ("the French frigate"):
#: not a place to create.
_MODIFIER_NEXT = re.compile(r"^\s+(?!(?:in|at|on|of|and|or|near|after|before|where|which|who|when|that|to|from|with|by|for|as|"
                            r"since|while|but|was|were|is|are|has|had|have|late|early|last|this|on|during|amid|about|"
                            r"around|the|a|an|its|their|said|says|city|town|village|market|camp|area)\b)[a-z]")
#: A capitalised word before one of these nouns is an adjective ("the Arab country"), not a place.
_ADJECTIVE_USE = re.compile(r"^\s+(?:country|countries|nation|nations|world|people|peoples|state|states|side|capital|territory|territories|coast)\b")
_LOCATIVE = re.compile(r"\b(?:in|at|near|from|inside|across|to|of|outside|around|towards?)\s+(?:the\s+)?$", re.I)
_MODIFIES = re.compile(r"^(?:\s+(?:air|forces|troops|military|officials|warplanes|strikes?|jets|aircraft|government|army|"
                       r"advisers|soldiers|authorities|ministry|embassy|side|president|leader)\b|\s*-|'s\s)", re.I)


#: "outside" before a country: anywhere but there.
_OUTSIDE = re.compile(r"\boutside\s+(?:the\s+)?$", re.I)
#: A country's name in the possessive ("Mali's army") names the country the article is about.
_POSSESSIVE = re.compile(r"'s\b")


def _bare_subdivision(c: _Candidate, place: Place, level: str | None) -> bool:
    """A subdivision the text names without a generic word or a dictionary entry ("in the Sahel")."""
    return (place.kind == "subdivision" and c.rule != "place.dictionary" and not place.source.startswith("dictionary")
            and level is None and not c.parent)


def _is_place(doc: Doc, mn) -> bool:  # type: ignore[no-untyped-def]
    """A name that is both an actor and a place ("Moscow", "US") is a place only after a locative word."""
    if not mn.actor:
        return True
    if _MODIFIES.match(doc.norm[mn.span.end : mn.span.end + 20]):
        return False  # "US air strikes", "US-backed forces"
    return bool(_LOCATIVE.search(doc.norm[max(0, mn.span.start - 20) : mn.span.start]))


class _Resolver:
    def __init__(self, doc: Doc) -> None:
        self.doc = doc
        self.gaz: Gazetteer = doc.resources.gazetteer
        self.countries: Counter[str] = Counter()

    def options(self, c: _Candidate) -> tuple[list[Place], str | None]:
        """The places a candidate can be, and the level its generic word names."""
        gaz = self.gaz
        if c.rule == "place.dictionary":
            actor, place = self.doc.resources.dictionary.lookup(c.name)
            del actor
            return ([gaz.get(place)] if place and gaz.get(place) else []), None  # type: ignore[list-item]
        key = fold(c.name, gaz.rules)
        core, level = split_generic(key, gaz.rules)
        level = c.level or level
        found = list(gaz.lookup(c.name)) if core == key else []
        if not found:
            found = list(gaz.lookup(core))
        if level == "subdivision":
            subs = [p for p in found if p.kind == "subdivision"]
            named = [gaz.get(s) for s in (gaz.subdivision_named_after(p.id) for p in found if p.kind == "city") if s]
            # "the Mopti region of Mali": the country stays an option beside a subdivision of that name.
            countries = [p for p in found if p.kind == "country"]
            found = (subs or [p for p in named if p is not None] or gaz.loose_subdivisions(core, self.countries)) + countries
        elif level in ("district", "city"):
            # "in Mali Village" (a headline's capitals): the country the article is about, not a town of that name elsewhere.
            found = [p for p in found if p.kind in ("district", "city", "place") or (p.kind == "country" and self.countries[p.country or ""])]
        return found, level

    def choose(self, c: _Candidate, options: list[Place], parent: str | None, level: str | None) -> Place | None:
        """The place a candidate is among ``options`` (``level``: the one :meth:`options` gave), or None."""
        gaz = self.gaz
        if parent:
            inside = [p for p in options if parent in gaz.ancestors(p.id) and p.id != parent]
            if inside:
                options = inside
        if not options:
            return None

        rank = {k: i for i, k in enumerate(PLACE_KINDS)}

        def score(p: Place) -> tuple[bool, int, int, str]:
            # In the article's countries first; a subdivision before the town it is named after
            # ("Deir ez-Zor": the governorate, unless the text says "city"); then the largest.
            return (p.country not in self.countries, rank[p.kind], -p.population, p.id)

        best = min(options, key=score)
        if _bare_subdivision(c, best, level) and self.countries and not self.countries[best.country or ""]:
            return None  # "the UN mission in the Sahel" in an article about Mali: not Burkina Faso's Sahel region
        if best.kind in ("country", "subdivision", "place", "district") or best.source.startswith("dictionary"):
            return best
        if self.countries[best.country or ""] >= (1 if c.create else CONTEXT_MENTIONS):
            return best if best.population >= LOCAL_MIN_POPULATION or c.create else None
        if len(options) == 1 and len(c.name.split()) > 1 and fold(c.name, gaz.rules) == fold(best.label, gaz.rules):
            return best  # "toward Majdal Shams": a name of several words that only one place in the world has
        strong = not c.context_only and c.level is None
        return best if strong and best.population >= WELL_KNOWN_POPULATION else None


@component("places", requires=("sentences", "mentions"), assigns=("place_mentions", "places"))
def places(doc: Doc) -> Doc:
    resolver = _Resolver(doc)
    gaz = resolver.gaz
    cands = _candidates(doc)
    # First pass: the article's countries, from the names that need no context, and from its
    # demonyms ("the eastern Ukrainian town of X").
    table = doc.resources.countries
    for m in table.name_regex.finditer(doc.norm):
        country = table.find(m.group())
        if country is not None and (m.group() in country.demonyms or _POSSESSIVE.match(doc.norm, m.end())):
            resolver.countries[country.alpha2] += 1  # "Malian troops", "Mali's army"
    # A subdivision named without a generic word ("in the Sahel") counts only in a country the
    # article already names: the same name is a region of many countries.
    bare: list[str] = []
    for c in cands:
        options, level = resolver.options(c)
        sure = [p for p in options if p.kind in ("country", "subdivision") or p.source.startswith("dictionary")]
        if sure and len({p.country for p in sure}) == 1 and sure[0].country:
            if _bare_subdivision(c, sure[0], level):
                bare.append(sure[0].country)
            else:
                resolver.countries[sure[0].country] += 1
    resolver.countries.update(code for code in bare if not resolver.countries or resolver.countries[code])
    out: list[PlaceMention] = []
    records: dict[str, PlaceRecord] = {}
    missing: list[tuple[_Candidate, str | None, str | None]] = []
    unplaced: list[tuple[_Candidate, str | None]] = []
    for c in cands:
        options, level = resolver.options(c)
        parent = None
        if c.parent:
            popts, plevel = resolver.options(_Candidate(c.span, c.parent, "place.parent", False, False, None, None, c.sentence))
            pchosen = resolver.choose(c, popts, None, plevel)
            parent = pchosen.id if pchosen else None
        place = resolver.choose(c, options, parent, level)
        after = doc.norm[c.span.end : c.span.end + 20]
        if c.rule != "place.dictionary" and not c.level and (_MODIFIES.match(after) or _ADJECTIVE_USE.match(after)):
            continue  # "in US air strikes", "in the Arab country": a modifier, not a place
        if place is not None and place.kind == "country" and _OUTSIDE.search(doc.norm[max(0, c.span.start - 12) : c.span.start]):
            continue  # "the worst atrocity outside Ukraine": everywhere but that country
        if place is not None:
            out.append(PlaceMention(c.span, c.sentence, place.id, c.rule, level))
        elif c.create and c.rule != "place.dictionary" and _nameable(doc, c.name) and not (c.level is None and _MODIFIER_NEXT.match(after)):
            missing.append((c, level, parent))
        elif c.rule != "place.dictionary" and not _MODIFIER_NEXT.match(after):
            unplaced.append((c, level))
    # Second pass: places of the text, with the parent the text gives.
    created: dict[str, str] = {}
    for c, level, parent in missing:
        place = _text_place(doc, c, level, parent, out, records, resolver.countries)
        out.append(PlaceMention(c.span, c.sentence, place.id, c.rule, level))
        created.setdefault(fold(c.name, gaz.rules), place.id)
    # A name the text made a place of is that place wherever else it stands ("the town of Moura" ... "in Moura").
    for c, level in unplaced:
        pid = created.get(fold(c.name, gaz.rules))
        if pid is not None:
            out.append(PlaceMention(c.span, c.sentence, pid, c.rule, level))
    out.sort(key=lambda m: m.span)
    doc.place_mentions = out
    used = {m.place for m in out}
    for pid in sorted(used):
        for aid in gaz.ancestors(pid):
            if aid.startswith("text/"):
                continue
            p = gaz.get(aid)
            if p is not None and aid not in records:
                records[aid] = PlaceRecord(id=aid, label=p.label, kind=p.kind, type=p.type, parent=p.parent and gaz.ancestors(p.parent)[0],
                                           source=p.source, same_as=p.same_as)
    doc.places = sorted(records.values(), key=lambda r: r.id)
    return doc


#: Endings of English adjectives of place ("Siberian", "Western", "Lebanese"): such a word is not a place's name.
_ADJECTIVE_ENDINGS = ("ian", "ern", "ese", "ean")
_ORG_WORDS = re.compile(r"\b(?:Embassy|Ministry|Committee|Council|Agency|Group|Company|Forces|Army|Office|Department|"
                        r"University|Party|Front|Movement|Republic|State|Union|Nations|News|Times|Post|Press|Channel|TV)\b")


def _nameable(doc: Doc, name: str) -> bool:
    """A name the text may create as a place: not an actor, a demonym or an organisation."""
    dictionary = doc.resources.dictionary
    words = [w for token in name.split() for w in token.split("-")]
    if dictionary.lookup(name) != (None, None) or _ORG_WORDS.search(name):
        return False
    table = doc.resources.countries
    if any(w in dictionary.demonyms or (table.find(w) is not None and w in table.find(w).demonyms)  # type: ignore[union-attr]
           or w.lower().endswith(_ADJECTIVE_ENDINGS) for w in words):
        return False  # "Russian-controlled region", "the Siberian city of", "Western Russian city"
    return len(fold(name, doc.resources.gazetteer.rules)) >= 3


def _without_parent(name: str, parent: str | None, gaz: Gazetteer) -> str:
    """A place's name without its parent's ("Mosul Jadida district" in Mosul -> "Jadida district"),
    so the same district is one place however the text names it."""
    p = gaz.get(parent) if parent else None
    if p is None:
        return name
    words, lead = name.split(), fold(p.label, gaz.rules).split()
    if len(words) > len(lead) and [fold(w, gaz.rules) for w in words[: len(lead)]] == lead:
        return " ".join(words[len(lead):])
    return name


def _country_place(gaz: Gazetteer, code: str) -> str | None:
    p = gaz.get(f"country/{code}")
    return p.id if p is not None else None


def _text_place(doc: Doc, c: _Candidate, level: str | None, parent: str | None, found: list[PlaceMention],
                records: dict[str, PlaceRecord], countries: Counter[str]) -> Place:
    gaz = doc.resources.gazetteer
    core, _ = split_generic(fold(c.name, gaz.rules), gaz.rules)
    if parent is None:
        # The most specific place of the sentence that can contain a place of this level, else
        # (for a district or a neighbourhood) the place the article names most.
        kinds = ("country", "subdivision", "district") if level == "city" else ("country", "subdivision", "district", "city")
        here = [m.place for m in found if m.sentence == c.sentence and not m.place.startswith("text/")
                and gaz.get(m.place) is not None and gaz.get(m.place).kind in kinds]  # type: ignore[union-attr]
        if not here and level == "district":
            counts = Counter(m.place for m in found if not m.place.startswith("text/") and gaz.get(m.place) is not None
                             and gaz.get(m.place).kind in ("city", "subdivision"))  # type: ignore[union-attr]
            here = [max(counts, key=lambda p: (counts[p], len(gaz.ancestors(p)), p))] if counts else []
        here.sort(key=lambda p: (-len(gaz.ancestors(p)), p))
        parent = here[0] if here else None
        if parent is None and countries:
            # Else the country the article is about: the text names it, if not in this sentence.
            parent = _country_place(gaz, countries.most_common(1)[0][0])
    label = _without_parent(c.name, parent, gaz)
    kind = "district" if level in ("district", "subdivision") else "place"
    pid = text_place_id(label, parent)
    if pid not in records:
        records[pid] = PlaceRecord(id=pid, label=label, kind=kind, type="", parent=parent, source="text", same_as=(),
                                   evidence=c.span, rule=c.rule)
    gaz.name_text_place(pid, label)
    del core
    return gaz.get(pid)  # type: ignore[return-value]
