"""Whom a speaker speaks for, said beside the attribution: "X said in a video statement released by
the defence ministry", "Y said, speaking on behalf of the committee".

The phrases are rules (``data/rules/speaks_for.jsonl``, each with an ``org`` group); the
organisation they name is resolved like any speaker, and a person or unnamed source the text
introduced (never a dictionary actor, whose affiliations are curated) is affiliated with it, so
their claims are ``ckg:onBehalfOf`` it. A news outlet that released the footage is no one's
employer: it is left out.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache
from typing import TYPE_CHECKING

from ..model import Span
from ..rules import RuleSet
from .doc import Attribution, Doc, Sentence, Speaker

if TYPE_CHECKING:  # pragma: no cover
    from .speakers import SpeakerResolver

__all__ = ["speaks_for"]


@lru_cache(maxsize=4)
def _patterns(rules: RuleSet) -> list[tuple[re.Pattern[str], str]]:
    return [(re.compile(r.pattern, re.I), r.id) for r in rules.speaks_for]


def speaks_for(doc: Doc, resolver: SpeakerResolver, s: Sentence, found: list[Attribution],
               media: Callable[[Speaker | None], bool]) -> None:
    """Affiliate the speakers of ``found`` (attributions of sentence ``s``) with the organisation a
    speaks-for phrase after their cue names."""
    if not found:
        return
    for rx, rule_id in _patterns(doc.resources.rules):
        for m in rx.finditer(doc.norm, s.span.start, s.span.end):
            if s.in_quote(m.start()):
                continue
            # the speaker whose cue comes before the phrase, else the one it stands beside as an appositive
            att = next((a for a in reversed(found) if a.cue.start < m.start()), found[0])
            org_text = m.group("org").rstrip(" .,;:'’")
            span = Span(m.start("org"), m.start("org") + len(org_text))
            org = resolver.at(span.start).resolve(span, rules=[])
            if org is None or org.person or org.iri == att.speaker.iri or media(org):
                continue
            rec = resolver.actors.get(att.speaker.iri)
            if rec is None or att.speaker.dictionary_id is not None:
                continue
            if org.iri not in rec.affiliated_with:
                rec.affiliated_with = (org.iri, *rec.affiliated_with)
            att.speaker.affiliation = org.iri
            if rule_id not in att.rules:
                att.rules.append(rule_id)
