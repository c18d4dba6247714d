"""Contradictions and revisions: pairs of figures about one event that cannot both be true.

Two figures of the same measure cannot both be true when they count the same population
and their ranges do not overlap, or when one counts a population within the other's and
its lower bound exceeds the other's upper bound (the part would outnumber the whole).
Populations that are not comparable (siblings such as "Syrian forces" and "Russians",
"soldiers" and "militants", a group that cannot be placed) are never compared. Ranges
are read as in :func:`conflictkg.contested.comparison_range` ("about 100" is 90..110);
figures of denials assert no range and are never paired.

Between two claims, the figures of one measure and population conflict only when every
figure of the one conflicts with every figure of the other (a claim giving an earlier and a
revised toll, "initially 9, then 33", conflicts only with a figure that contradicts both).
One source's two figures in one article are a revision only when they were given on different days
or the evidence of one of them says a figure changed ("rose to", "initially": ``ClaimFact.tells_change``); otherwise they count different
people the text does not tell apart, and are not paired. A conflicting pair is a *revision* when the same source changed its figure (the same
claimant, or claimants speaking for the same organisation: a spokeswoman, her ministry and
its government; or a person whose name two articles spell two ways, :func:`name_variant_key`;
or an outlet stating in its own voice the figure of a source it quotes in the same article, which
relays that source: :func:`conflictkg.derived.read_facts`), and a *contradiction* otherwise.

This module is pure: :mod:`conflictkg.derived` reads the facts from the store and writes the
pairs as ``ckg:Contradiction`` and ``ckg:Revision`` nodes.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import combinations
from typing import Literal

from .contested import NON_ASSERTING, comparison_range
from .model import PopulationRecord
from .populations import EventContext, Relation, population_key, relation

__all__ = ["FigureFact", "ClaimFact", "FigurePair", "find_pairs", "figures_conflict", "PairKind", "show_range",
           "name_variant_key", "same_by_name_only", "one_source"]

PairKind = Literal["contradiction", "revision"]


@dataclass(frozen=True)
class FigureFact:
    """A figure with who it counts (``population``: None when it cannot be placed)."""

    iri: str
    measure: str
    qualifier: str
    surface: str
    low: int | None
    high: int | None
    population: PopulationRecord | None
    population_iri: str | None = None


@dataclass
class ClaimFact:
    """A claim about the event, with the sources it speaks for and its figures."""

    iri: str
    claimant: str
    sources: frozenset[str]
    """The claimant, whom it spoke for, and the organisations they belong to: shared = same source."""
    stance: str
    date: str | None = None
    article: str | None = None
    figures: list[FigureFact] = field(default_factory=list)
    claimant_label: str | None = None
    behalf: tuple[str, ...] = ()
    """Whom the claimant spoke for (``ckg:onBehalfOf``)."""
    claimant_is_body: bool = False
    """The claimant is a named organisation (not a person, not an unnamed source)."""
    tells_change: bool = True
    """Its evidence says a figure changed ("rose to", "initially"): data/rules/revision_cues.jsonl."""


@dataclass(frozen=True)
class FigurePair:
    """Two figures that cannot both be true: ``first`` is the earlier (revision) or lower (contradiction) one."""

    kind: PairKind
    measure: str
    first: FigureFact
    second: FigureFact
    first_claim: ClaimFact
    second_claim: ClaimFact
    relation: Relation
    """How the first figure's population relates to the second's."""
    first_range: tuple[int, int | None]
    second_range: tuple[int, int | None]


def show_range(r: tuple[int, int | None]) -> str:
    return f"{r[0]}" if r[0] == r[1] else f"{r[0]} to {'any number' if r[1] is None else r[1]}"


def figures_conflict(a: FigureFact, b: FigureFact, rel: Relation | None) -> bool:
    """Whether ``a`` and ``b`` (populations related by ``rel``: a's to b's) cannot both be true."""
    if rel is None:
        return False
    (la, ha), (lb, hb) = comparison_range(a), comparison_range(b)  # type: ignore[arg-type]
    if rel == "same":
        return (ha is not None and ha < lb) or (hb is not None and hb < la)
    if rel == "within":  # a counts a part of b's people
        return hb is not None and la > hb
    return ha is not None and lb > ha


#: A name spelt another way (transliterations: Syniehubov / Synehubov, Muhammad / Mohammad) is the
#: same source when the names agree letter for letter apart from vowels and doubled letters,
#: in at least this many name words, and keep this many consonants in all.
NAME_VARIANT_MIN_WORDS = 2
NAME_VARIANT_MIN_CONSONANTS = 6
_NAME_PREFIX = "name:"


def name_variant_key(label: str) -> str | None:
    """The key two spellings of one name share: the consonants of each word of the name
    (before any comma: "Oleh Syniehubov, Head" is Oleh Syniehubov), doubled letters once; None
    when the name is too short to tell people apart."""
    name = unicodedata.normalize("NFKD", label.split(",")[0]).encode("ascii", "ignore").decode().lower()
    words = [re.sub(r"(.)\1+", r"\1", re.sub(r"[^a-z]|[aeiouy]", "", w)) for w in name.split()]
    words = [w for w in words if w]
    if len(words) < NAME_VARIANT_MIN_WORDS or sum(map(len, words)) < NAME_VARIANT_MIN_CONSONANTS:
        return None
    return _NAME_PREFIX + "-".join(words)


def same_by_name_only(a: ClaimFact, b: ClaimFact) -> bool:
    """Whether two claims are one source only because their claimants' names are spellings of one name."""
    shared = a.sources & b.sources
    return bool(shared) and all(s.startswith(_NAME_PREFIX) for s in shared)


