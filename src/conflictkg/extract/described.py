"""Speakers described by a noun the source heads lack: "some advocates for the plan", "the narrator",
"the state railway company". A determiner (or a possessive), a few modifiers and a lower-case head
noun; never a thing ("the attack", the counted things of ``nonperson_nouns``), a superlative or a verb.
"""

from __future__ import annotations

import re

from .doc import Doc

__all__ = ["described_head", "NOT_SPEAKER_NOUNS"]

#: Nouns that never speak, beyond the counted things of ``nonperson_nouns`` ("the attack", "the toll").
NOT_SPEAKER_NOUNS = {"attack", "attacks", "strike", "strikes", "blast", "blasts", "bombing", "raid", "raids", "explosion", "fire",
                     "war", "conflict", "toll", "number", "death", "deaths", "fighting", "violence", "incident", "move", "decision",
                     "plan", "idea", "fact", "problem", "question", "issue", "situation", "case", "time", "day", "week", "year",
                     "way", "thing", "things", "one", "others", "same", "rest", "majority", "minority", "part", "half", "lot",
                     "worst", "best", "most", "least", "first", "last", "next", "latter", "former"}
#: Common verbs that would end a described subject wrongly ("the death toll stood").
_VERBS = {"stood", "was", "were", "is", "are", "has", "had", "have", "rose", "fell", "hit", "reached", "said", "says", "told", "came",
          "went", "made", "took", "left", "saw", "got", "put", "set", "ran", "began", "became"}
_DESCRIBED = re.compile(r"(?:the|a|an|one|some|many|several|most|other|two|three|four|five|his|her|their|its)\s+(?:[\w'-]+\s+){0,4}?"
                        r"(?P<head>[a-z][a-z'-]{2,})(?:\s+(?:of|for|from|at|in|with|on)\s+[^,;:\"]{1,60})?", re.I)


def described_head(doc: Doc, text: str) -> str | None:
    """The head noun of a described speaker phrase, or None when the phrase describes no speaker."""
    m = _DESCRIBED.fullmatch(text)
    if m is None:
        return None
    head = m.group("head").lower()
    things = {r.pattern for r in doc.resources.rules.nonperson_nouns}
    if re.search(r"(?:ly|ing|ed|est)$", head) or head in things or head in NOT_SPEAKER_NOUNS or head in _VERBS:
        return None
    return m.group("head")
