"""``populations``: who each figure counts, as a population of the claim's event.

The counted group as written (``Figure.group``: "pro-regime fighters", "its servicemen",
"Russian citizens") is placed by :meth:`conflictkg.populations.PopulationRules.describe`,
knowing whose side the claimant speaks for (a ministry's "soldiers" are its state's). A
figure after a breakdown cue ("35 were killed, including nine Russians") is part of the
total before it (``Figure.part_of``). A count with no group of its own ("the toll has risen to
33") goes on counting the group named at most :data:`ANAPHOR_SENTENCES` sentences before it,
else it counts everyone. A group that cannot be placed keeps no population and is never
compared.
"""

from __future__ import annotations

import re
from dataclasses import replace
from functools import lru_cache

from ..dictionary import Dictionary
from ..model import Claim, Figure, PopulationRecord
from ..populations import Party, PopulationRules
from ..rules import RuleSet
from .doc import Doc
from .pipeline import component

__all__ = ["populations", "population_rules", "antecedent_group", "ANAPHOR_SENTENCES", "ANTECEDENT_MODIFIER_WORDS"]

#: A count with no group of its own ("the toll has risen to 33") counts the group named this many
#: sentences before it at most (0: the same sentence).
ANAPHOR_SENTENCES = 2

_CLAUSE_END = re.compile(r"[;:.!?]|\s-\s")
_OF_THEM = re.compile(r"\s+of\s+(?:them|whom|those)\b", re.I)
_NOT_MODIFIER = re.compile(r"^(?:where|when|which|who|whom|that|the|a|an|of|in|at|on|and|or|were|was|are|is|had|have|been|"
                           r"with|by|from|for|to|as|its|their|his|her|some|many|all)$", re.I)
#: Words before the noun of an antecedent group kept as its modifiers ("pro-government Syrian soldiers").
ANTECEDENT_MODIFIER_WORDS = 3


def antecedent_group(rules: PopulationRules, before: str) -> str | None:
    """The group "N of them" counts: the last counted-group noun before it in the sentence, with its
    modifiers ("... where Russian soldiers were stationed, killing 63 of them" -> "Russian soldiers")."""
    last = max((m for rx, _, _ in rules.kind_patterns for m in rx.finditer(before)), key=lambda m: (m.end(), -m.start()), default=None)
    if last is None:
        return None
    words = re.split(r"\s+", before[: last.start()].rstrip())
    kept: list[str] = []
    for w in reversed(words[-ANTECEDENT_MODIFIER_WORDS:]):
        if not w or re.search(r"[,;:.!?()\"]$", w) or _NOT_MODIFIER.match(w):
            break
        kept.insert(0, w)
    return " ".join([*kept, last.group()])


@lru_cache(maxsize=4)
def population_rules(rules: RuleSet, dictionary: Dictionary) -> PopulationRules:
    """The compiled population rules of one rule set and dictionary (compiled once)."""
    return PopulationRules(rules, dictionary)


def _sentence_end(doc: Doc, pos: int) -> int:
    for s in doc.sentences:
        if s.span.start <= pos < s.span.end:
            return s.span.end
    return len(doc.text)


def _sentence_of(doc: Doc, pos: int) -> int:
    for s in doc.sentences:
        if s.span.start <= pos < s.span.end:
            return s.index
    return -1


@component("populations", requires=("claims", "events"), assigns=())
def populations(doc: Doc) -> Doc:
    rules = population_rules(doc.resources.rules, doc.resources.dictionary)
    affiliations = {a.iri: a.affiliated_with for a in doc.actors}
    breakdown = [rx for rx, _, _ in rules.term_patterns("breakdown")]
    speakers: dict[int, tuple[Party, str | None]] = {}
    claims_of: dict[int, Claim] = {}
    figures: dict[int, Figure] = {}
    for claim in doc.claims:
        party = rules.party_of(claim.claimant, affiliations)
        if not party.known and claim.on_behalf_of:
            party = rules.party_of(claim.on_behalf_of, affiliations)
        for fig in claim.figures:
            if id(fig) not in figures:
                figures[id(fig)] = fig
                speakers[id(fig)] = (party, "Soldiers" if party.nationality else "Fighters" if party.side else None)
                claims_of[id(fig)] = claim
    last: tuple[int, PopulationRecord | None] | None = None
    totals: list[Figure] = []
    for fig in sorted(figures.values(), key=lambda f: f.span):
        party, own_kind = speakers[id(fig)]
        sentence = _sentence_of(doc, fig.span.start)
        tail = doc.norm[fig.span.end : _sentence_end(doc, fig.span.start)]
        cut = _CLAUSE_END.search(tail)
        after = tail[: cut.start()] if cut else tail
        start = next((x.span.start for x in doc.sentences if x.index == sentence), fig.span.start)
        before = doc.norm[start : fig.span.start]
        if not (fig.group or "").strip() and _OF_THEM.match(doc.norm[fig.span.end : fig.span.end + 20]):
            # "killing 63 of them": the group named before it in the sentence
            group = antecedent_group(rules, before)
            fig.population, _ = rules.describe(group, after=after, claimant=party, claimant_kind=own_kind) if group else (None, "")
            if fig.population is not None:
                fig.population = replace(fig.population, rules=(*fig.population.rules, "population.of-them"))
        elif not (fig.group or "").strip() and last is not None and 0 <= sentence - last[0] <= ANAPHOR_SENTENCES:
            # "The toll has risen to 33": a bare count goes on counting the group last named
            fig.population = last[1] and replace(last[1], rules=(*last[1].rules, "population.previous-group"))
            if fig.population is not None and rules.running_total(before=before, after=after):
                fig.population = None  # "the toll since the war began rose to 3,000"
        else:
            fig.population, _ = rules.describe(fig.group, after=after, before=before, claimant=party, claimant_kind=own_kind)
        if (fig.group or "").strip():
            last = (sentence, fig.population)
        claim = claims_of[id(fig)]
        total = next((t for t in reversed(totals) if t.measure == fig.measure and t in claim.figures), None)
        if total is not None and any(rx.search(doc.norm[total.span.end : fig.span.start]) for rx in breakdown) \
                and _sentence_end(doc, total.span.start) == _sentence_end(doc, fig.span.start):
            fig.part_of = total
        else:
            totals.append(fig)
    return doc
