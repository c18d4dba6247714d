"""The country a text is about at a point: what "the government" or "the health ministry" belongs to.

The country named most often so far wins, the latest of equals; names count only in the body and
the headline (a section label such as "India" above a byline does not), a capital opening a
paragraph as its dateline ("Kabul: ...") counts as a mention of its country, and so does a place
of it the text names ("near Kabul airport", "in Donetsk region").
"""

from __future__ import annotations

import re

from ..countries import Country
from .doc import Doc

__all__ = ["country_names", "focus_country"]

_DATELINE = re.compile(r"([A-Z][\w'.-]+(?:\s+[A-Z][\w'.-]+)?)\s*(?:,[^:\n]{0,30}?)?\s*(?::|\s[-\u2013\u2014])\s")


def country_names(doc: Doc) -> list[tuple[int, Country]]:
    """(offset, country) of every country name, demonym and dateline capital of the article's text."""
    countries = doc.resources.countries
    text = [b.span for b in doc.blocks if b.kind == "body"] + ([doc.title_span] if doc.title_span else [])
    found = [(m.start(), c) for m in countries.name_regex.finditer(doc.norm)
             if any(t.start <= m.start() < t.end for t in text) and (c := countries.find(m.group())) is not None]
    for b in doc.blocks:
        m = _DATELINE.match(doc.norm, b.span.start, b.span.end)
        if b.kind == "body" and m and (c := countries.capital_of(m.group(1).title())) is not None:
            found.append((b.span.start, c))
    return sorted(found, key=lambda pc: pc[0])


def focus_country(doc: Doc, names: list[tuple[int, Country]], cursor: int) -> Country | None:
    """The country named most often before ``cursor`` (names and dictionary actors of a country)."""
    countries, dictionary = doc.resources.countries, doc.resources.dictionary
    named = [(pos, c) for pos, c in names if pos < cursor]
    for mn in doc.mentions:
        if mn.actor and mn.span.start < cursor and dictionary.actors[mn.actor].country and not any(pos == mn.span.start for pos, _ in named):
            place = dictionary.places.get(dictionary.actors[mn.actor].country or "")
            c = countries.find(place.label) if place else None
            if c is not None:
                named.append((mn.span.start, c))
    gazetteer = doc.resources.gazetteer
    for pm in doc.place_mentions:  # "near Kabul airport": a town or a region of the country
        p = gazetteer.get(pm.place) if pm.span.start < cursor else None
        if p is not None and p.kind != "country" and p.country and not any(pos == pm.span.start for pos, _ in named):
            c = countries.get(p.country)
            if c is not None:
                named.append((pm.span.start, c))
    best: tuple[int, Country] | None = None
    counts: dict[str, int] = {}
    for pos, c in sorted(named, key=lambda pc: pc[0]):
        counts[c.key] = counts.get(c.key, 0) + 1
        if best is None or counts[c.key] >= counts[best[1].key]:
            best = (pos, c)
    return best[1] if best else None
