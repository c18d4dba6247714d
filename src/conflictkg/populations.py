"""Populations: who a figure counts, placed as a group of the figure's event, and how two groups relate.

A counted group as written ("pro-regime fighters", "Russian citizens", "its servicemen",
"civilians") becomes a :class:`~conflictkg.model.PopulationRecord` by the rules of
``data/rules/population_kinds.jsonl`` (the head noun names the *kind*: soldiers, fighters,
contractors, civilians, children, people, ...; kinds lie within kinds) and
``data/rules/population_terms.jsonl`` (the words around it: a nationality or a named party,
an alignment such as "pro-government", the attacking side, a subset mark such as
"mobilised", the claimant's own people, a breakdown, a running total). A group the rules
cannot place is ``None``: never compared.

Two populations of one event relate (:func:`relation`) when one is the other or lies within
it: every attribute the larger one states, the smaller one states alike, its kind lies within
the larger one's kind, and it carries the larger one's marks. A combatant group whose side is
not known is a particular side left unnamed, not "any side": it relates only to the same
unnamed group. Breakdowns ("35 killed, including nine Russians") add explicit ``part of``
links. At an event none of whose figures counts combatants, "civilians" are all the people
counted (:func:`event_context`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from functools import cached_property
from typing import TYPE_CHECKING, Literal

from .model import PopulationRecord
from .namespaces import CKGID, slug

if TYPE_CHECKING:  # pragma: no cover
    from .dictionary import Dictionary
    from .rules import RuleSet

__all__ = ["Party", "PopulationRules", "Relation", "EventContext", "event_context", "relation", "population_key",
           "population_label", "kind_words", "COMBATANT_ROOT", "STATE_TYPES", "MAX_GROUP_CONTEXT_WORDS"]

#: The kind every armed group's kind lies within.
COMBATANT_ROOT = "Combatants"
#: Actor types that speak for a state: their people have its nationality.
STATE_TYPES = frozenset({"Government", "Ministry", "ArmedForce"})
#: Words after a figure, in its clause, read for a running total ("... since 2015").
MAX_GROUP_CONTEXT_WORDS = 25

Relation = Literal["same", "within", "contains"]
#: A count attached to the clause before it: "..., with an estimated 3,200 killed".
_WITH_COUNT = re.compile(r",\s*with\s+(?:(?:an?|some|about|around|nearly|almost|over|at\s+least|more\s+than|an\s+estimated)\s+)*$", re.I)
#: A superlative measured over a period: "one of the deadliest attacks ... since the war began".
_SUPERLATIVE = re.compile(r"\b(?:deadliest|worst|bloodiest|biggest|largest|heaviest|highest|most\s+\w+|first)\b[^,;]*", re.I)
_ATTRIBUTES = ("nationality", "side", "alignment", "role")


def _kind_chain(parent: Mapping[str, str], kind: str) -> list[str]:
    """``kind`` and every kind it lies within by ``parent`` (kind -> the kind it lies within), innermost first."""
    out: list[str] = []
    current: str | None = kind
    while current is not None and current not in out:
        out.append(current)
        current = parent.get(current)
    return out


@dataclass(frozen=True)
class Party:
    """Whose side a claimant speaks for: a state (its country's place IRI) or a party's IRI."""

    nationality: str | None = None
    side: str | None = None

    @property
    def known(self) -> bool:
        return self.nationality is not None or self.side is not None


class PopulationRules:
    """The population rules of one :class:`RuleSet`, compiled, with the dictionary's names."""

    def __init__(self, rules: RuleSet, dictionary: Dictionary) -> None:
        self.dictionary = dictionary
        self.kinds = list(rules.population_kinds)
        self.parent: dict[str, str | None] = {k.kind: k.within for k in self.kinds}
        self.terms: dict[str, list] = {}  # type: ignore[type-arg]
        for t in rules.population_terms:
            self.terms.setdefault(t.term, []).append(t)

    @cached_property
    def kind_patterns(self) -> list[tuple[re.Pattern[str], str, str]]:
        return [(re.compile(rf"(?<![\w-])(?:{k.pattern})(?![\w-])", re.I), k.kind, k.id) for k in self.kinds]

    def term_patterns(self, term: str) -> list[tuple[re.Pattern[str], str | None, str]]:
        return self._compiled.get(term, [])

    @cached_property
    def _compiled(self) -> dict[str, list[tuple[re.Pattern[str], str | None, str]]]:
        out: dict[str, list[tuple[re.Pattern[str], str | None, str]]] = {}
        countries = sorted({name for p in self.dictionary.places.values() if p.type == "country"
                            for name in (p.label, *p.aliases)}, key=len, reverse=True)
        country = "|".join(re.escape(c) for c in countries) or "(?!)"
        for term, rows in self.terms.items():
            flags = 0 if term == "side-of" else re.I
            edge = ("", "") if term in ("cut", "union", "cumulative", "cumulative-sentence", "apposition", "mark-after",
                                          "mark-before") else (r"(?<![\w-])(?:", r")(?![\w-])")
            out[term] = []
            for r in rows:
                pattern = r.pattern.replace("{country}", country)
                out[term].append((re.compile(f"{edge[0]}{pattern}{edge[1]}" if edge[0] else pattern, flags), r.value, r.id))
        return out

    @cached_property
    def demonyms(self) -> re.Pattern[str]:
        names = sorted(self.dictionary.demonyms, key=len, reverse=True)
        return re.compile(r"(?<![\w-])(" + "|".join(re.escape(n) for n in names) + r")(?:s)?(?![\w])")

    def ancestors(self, kind: str) -> list[str]:
        """The kind and every kind it lies within, innermost first."""
        return _kind_chain(self.parent, kind)

    def is_combatant(self, kind: str) -> bool:
        return COMBATANT_ROOT in self.ancestors(kind)

    # --- the claimant's side ----------------------------------------------------------------

    def party_of(self, actor_iri: str | None, affiliations: Mapping[str, Iterable[str]] = {}) -> Party:
        """The side ``actor_iri`` speaks for: its state (through ``affiliated with``) or its armed group.

        ``affiliations`` gives the affiliations of actors the dictionary lacks (created from the text).
        Media outlets speak for no side, even a state's own.
        """
        seen: set[str] = set()
        todo = [actor_iri] if actor_iri else []
        while todo:
            iri = todo.pop(0)
            if iri in seen:
                continue
            seen.add(iri)
            entry = self.dictionary.actor_by_iri(iri)
            if entry is not None:
                if entry.is_media:
                    return Party()
                if entry.type in STATE_TYPES and entry.country:
                    return Party(nationality=self.dictionary.places[entry.country].iri)
                if entry.type in ("ArmedGroup", "Coalition"):
                    return Party(side=entry.iri)
                todo += [self.dictionary.actors[a].iri for a in entry.affiliated_with]
            else:
                todo += list(affiliations.get(iri, ()))
        return Party()

    # --- a counted group --------------------------------------------------------------------

    def running_total(self, *, before: str = "", after: str = "") -> str | None:
        """The rule that reads a count as a running total over a war ("since the coup"), if any.

        The period is read in the count's clause (``after``: "... perished following the coup"),
        or before it when the count is attached to the clause that names the period ("in crisis
        since the coup, with an estimated 3,200 killed"); a period that only measures a superlative
        ("the deadliest attack since the war began") says nothing about the count.
        """
        lead = _WITH_COUNT.search(before)
        text = f"{before[: lead.start()] if lead else ''} {after}"
        text = _SUPERLATIVE.sub(" ", text)
        return next((rid for rx, _, rid in self.term_patterns("cumulative-sentence") if rx.search(text)), None)

    def context_marks(self, *, before: str = "", after: str = "") -> tuple[tuple[str, ...], tuple[str, ...]]:
        """Subset marks the words around a count give it ("38 people died right at the station",
        "the hospital received 200 wounded"): (marks, rule ids)."""
        found = [(value, rid) for term, text in (("mark-after", after), ("mark-before", before))
                 for rx, value, rid in self.term_patterns(term) if value and text and rx.search(text)]
        return tuple(sorted({v for v, _ in found})), tuple(sorted({r for _, r in found}))

    def describe(self, group: str | None, *, after: str = "", before: str = "", claimant: Party = Party(),
                 claimant_kind: str | None = None) -> tuple[PopulationRecord | None, str]:
        """The population ``group`` names, or None with the reason it cannot be placed.

        ``after`` is the text after the figure in its clause (read for a running total and for
        where or how they were counted), ``before`` the text before it in its sentence,
        ``claimant`` the side the claimant speaks for and ``claimant_kind`` the kind of its own
        people (``Soldiers`` for a state, ``Fighters`` for an armed group).
        """
        words = " ".join(re.split(r",(?!\d)", after, maxsplit=1)[0].split()[:MAX_GROUP_CONTEXT_WORDS])  # its clause
        for rx, _, rid in self.term_patterns("cumulative"):
            if rx.search(f"{group or ''} {words}"):
                return None, rid
        running = self.running_total(before=before, after=f"{group or ''} {after}")
        if running:
            return None, running
        plain, why = self._group(group, after=after, claimant=claimant, claimant_kind=claimant_kind)
        extra, extra_rules = self.context_marks(before=before, after=after)
        if plain is None or not extra:
            return plain, why
        marked = replace(plain, marks=tuple(sorted({*plain.marks, *extra})), rules=(*plain.rules, *extra_rules))
        return replace(marked, label=population_label(marked, name=self._name, adjective=self._adjective)), ""

    def _group(self, group: str | None, *, after: str, claimant: Party,
               claimant_kind: str | None) -> tuple[PopulationRecord | None, str]:
        """The population the counted group names by its own words (see :meth:`describe`)."""
        if not group or not group.strip():
            return PopulationRecord(kind="People", rules=("population.no-group",), label=kind_words("People")), ""
        text = " ".join(group.split())
        head, rest = self._split(text)
        rules: list[str] = []
        kinds = [(m.end(), kind, rid) for rx, kind, rid in self.kind_patterns for m in rx.finditer(head)]
        own = [rid for rx, _, rid in self.term_patterns("own-kind") if rx.search(head)]
        if own:
            if claimant_kind is None:
                return None, own[0]
            kinds.append((len(head), claimant_kind, own[0]))
        if not kinds:
            # A party named alone ("Russians", "the coalition side"): its people of any kind.
            last = re.search(r"[\w.'-]+$", head)
            tail = last.group() if last else ""
            if not (self.demonyms.fullmatch(tail) and tail.endswith("s")) and not any(
                    rx.fullmatch(tail) for rx, _, _ in self.term_patterns("party-head")) and not self._parties(tail)[1]:
                return None, "population.no-kind"
            kinds.append((len(head), "People", "population.party-head"))
        kinds.sort()
        if len({end for end, _, _ in kinds}) > 1 and any(rx.search(head) for rx, _, _ in self.term_patterns("union")):
            # two groups counted together ("tourists and locals", "soldiers and police"): no one population
            return None, "population.union"
        _, kind, rid = kinds[-1]
        rules.append(rid)
        # Who they are: named in the head, or in an "of"/"from" phrase after it.
        scope = head + (" " + rest if re.match(r"(?:of|from)\b", rest, re.I) else "")
        nationalities, sides = self._parties(scope)
        alignment = role = None
        for rx, value, rid2 in self.term_patterns("alignment"):
            if rx.search(head):
                alignment = value
                rules.append(rid2)
                break
        for rx, _, rid2 in self.term_patterns("side-of"):
            for m in rx.finditer(head):
                name = next(g for g in m.groups() if g)
                n, s = self._parties(name, adjective=True)
                nationalities -= n
                governments = {self._government(c) for c in n}
                if None in governments:
                    return None, "population.side-without-government"  # "pro-X" where X's government is unknown
                if n or s:
                    sides |= {g for g in governments if g} | s
                    alignment = None
                    rules.append(rid2)
        for rx, value, rid2 in self.term_patterns("role"):
            if rx.search(head):
                role = value
                rules.append(rid2)
                break
        marks = tuple(sorted({value for rx, value, _ in self.term_patterns("mark") if value and rx.search(head)}))
        if any(rx.search(head) for rx, _, _ in self.term_patterns("possessive")) or own:
            if not claimant.known:
                return None, "population.possessive-unknown-claimant"
            nationalities |= {claimant.nationality} if claimant.nationality else set()
            sides |= {claimant.side} if claimant.side else set()
            rules.append("population.claimant-own")
        elif (not nationalities and not sides and alignment is None and role is None and claimant.nationality
              and "Soldiers" in self.ancestors(kind)):
            # "the ministry said 12 soldiers were killed": a state's statement counts its own soldiers
            nationalities = {claimant.nationality}
            rules.append("population.state-own-soldiers")
        if len(nationalities) > 1 or len(sides) > 1:
            return None, "population.several-parties"
        if rid == "population.party-head" and not (nationalities or sides or alignment or role):
            return None, "population.no-kind"
        if kind == "People" and not (nationalities or sides or alignment or role or marks) and after:
            # "five people, presumably Russian citizens, ...": the apposition says who they are
            at = after.lower().find(text.lower())
            rest = after[at + len(text):] if at >= 0 else ""
            for rx, _, rid2 in self.term_patterns("apposition"):
                m = rx.match(rest)
                if m and m.group("group"):
                    named, _why = self.describe(m.group("group"), claimant=claimant, claimant_kind=claimant_kind)
                    if named is not None and named != PopulationRecord(kind="People"):
                        return replace(named, rules=(*named.rules, rid2)), ""
        record = PopulationRecord(
            kind=kind, nationality=next(iter(nationalities), None), side=next(iter(sides), None),
            alignment=alignment if not sides else None, role=role, marks=marks, rules=tuple(rules),
        )
        return replace(record, label=population_label(record, name=self._name, adjective=self._adjective)), ""

    def _name(self, iri: str) -> str:
        entry = self.dictionary.actor_by_iri(iri)
        if entry is not None:
            return entry.label
        place = self.dictionary.places.get(iri.rsplit("/", 1)[-1])
        return place.label if place is not None else iri.rsplit("/", 1)[-1]

    def _adjective(self, iri: str) -> str:
        place = self.dictionary.places.get(iri.rsplit("/", 1)[-1])
        if place is None:
            return iri.rsplit("/", 1)[-1]
        return place.demonyms[0] if place.demonyms else place.label

    def _split(self, text: str) -> tuple[str, str]:
        """The counted noun phrase, and what follows it ("mercenaries" | "from Wagner Group")."""
        cut = len(text)
        for rx, _, _ in self.term_patterns("cut"):
            for m in rx.finditer(text):
                if m.start() > 0 and not re.match(r"on\s+board", text[m.start():], re.I):
                    cut = min(cut, m.start())
                    break
        return text[:cut].strip(), text[cut:].strip(" ,;(")

    def _parties(self, text: str, *, adjective: bool = False) -> tuple[set[str], set[str]]:
        """Countries (place IRIs) and armed groups (actor IRIs) named in ``text``."""
        d = self.dictionary
        nationalities = {d.places[d.demonyms[m.group(1)]].iri for m in self.demonyms.finditer(text)}
        sides: set[str] = set()
        cs, ci, _ = d.alias_index
        for rx in (ci, cs):
            for m in rx.finditer(text):
                actor, place = d.lookup(m.group())
                if actor is not None:
                    entry = d.actors[actor]
                    if entry.type in STATE_TYPES and entry.country:
                        nationalities.add(d.places[entry.country].iri)
                    elif entry.type in ("ArmedGroup", "Coalition"):
                        sides.add(entry.iri)
                elif place is not None and d.places[place].type == "country":
                    nationalities.add(d.places[place].iri)
        if adjective and not nationalities and not sides:
            for dem, pid in d.demonyms.items():
                if text.lower() in (dem.lower(), d.places[pid].label.lower()):
                    nationalities.add(d.places[pid].iri)
        return nationalities, sides

    def _government(self, country_iri: str) -> str | None:
        """The side "pro-<country>" names: the country's government (None when the dictionary lacks it)."""
        gov = self.dictionary.government_of(country_iri.rsplit("/", 1)[-1])
        return gov.iri if gov is not None else None


# --- two populations of one event ------------------------------------------------------------


@dataclass(frozen=True)
class EventContext:
    """What the populations of one event say about each other."""

    parent: Mapping[str, str | None]
    """Kind -> the kind it lies within."""
    civilians_are_all: bool
    """No figure of the event counts combatants: "civilians" are all the people counted."""
    part_of: Mapping[str, frozenset[str]]
    """Population key -> keys of the populations a breakdown puts it in (transitively)."""
    everyone: PopulationRecord | None = None
    """Whom an unqualified count ("the toll", "89 people") stands for at this event, when every other
    group its figures count lies within one party's group (:func:`event_context`); None: everyone."""

    def ancestors(self, kind: str) -> list[str]:
        """The kind and every kind it lies within, innermost first."""
        return _kind_chain(self.parent, kind)

    def kind_of(self, p: PopulationRecord) -> str:
        return "People" if self.civilians_are_all and p.kind == "Civilians" else p.kind


def event_context(populations: Iterable[PopulationRecord], parent: Mapping[str, str | None],
                  part_of: Iterable[tuple[PopulationRecord, PopulationRecord]] = (),
                  side_by_side: Iterable[Iterable[PopulationRecord]] = ()) -> EventContext:
    """The context in which an event's populations are compared.

    When every group the event's figures count, other than everyone ("people", "the toll"), lies
    within one party's group (all the dead were one side's soldiers), an unqualified count stands
    for that group, unless a breakdown puts the group within everyone or one claim counts both
    (``side_by_side``: the populations one claim counts for one measure), which tells them apart.
    """
    pops = list(populations)
    part_of = list(part_of)
    links: dict[str, set[str]] = {}
    for part, whole in part_of:
        links.setdefault(population_key(part), set()).add(population_key(whole))
    closed: dict[str, frozenset[str]] = {}
    for key in links:
        seen: set[str] = set()
        todo = list(links[key])
        while todo:
            k = todo.pop()
            if k not in seen and k != key:
                seen.add(k)
                todo += links.get(k, ())
        closed[key] = frozenset(seen)

    def combatant(kind: str) -> bool:
        current: str | None = kind
        while current is not None:
            if current == COMBATANT_ROOT:
                return True
            current = parent.get(current)
        return False

    civilians_in_breakdown = any(p.kind == "Civilians" for p, _ in part_of) if part_of else False
    civilians_are_all = not any(combatant(p.kind) for p in pops) and not civilians_in_breakdown
    ctx = EventContext(parent=parent, civilians_are_all=civilians_are_all, part_of=closed)
    everyone = _everyone(pops, ctx, part_of, side_by_side)
    return replace(ctx, everyone=everyone) if everyone is not None else ctx


def _unqualified(p: PopulationRecord) -> bool:
    return p.kind == "People" and not _placed(p) and not p.marks


def _everyone(pops: list[PopulationRecord], ctx: EventContext, part_of: list[tuple[PopulationRecord, PopulationRecord]],
              side_by_side: Iterable[Iterable[PopulationRecord]]) -> PopulationRecord | None:
    """The one party's group every other group of the event lies within, if an unqualified count may stand for it."""
    if not any(_unqualified(p) for p in pops):
        return None
    others = {population_key(p): p for p in pops if not _unqualified(p)}
    tops = [p for k, p in others.items() if not any(k2 != k and relation(p, q, ctx) == "within" for k2, q in others.items())]
    if len(tops) != 1 or not _placed(tops[0]) or any(relation(p, tops[0], ctx) is None for p in others.values()):
        return None
    top = tops[0]
    if any(_unqualified(whole) for _, whole in part_of):
        return None  # "12 people, including five soldiers": a breakdown tells them apart
    for group in side_by_side:
        counted = list(group)
        if any(_unqualified(p) for p in counted) and any(relation(p, top, ctx) is not None for p in counted if not _unqualified(p)):
            return None  # one claim counts both: they are not the same people
    return top


def _placed(p: PopulationRecord) -> bool:
    return any(getattr(p, a) is not None for a in _ATTRIBUTES)


def _within(p: PopulationRecord, q: PopulationRecord, ctx: EventContext) -> bool:
    """Whether every member of ``p`` belongs to ``q`` (by their attributes alone)."""
    if ctx.kind_of(q) not in ctx.ancestors(ctx.kind_of(p)):
        return False
    if COMBATANT_ROOT in ctx.ancestors(ctx.kind_of(q)) and not _placed(q) and _placed(p):
        return False  # "soldiers" of an unnamed side: not every side's soldiers
    if any(getattr(q, a) is not None and getattr(q, a) != getattr(p, a) for a in _ATTRIBUTES):
        return False
    return set(q.marks) <= set(p.marks)


def relation(p: PopulationRecord, q: PopulationRecord, ctx: EventContext) -> Relation | None:
    """How ``p`` relates to ``q``: the same people, within it, containing it, or not comparable (None)."""
    if ctx.everyone is not None:  # an unqualified count stands for the event's one party group
        p = ctx.everyone if _unqualified(p) else p
        q = ctx.everyone if _unqualified(q) else q
    a, b = _within(p, q, ctx), _within(q, p, ctx)
    if a and b:
        return "same"
    kp, kq = population_key(p), population_key(q)
    if a or kq in ctx.part_of.get(kp, ()):
        return "within"
    if b or kp in ctx.part_of.get(kq, ()):
        return "contains"
    return None


# --- names ------------------------------------------------------------------------------------


def population_key(p: PopulationRecord) -> str:
    """A stable key of the population's attributes: names its IRI within its event.

    ``soldiers-russia-mobilised``, ``contractors-side-wagner-group``, ``fighters-attackingside``.
    """
    parts = [slug(p.kind)]
    if p.nationality:
        parts.append(slug(p.nationality.rsplit("/", 1)[-1]))
    if p.side:
        parts.append("side-" + slug(p.side.rsplit("/", 1)[-1]))
    parts += [slug(v) for v in (p.alignment, p.role) if v]
    parts += [slug(m) for m in p.marks]
    return "-".join(parts)


#: How a kind reads in a label (others: the kind's name in lower case, words split).
KIND_WORDS = {"People": "people", "OnBoard": "people on board", "AidWorkers": "aid workers"}


def kind_words(kind: str) -> str:
    return KIND_WORDS.get(kind) or re.sub(r"(?<!^)(?=[A-Z])", " ", kind).lower()


def population_label(p: PopulationRecord, *, name: Callable[[str], str], adjective: Callable[[str], str]) -> str:
    """"Russian soldiers (mobilised)", "Wagner Group: contractors", "pro-government side: combatants"."""
    words = []
    if p.role == "AttackingSide":
        words.append("attacking")
    if p.alignment == "GovernmentSide":
        words.append("pro-government")
    elif p.alignment == "OppositionSide":
        words.append("opposition")
    if p.nationality:
        words.append(adjective(p.nationality))
    words.append(kind_words(p.kind))
    label = " ".join(words)
    if p.side:
        label += f" of {name(p.side)}"
    if p.marks:
        label += f" ({', '.join(p.marks)})"
    return label


def population_iri(event_key: str, p: PopulationRecord) -> str:
    return str(CKGID[f"population/{event_key}/{population_key(p)}"])


__all__ += ["population_iri"]