def _groups(claim: ClaimFact) -> dict[tuple[str, str], list[FigureFact]]:
    out: dict[tuple[str, str], list[FigureFact]] = {}
    for f in claim.figures:
        if f.population is not None:
            out.setdefault((f.measure, population_key(f.population)), []).append(f)
    return out


def find_pairs(claims: Sequence[ClaimFact], ctx: EventContext) -> list[FigurePair]:
    """Every pair of figures of two claims of one event that cannot both be true, in a stable order."""
    claims = sorted((c for c in claims if c.stance not in NON_ASSERTING), key=lambda c: c.iri)
    grouped = [(c, _groups(c)) for c in claims]
    out: list[FigurePair] = []
    for (ca, ga), (cb, gb) in combinations(grouped, 2):
        same_source = one_source(ca, cb)
        if same_source and not _told_apart_in_time(ca, cb):
            continue  # one source's two figures in one article, neither said to have changed: not one count revised
        for (ma, _), fas in sorted(ga.items()):
            for (mb, _), fbs in sorted(gb.items()):
                if ma != mb:
                    continue
                rel = relation(fas[0].population, fbs[0].population, ctx)  # type: ignore[arg-type]
                if rel is None or not all(figures_conflict(fa, fb, rel) for fa in fas for fb in fbs):
                    continue
                for fa in fas:
                    for fb in fbs:
                        out.append(_pair("revision" if same_source else "contradiction", ma, fa, fb, ca, cb, rel))
    return sorted(out, key=lambda p: (p.measure, p.first.iri, p.second.iri))


#: Where the IRIs of unnamed sources live ("a Turkish official", "the authorities"): they speak for
#: their organisation as a whole.
UNNAMED_ACTORS = "/id/actor/unnamed/"


def one_source(a: ClaimFact, b: ClaimFact) -> bool:
    """Whether two claims come from one source: one claimant (or a spelling of its name) is the other,
    or belongs to it; both speak for one body or person; a named person speaking for what the other
    belongs to (a minister and the ministry); or two people or unnamed officials of one organisation
    (an unnamed official speaks for it as a whole). Two named bodies of one government (its health
    ministry and its interior ministry), or a named body and an unnamed official of what it belongs
    to, are two sources."""
    shared = a.sources & b.sources
    if not shared:
        return False
    if a.claimant in b.sources or b.claimant in a.sources or any(s.startswith(_NAME_PREFIX) for s in shared):
        return True  # the same claimant, one is the other's organisation, or one name spelt two ways
    own_a, own_b = _own(a), _own(b)
    if own_a & own_b:
        return True  # both speak for one body or person
    unnamed_a, unnamed_b = UNNAMED_ACTORS in a.claimant, UNNAMED_ACTORS in b.claimant
    if (a.claimant_is_body or unnamed_a) and (b.claimant_is_body or unnamed_b) and (a.claimant_is_body or b.claimant_is_body):
        return False  # two bodies of one government, or a body and an unnamed official of what it belongs to
    if own_a & b.sources or own_b & a.sources:
        return True  # a person speaking for what the other belongs to (a minister and the ministry)
    return unnamed_a or unnamed_b


def _own(c: ClaimFact) -> frozenset[str]:
    """The claimant, the spellings of its name, and whom it spoke for when it is a person or an unnamed
    source (a named body speaking for its government is still that body)."""
    behalf = () if c.claimant_is_body else c.behalf
    return frozenset({c.claimant, *behalf, *(s for s in c.sources if s.startswith(_NAME_PREFIX))})


def _told_apart_in_time(a: ClaimFact, b: ClaimFact) -> bool:
    """Whether one source's two claims can be one count revised: made in different articles or on
    different days, or one of them says a figure changed."""
    if a.article is None or a.article != b.article:
        return True
    return bool(a.date and b.date and a.date != b.date) or a.tells_change or b.tells_change


_FLIP: dict[Relation, Relation] = {"same": "same", "within": "contains", "contains": "within"}


def _pair(kind: PairKind, measure: str, fa: FigureFact, fb: FigureFact, ca: ClaimFact, cb: ClaimFact,
          rel: Relation) -> FigurePair:
    ra, rb = comparison_range(fa), comparison_range(fb)  # type: ignore[arg-type]
    if kind == "revision" and (ca.date or "") != (cb.date or "") and ca.date and cb.date:
        swap = cb.date < ca.date
    else:
        swap = (rb[0], rb[1] if rb[1] is not None else float("inf")) < (ra[0], ra[1] if ra[1] is not None else float("inf"))
    if swap:
        return FigurePair(kind, measure, fb, fa, cb, ca, _FLIP[rel], rb, ra)
    return FigurePair(kind, measure, fa, fb, ca, cb, rel, ra, rb)
