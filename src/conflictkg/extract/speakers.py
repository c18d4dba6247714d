"""Who is speaking: turn the noun phrase in a speaker slot into a :class:`Speaker`.

Resolution order for a phrase such as "US Colonel Thomas F. Veale" or "the spokeswoman":

1. pronouns (he, she, it, they) -> the last speaker of a fitting kind;
2. "the statement" -> the article's lead speaker; "the latest Russian statement" -> Russia's government;
3. a person from the dictionary in the phrase;
4. an unnamed source: a phrase headed by a source noun ("a Syrian military source", "some
   reports", "one mercenary commander"); "the source"/"the official" refer back to one;
5. a dictionary actor in the phrase (first conjunct of "X and Y");
6. a definite generic head ("the foreign ministry", "the militant group") -> the dictionary
   actor with that head, preferring one already speaking, then the country in focus
   (checked before step 4 when the phrase names no dictionary actor);
7. a name the dictionary lacks ("Alexander Ionov", "Col. Veale"): a person, or an
   organisation when its last word says so ("... Team", "... Council").
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..dictionary import ActorEntry
from ..model import ActorRecord, Span
from ..namespaces import CKGID, slug
from .doc import Doc, Mention, Speaker

__all__ = ["SpeakerResolver", "ORG_NAME_WORDS"]

#: Last words that make a capitalised name an organisation rather than a person.
ORG_NAME_WORDS = ("Team", "Group", "Council", "Ministry", "Agency", "Committee", "Organization", "Organisation",
                  "Observatory", "Network", "Institute", "Center", "Centre", "Army", "Forces", "Front", "Brigade",
                  "Brigades", "Movement", "Party", "Office", "Service", "Command", "Coalition", "News", "Television",
                  "Monitor", "Watch", "Union", "Commission", "Foundation", "Association", "Department", "TV",
                  "Radio", "Channel", "Agency", "Authority", "Police", "Guard", "Corps")
_PRONOUNS = {"he": "person", "she": "person", "it": "thing", "they": "any", "we": "any", "i": "person"}
_DETERMINERS = re.compile(r"^(?:a|an|the|one|another|two|three|several)\s+", re.I)
_NAME_TOKEN = r"(?:[A-Z][\w'\u2019-]*\.?|al-[A-Z][\w'-]*|bin|ibn|de|van|von|der|el-[A-Z][\w'-]*)"


@dataclass
class SpeakerResolver:
    doc: Doc
    history: list[Speaker] = field(default_factory=list)
    actors: dict[str, ActorRecord] = field(default_factory=dict)

    # -- public -------------------------------------------------------------------------------

    def resolve(self, phrase_span: Span, *, rules: list[str]) -> Speaker | None:
        """The speaker named by the phrase at ``phrase_span``, or None when nothing fits."""
        doc = self.doc
        raw = doc.norm[phrase_span.start : phrase_span.end]
        lead = len(raw) - len(raw.lstrip())
        raw = raw.strip().rstrip(".,;:")
        if not raw:
            return None
        span = Span(phrase_span.start + lead, phrase_span.start + lead + len(raw))
        text = re.sub(r"\s+", " ", raw)
        lower = text.lower()
        # A name inside a longer proper noun ("US" in "US Colonel Thomas F. Veale") only modifies it.
        mentions = [m for m in doc.mentions_in(span) if m.actor
                    and not re.match(r"\s+[A-Z][a-z]", doc.norm[m.span.end : min(span.end, m.span.end + 3)])]
        dictionary = doc.resources.dictionary

        last_word = lower.rsplit(" ", 1)[-1]
        if lower in _PRONOUNS or (last_word in _PRONOUNS and last_word != "i" and " " in lower):
            rules.append("speaker.pronoun")
            return self._antecedent(_PRONOUNS[last_word])
        conj = re.search(r"\s(?:and|or)\s", text)
        if conj:
            # "Moscow and a monitor said": the first conjunct speaks for the claim.
            text, lower = text[: conj.start()], lower[: conj.start()]
            span = Span(span.start, span.start + conj.start())
            mentions = [m for m in mentions if m.span.end <= span.end]
        head_statement = re.search(r"\bstatement\b", lower)
        if head_statement and not mentions:
            country = self._demonym_country(text)
            if country and (gov := dictionary.government_of(country)):
                rules.append("speaker.demonym-statement")
                return self._from_entry(gov)
            if lower.startswith("the "):
                rules.append("speaker.statement-lead")
                return self._lead()
            return None
        persons = [m for m in mentions if dictionary.actors[m.actor].is_person]  # type: ignore[index]
        if persons:
            rules.append("speaker.dictionary-person")
            return self._from_entry(dictionary.actors[persons[0].actor])  # type: ignore[index]
        generic = None if mentions else self._generic_head(lower)
        if generic is not None:
            rules.append("speaker.generic-head")
            return self._from_entry(generic)
        source = self._source_phrase(text, span, mentions)
        if source is not None:
            rules.append(source[1])
            return source[0]
        first = self._first_conjunct(mentions, text, span)
        if first is not None:
            rules.append("speaker.dictionary")
            return self._from_entry(dictionary.actors[first.actor])  # type: ignore[index]
        named = self._name(text, span)
        if named is not None:
            rules.append(named[1])
            return named[0]
        return None

    def spoke(self, speaker: Speaker) -> None:
        self.history.append(speaker)

    # -- resolution steps ---------------------------------------------------------------------

    def _antecedent(self, kind: str) -> Speaker | None:
        for sp in reversed(self.history):
            if kind == "any" or (kind == "person") == sp.person:
                return sp
        return None

    def _lead(self) -> Speaker | None:
        for sp in self.history:
            if not sp.person and sp.kind in ("dictionary", "organisation"):
                return sp
        return None

    def _demonym_country(self, text: str) -> str | None:
        for demonym, country in sorted(self.doc.resources.dictionary.demonyms.items(), key=lambda x: -len(x[0])):
            if re.search(rf"(?<![\w-]){re.escape(demonym)}(?![\w-])", text):
                return country
        return None

    def _source_phrase(self, text: str, span: Span, mentions: list[Mention]) -> tuple[Speaker, str] | None:
        rules = self.doc.resources.rules
        dictionary = self.doc.resources.dictionary
        heads = rules.alternation("source_heads")
        post = re.search(r"\s(?:in|of|from|based|at|on|with|who|that|which)\s", text)
        limit = post.start() if post else len(text)
        found = [m for m in re.finditer(rf"(?<![\w-])(?:{heads})(?![\w-])", text, re.I) if m.start() < limit]
        if not found:
            return None
        m = found[-1]  # the head noun: "one mercenary commander"
        if re.match(rf"^\s+(?:{_NAME_TOKEN}\s+)*{_NAME_TOKEN}\s*$", text[m.end():]):
            return None  # "Coalition spokesman Turki al-Maliki": a role before a name
        head_start = span.start + m.start()
        if any(mn.span.start <= head_start < mn.span.end for mn in mentions):
            return None
        if any(mn.span.end <= head_start and m.group().lower() in (h.lower() for h in dictionary.actors[mn.actor].heads)  # type: ignore[index]
               for mn in mentions):
            return None  # "the Syrian Observatory for Human Rights war monitor": the name speaks
        phrase = text[: m.end()]
        definite = bool(re.match(r"^the\s", phrase, re.I))
        head = m.group().lower()
        if definite:
            for sp in reversed(self.history):
                if head in sp.label.lower() or head.rstrip("s") in sp.label.lower() or head in sp.role_nouns:
                    return sp, "speaker.definite-back-reference"
            for mn in reversed([x for x in self.doc.mentions if x.actor and x.span.start < span.start]):
                if head in (h.lower() for h in dictionary.actors[mn.actor].heads):  # type: ignore[index]
                    return self._from_entry(dictionary.actors[mn.actor]), "speaker.definite-back-reference"  # type: ignore[index]
        inside = [mn for mn in mentions if mn.span.end <= head_start]
        if inside:
            # "Russia's foreign ministry spokeswoman": the one dictionary person with that role there
            org = inside[-1].actor
            holders = [a for a in dictionary.actors.values() if org in a.affiliated_with and head in a.role_nouns]
            if len(holders) == 1:
                return self._from_entry(holders[0]), "speaker.role-of-organisation"
        of_org = [mn for mn in mentions if mn.span.start >= head_start + len(head)
                  and re.match(r"^\s+of\s+(?:the\s+)?$", self.doc.norm[head_start + len(head) : mn.span.start], re.I)]
        label = _DETERMINERS.sub("", phrase).strip()
        if of_org:
            label = f"{label} of {dictionary.actors[of_org[0].actor].label}"  # type: ignore[index]
        elif label.lower() == head and re.match(r"^(?:the|a|an|one)\s", phrase, re.I) and not head.endswith("s"):
            label = f"unnamed {head}"  # "the official", "a source"
        country = self._demonym_country(phrase)
        affiliation = None
        if of_org:
            affiliation = dictionary.actors[of_org[0].actor].iri  # type: ignore[index]
        elif inside and inside[0].actor:
            affiliation = dictionary.actors[inside[0].actor].iri
        elif country and (gov := dictionary.government_of(country)):
            affiliation = gov.iri
        label = re.sub(r"^United States\b", "US", re.sub(r"^U\.?\s?S\.?(?=\s)", "US", label))
        iri = str(CKGID[f"actor/unnamed/{self.doc.article.key}/{slug(label)}"])
        if iri not in self.actors:
            self.actors[iri] = ActorRecord(
                iri=iri, label=label, types=("UnnamedSource",), evidence=Span(span.start, span.start + m.end()),
                affiliated_with=(affiliation,) if affiliation else (), scoped_to_article=True,
                rule="actor.unnamed-source")
        return Speaker(iri=iri, label=label, kind="unnamed", country=country, affiliation=affiliation,
                       role_nouns=(head,)), "speaker.unnamed-source"

    def _first_conjunct(self, mentions: list[Mention], text: str, span: Span) -> Mention | None:
        if not mentions:
            return None
        conj = re.search(r"\s(?:and|or)\s", text)
        if conj:
            cut = span.start + conj.start()
            first = [m for m in mentions if m.span.end <= cut]
            if first:
                return first[-1]
        return mentions[-1]

    def _generic_head(self, lower: str) -> ActorEntry | None:
        m = re.match(r"^the\s+(.+?)(?:\s+itself)?$", lower)
        if not m:
            return None
        dictionary = self.doc.resources.dictionary
        candidates = dictionary.actors_with_head(m.group(1), None)
        if not candidates:
            return None
        spoken = {sp.dictionary_id for sp in self.history}
        for c in candidates:
            if c.id in spoken:
                return c
        mentioned = [mn.actor for mn in self.doc.mentions if mn.actor and mn.span.start < self._cursor]
        for actor_id in reversed(mentioned):
            if any(c.id == actor_id for c in candidates):
                return dictionary.actors[actor_id]
        focus = self._focus_country()
        for c in candidates:
            if c.country == focus:
                return c
        return candidates[0] if len(candidates) == 1 else None

    _cursor: int = 0

    def at(self, pos: int) -> SpeakerResolver:
        self._cursor = pos
        return self

    def _focus_country(self) -> str | None:
        dictionary = self.doc.resources.dictionary
        for mn in reversed([m for m in self.doc.mentions if m.span.start < self._cursor]):
            if mn.actor and dictionary.actors[mn.actor].country:
                return dictionary.actors[mn.actor].country
        return None

    def _name(self, text: str, span: Span) -> tuple[Speaker, str] | None:
        rules = self.doc.resources.rules
        titles = rules.alternation("person_titles")
        m = re.search(rf"((?:{_NAME_TOKEN}\s+)*{_NAME_TOKEN})\s*$", text)
        if m is None:
            return None
        name = m.group(1)
        title = re.match(rf"^(?:(?:the|a|an|US|U\.S\.|[A-Z][a-z]+n)\s+)?((?:{titles})\s+)+", name)
        roles: tuple[str, ...] = ()
        if title:
            roles = (title.group(0).strip(),)
            name = name[title.end():]
        described = re.search(rf"(?<![\w-])(?:{rules.alternation('role_nouns')})\s*$", text[: m.start()].strip(), re.I)
        if described:  # "Coalition spokesman Turki al-Maliki"
            roles = (*roles, text[: m.start()].strip())
        name = re.sub(r"^(?:The|A|An)\s+", "", name).strip()
        not_names = {r.pattern for r in rules.not_names}
        while name and name.split()[0] in not_names:
            name = name.partition(" ")[2]
        if not name or name.lower() in _PRONOUNS:
            return None
        start = span.start + text.rfind(name)
        name_span = Span(start, start + len(name))
        tokens = name.split()
        if tokens[-1] in ORG_NAME_WORDS:
            iri = str(CKGID[f"actor/org/{slug(name)}"])
            if iri not in self.actors:
                self.actors[iri] = ActorRecord(iri=iri, label=name, types=("Organisation",), evidence=name_span,
                                               rule="actor.organisation-from-text")
            return Speaker(iri=iri, label=name, kind="organisation"), "speaker.organisation-from-text"
        if len(tokens) == 1:
            for sp in reversed(self.history):
                if sp.person and sp.label.split()[-1] == tokens[0]:
                    return sp, "speaker.surname-back-reference"
            for rec in self.actors.values():
                if "Person" in rec.types and rec.label.split()[-1] == tokens[0]:
                    return self._person_speaker(rec), "speaker.surname-back-reference"
            if not title and not re.match(r"^[A-Z][a-z]+$", tokens[0]):
                return None
        iri = str(CKGID[f"actor/person/{slug(name)}"])
        if iri not in self.actors:
            self.actors[iri] = ActorRecord(iri=iri, label=name, types=("Person",), evidence=name_span,
                                           roles=roles, rule="actor.person-from-text")
        return self._person_speaker(self.actors[iri]), "speaker.person-from-text"

    def add_role(self, speaker: Speaker, role: str, affiliation: str | None) -> None:
        """An appositive ("a military spokesman", "the head of ...") describing a text-created person."""
        rec = self.actors.get(speaker.iri)
        if rec is None or "Person" not in rec.types:
            return
        if role and role not in rec.roles:
            rec.roles = (*rec.roles, role)
        if affiliation and affiliation not in rec.affiliated_with:
            rec.affiliated_with = (*rec.affiliated_with, affiliation)
            speaker.affiliation = speaker.affiliation or affiliation

    def _person_speaker(self, rec: ActorRecord) -> Speaker:
        return Speaker(iri=rec.iri, label=rec.label, kind="person", person=True,
                       affiliation=rec.affiliated_with[0] if rec.affiliated_with else None,
                       role_nouns=tuple(w.lower() for r in rec.roles for w in r.split()))

    def _from_entry(self, entry: ActorEntry) -> Speaker:
        dictionary = self.doc.resources.dictionary
        affiliation = dictionary.actors[entry.affiliated_with[0]].iri if entry.affiliated_with else None
        return Speaker(iri=entry.iri, label=entry.label, kind="dictionary", person=entry.is_person,
                       country=entry.country, affiliation=affiliation, role_nouns=entry.role_nouns,
                       dictionary_id=entry.id)
