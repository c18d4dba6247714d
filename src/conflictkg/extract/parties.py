"""Parties that are no country: what a body or a role names when its owner is a movement, an
armed group or a rival government rather than a state ("the X health minister", "the Ministry of
Health of the X government", "the X-run health ministry", "the ministry held by the Xs").

The phrases are rules (``data/rules/party_phrases.jsonl``, each with a ``party`` group). A party
the dictionary knows is its actor; any other becomes an actor made from its name
(``actor/party/<name>``, the name without an "al-" article or a plural "s", so "the al-X
government" and "the Xs" are one party). A body or office of the party is affiliated with it, so
two bodies of one party are one source (:mod:`conflictkg.derived` follows ``affiliated with``).
Countries, demonyms, titles and words that are no names never count as a party: a country's
institutions are :mod:`conflictkg.countries`'.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import TYPE_CHECKING

from ..model import ActorRecord, Span
from ..namespaces import CKGID, slug
from ..rules import RuleSet

if TYPE_CHECKING:  # pragma: no cover
    from .speakers import SpeakerResolver

__all__ = ["party_name", "party_affiliation"]

#: Actor types that can be the party owning a body.
PARTY_TYPES = frozenset({"ArmedGroup", "Coalition", "Government"})


@lru_cache(maxsize=4)
def _patterns(rules: RuleSet) -> list[re.Pattern[str]]:
    return [re.compile(r.pattern) for r in rules.party_phrases]


@lru_cache(maxsize=4)
def _not_parties(rules: RuleSet) -> frozenset[str]:
    from .speakers import ORG_NAME_WORDS, ORG_NOUNS  # noqa: PLC0415  (speakers imports this module)

    words = {r.pattern.rstrip(".").lower() for r in (*rules.person_titles, *rules.not_names, *rules.months, *rules.weekdays,
                                                       *rules.source_heads, *rules.role_nouns)}
    words |= {w.lower() for w in (*ORG_NAME_WORDS, *ORG_NOUNS)}
    return frozenset(words | {"state", "interim", "transitional", "national", "federal", "local", "regional", "provincial",
                              "central", "military", "new", "former", "acting", "deputy", "senior", "top", "chief", "de"})


def party_name(resolver: SpeakerResolver, text: str) -> str | None:
    """The non-state party ``text`` names as the owner of a body or an office, normalised ("X"), or None."""
    doc = resolver.doc
    countries = doc.resources.countries
    for rx in _patterns(doc.resources.rules):
        m = rx.search(text)
        if m is None:
            continue
        name = re.sub(r"^(?:al|el|Al|El)-", "", m.group("party").replace("\u2019", "'"))
        name = re.sub(r"'s?$", "", name)
        if name.lower() in _not_parties(doc.resources.rules) or countries.find(name) is not None \
                or countries.capital_of(name) is not None or len(name) < 3:
            continue
        return re.sub(r"(?<=[a-z]{3})s$", "", name)
    return None


def party_affiliation(resolver: SpeakerResolver, text: str, span: Span) -> str | None:
    """The IRI of the party owning the body or office ``text`` names (found, or made from its name)."""
    name = party_name(resolver, text)
    if name is None:
        return None
    dictionary = resolver.doc.resources.dictionary
    for candidate in (name, name + "s"):
        actor, _ = dictionary.lookup(candidate)
        if actor is not None and dictionary.actors[actor].type in PARTY_TYPES:
            return dictionary.actors[actor].iri
    iri = str(CKGID[f"actor/party/{slug(name)}"])
    if iri not in resolver.actors:
        resolver.actors[iri] = ActorRecord(iri=iri, label=name, types=("Organisation",), evidence=span,
                                           scoped_to_article=False, rule="actor.party-from-text")
    return iri
