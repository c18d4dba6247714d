"""Linking people across articles: "Veale" in one article is "Thomas F. Veale" of another.

A person the text names by surname only takes the IRI and label of the one person, named
in full in another article of the batch, whose last name it is. Ambiguous surnames stay apart.
"""

from __future__ import annotations

from collections.abc import Iterable

from .doc import Doc

__all__ = ["link_people"]


def link_people(docs: Iterable[Doc]) -> None:
    docs = list(docs)
    full: dict[str, set[tuple[str, str]]] = {}
    for d in docs:
        for a in d.actors:
            if "Person" in a.types and len(a.label.split()) > 1:
                full.setdefault(a.label.split()[-1], set()).add((a.iri, a.label))
    for d in docs:
        renamed: dict[str, tuple[str, str]] = {}
        for a in d.actors:
            if "Person" in a.types and len(a.label.split()) == 1 and len(full.get(a.label, ())) == 1:
                iri, label = next(iter(full[a.label]))
                renamed[a.iri] = (iri, label)
                a.iri, a.label, a.rule = iri, label, "actor.surname-linked-across-articles"
        if renamed:
            for c in d.claims:
                if c.claimant in renamed:
                    c.claimant = renamed[c.claimant][0]
                    c.rules.append("actor.surname-linked-across-articles")
