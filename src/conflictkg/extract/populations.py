"""``populations``: who each figure counts, as a population of the claim's event.

The counted group as written (``Figure.group``: "pro-regime fighters", "its servicemen",
"Russian citizens") is placed by :meth:`conflictkg.populations.PopulationRules.describe`,
knowing whose side the claimant speaks for (a ministry's "soldiers" are its state's). A
figure after a breakdown cue ("35 were killed, including nine Russians") is part of the
total before it (``Figure.part_of``). A group that cannot be placed keeps no population and
is never compared.
"""

from __future__ import annotations

import re
from functools import lru_cache

from ..dictionary import Dictionary
from ..model import Claim, Figure
from ..populations import PopulationRules
from ..rules import RuleSet
from .doc import Doc
from .pipeline import component

__all__ = ["populations", "population_rules"]

_CLAUSE_END = re.compile(r"[;:.!?]|\s-\s")


@lru_cache(maxsize=4)
def population_rules(rules: RuleSet, dictionary: Dictionary) -> PopulationRules:
    """The compiled population rules of one rule set and dictionary (compiled once)."""
    return PopulationRules(rules, dictionary)


def _sentence_end(doc: Doc, pos: int) -> int:
    for s in doc.sentences:
        if s.span.start <= pos < s.span.end:
            return s.span.end
    return len(doc.text)


def _place(doc: Doc, rules: PopulationRules, claim: Claim, affiliations: dict[str, tuple[str, ...]]) -> None:
    party = rules.party_of(claim.claimant, affiliations)
    if not party.known and claim.on_behalf_of:
        party = rules.party_of(claim.on_behalf_of, affiliations)
    own_kind = "Soldiers" if party.nationality else "Fighters" if party.side else None
    breakdown = [rx for rx, _, _ in rules.term_patterns("breakdown")]
    totals: list[Figure] = []
    for fig in sorted(claim.figures, key=lambda f: f.span):
        tail = doc.norm[fig.span.end : _sentence_end(doc, fig.span.start)]
        cut = _CLAUSE_END.search(tail)
        after = tail[: cut.start()] if cut else tail
        fig.population, _ = rules.describe(fig.group, after=after, claimant=party, claimant_kind=own_kind)
        total = next((t for t in reversed(totals) if t.measure == fig.measure), None)
        if total is not None and any(rx.search(doc.norm[total.span.end : fig.span.start]) for rx in breakdown) \
                and _sentence_end(doc, total.span.start) == _sentence_end(doc, fig.span.start):
            fig.part_of = total
        else:
            totals.append(fig)


@component("populations", requires=("claims", "events"), assigns=())
def populations(doc: Doc) -> Doc:
    rules = population_rules(doc.resources.rules, doc.resources.dictionary)
    affiliations = {a.iri: a.affiliated_with for a in doc.actors}
    for claim in doc.claims:
        _place(doc, rules, claim, affiliations)
    return doc
