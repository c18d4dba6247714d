"""Institutions named without their country: "a defense ministry statement", "the military spokesperson".

A bare institution is the same institution a speaker of the text already is ("Russia's defense
ministry said ... a defense ministry statement said"), else the institution of the country the
text is about (:func:`~conflictkg.extract.focus.focus_country`).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from ..countries import Institution
from ..model import Span
from .doc import Speaker

if TYPE_CHECKING:  # pragma: no cover
    from .speakers import SpeakerResolver

__all__ = ["earlier_institution", "bare_role_affiliation", "ROLE_MODIFIER_SKIP"]

#: Institution heads too vague to make a bare role an institution's ("head of the mission", "the authorities' envoy").
ROLE_MODIFIER_SKIP = ("forces", "troops", "mission", "authorities", "leadership", "regime", "intelligence")


def earlier_institution(resolver: SpeakerResolver, inst: Institution) -> Speaker | None:
    """The last speaker of the text that is this institution of some country ("Russia's defense ministry")."""
    actors = resolver.doc.resources.dictionary.actors
    for sp in reversed(resolver.history):
        heads = set(sp.role_nouns) if sp.kind == "institution" else \
            {h.lower() for h in actors[sp.dictionary_id].heads} if sp.dictionary_id in actors else set()
        if heads & set(inst.heads):
            return sp
    return None


def bare_role_affiliation(resolver: SpeakerResolver, role: str, span: Span) -> str | None:
    """"the military spokesperson", "a government spokesman": the institution the role's modifier names,
    of the country that institution already spoke for in the text, else of the text's focus country."""
    lowered = role  # lower-case words only: "Military" in "Oblast Military Administration" is a name's
    for inst in resolver.doc.resources.countries.institutions.values():
        heads = [h for h in inst.heads if h not in ROLE_MODIFIER_SKIP]
        if not any(re.search(rf"(?<![\w-]){re.escape(h)}(?![\w-])", lowered) for h in (*heads, *inst.role_nouns)):
            continue
        earlier = earlier_institution(resolver, inst)
        if earlier is not None:
            return earlier.iri
        focus = resolver._focus_country()
        return resolver._institution_speaker(focus, inst, span).iri if focus is not None else None
    return None
