"""Who is speaking: turn the noun phrase in a speaker slot into a :class:`Speaker`.

Resolution order for a phrase such as "US Colonel Thomas F. Veale" or "the spokeswoman":

1. pronouns (he, she, it, they) -> the last speaker of a fitting kind;
2. documents ("the statement", "a defence ministry statement", "the report") -> whoever issued
   them: the modifier's actor, or the speaker who issued such a document earlier;
3. an outlet's reporter ("Al Jazeera's James Bays") -> the person, the outlet as the channel;
4. a person from the dictionary in the phrase;
5. a definite generic head ("the foreign ministry") -> the dictionary actor with that head;
6. a country's institution ("Turkey's defence ministry", "the Nigerien army", "the general staff
   of Ukraine"), a country or its capital ("Kyiv") -> an actor of that country
   (:mod:`conflictkg.countries`), affiliated with its government;
7. an unnamed source: a phrase headed by a source noun ("a Syrian military source", "some
   reports", "Russian military bloggers"); "the source"/"the diplomat" refer back to one who spoke;
8. a dictionary actor in the phrase (first conjunct of "X and Y"); a place alone never speaks;
9. a name the dictionary lacks ("Alexander Ionov", "Col. Veale", "the Ministry of Health of the
   X government"): a person, or an organisation when its words say so.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..countries import Country, Institution
from ..dictionary import ActorEntry
from ..model import ActorRecord, Span
from ..rules import RuleSet
from ..namespaces import CKGID, slug
from .anaphora import BODY_HEADS, last_body, named_by_head, role_holder, same_surname, subject_person
from .described import described_head
from .doc import Doc, Mention, Speaker
from .speaker_words import (
    PERSON_HEADS,
    COLLECTIVE_HEADS,
    DETERMINERS,
    DOCUMENT,
    DOCUMENT_HEADS,
    INSTITUTION_HEADS,
    LABEL_DETERMINERS,
    LEADING,
    NAME_TOKEN,
    NOT_MODIFIERS,
    ORG_NAME_WORDS,
    ORG_NOUNS,
    PLACE_WORDS,
    PRONOUNS,
    ROLE_CLASSES,
)
from .bare_institutions import bare_role_affiliation, earlier_institution
from .focus import country_names, focus_country
from .parties import party_affiliation

__all__ = ["SpeakerResolver", "ORG_NAME_WORDS", "DOCUMENT_HEADS", "ORG_NOUNS"]

_POSSESSIVE = re.compile(r"^(?P<owner>.+?)'s\s+(?P<rest>.+)$")


def _titled_place_pair(text: str, conj: re.Match[str], rules: RuleSet) -> bool:
    """"Tarn and Vell Chief Minister Ola Brisk": a two-part place names the office, one person speaks."""
    return bool(re.fullmatch(rf"{NAME_TOKEN}(?:\s+{NAME_TOKEN})?", text[: conj.start()])
                and re.fullmatch(rf"(?:\s+{NAME_TOKEN}){{4,}}", text[conj.end() - 1 :])
                and re.search(rf"(?<![\w-])(?:{rules.alternation('person_titles')})\s+{NAME_TOKEN}\s+{NAME_TOKEN}$", text))


def bare_phrase(phrase: str, head: str) -> bool:
    """"the coalition", "the source": a determiner and the head alone."""
    return DETERMINERS.sub("", phrase).strip().lower() == head.lower()


@dataclass
class SpeakerResolver:
    doc: Doc
    history: list[Speaker] = field(default_factory=list)
    history_at: list[int] = field(default_factory=list)
    """Where each speaker of ``history`` spoke (the cursor then)."""
    actors: dict[str, ActorRecord] = field(default_factory=dict)
    documents: dict[str, Speaker] = field(default_factory=dict)
    spoke_for: dict[str, Speaker] = field(default_factory=dict)
    """An unnamed spokesperson's IRI -> the organisation they speak for ("an Israeli military spokeswoman")."""
    """Document head -> who issued the last such document ("the report" -> its authors)."""
    _cursor: int = 0
    _country_names: list[tuple[int, Country]] | None = None
    headline: bool = False
    """Resolving a headline's speaker: a bare noun is definite ("Toll rises - ministry")."""

    def at(self, pos: int) -> SpeakerResolver:
        self._cursor = pos
        return self

    # -- public -------------------------------------------------------------------------------

    def resolve(self, phrase_span: Span, *, rules: list[str]) -> Speaker | None:
        """The speaker named by the phrase at ``phrase_span``, or None when nothing fits."""
        doc = self.doc
        raw = doc.norm[phrase_span.start : phrase_span.end]
        raw = re.sub(r"\s*\([^)]*\)", lambda m: " " * len(m.group()), raw)  # "(FADM)", "(not recognized)"
        lead = len(raw) - len(raw.lstrip())
        raw = raw.strip().rstrip(".,;:")
        if re.match(r"what\s", raw, re.I):  # "what the monitors say"
            raw = re.sub(r"\s+(?:say|says|said|report|reports|reported|claim|claims)$", "", raw)
        dash = re.match(r"^[\s,\"'\-\u2013\u2014]+|^(?:which|that|who|whom|what)\s+", raw, re.I)  # '" - the engineer', "which the navy"
        if dash:
            lead += dash.end()
            raw = raw[dash.end():]
        lead_words = LEADING.match(raw)
        if lead_words:
            lead += lead_words.end()
            raw = raw[lead_words.end():]
        raw = raw.rstrip()
        if not raw or re.match(r"(?:no|none|nobody|neither)\b", raw, re.I):
            return None  # "No group has claimed responsibility": no one speaks
        span = Span(phrase_span.start + lead, phrase_span.start + lead + len(raw))
        text = re.sub(r"\s+", " ", raw)
        return self._resolve_text(text, span, rules)

    def _resolve_text(self, text: str, span: Span, rules: list[str]) -> Speaker | None:
        doc = self.doc
        dictionary = doc.resources.dictionary
        lower = text.lower()
        # A name inside a longer proper noun ("US" in "US Colonel Thomas F. Veale") only modifies it.
        mentions = [m for m in doc.mentions_in(span) if m.actor
                    and not re.match(r"\s+[A-Z][a-z]", doc.norm[m.span.end : min(span.end, m.span.end + 3)])
                    and not self._national_branch(m, span)]

        last_word = lower.rsplit(" ", 1)[-1]
        if lower in PRONOUNS or (last_word in PRONOUNS and last_word != "i" and " " in lower and not mentions):
            rules.append("speaker.pronoun")
            if last_word in ("they", "them"):
                plural = self._plural_antecedent(span)
                if plural is not None:
                    return plural
            if PRONOUNS[last_word] == "person":
                subject = subject_person(self, span)
                if subject is not None:
                    rules.append("speaker.subject-antecedent")
                    return subject
            return self._antecedent(PRONOUNS[last_word])
        conj = re.search(r"\s(?:and|or)\s", text)
        heads = self.doc.resources.rules.alternation("source_heads")
        if conj and re.search(rf"\s(?:{heads})$", text, re.I) and text.lower().endswith("s") and not re.search(r"\s(?:and|or)\s+(?:a|an|the)\s", text):
            conj = None  # "Pentagon and White House officials", "Danish and Norwegian broadcasters": one collective speaker
            mentions = []
        if conj and not self._modifier_list(text[: conj.start()]) and not _titled_place_pair(text, conj, self.doc.resources.rules):
            # "Moscow and a monitor said": the first conjunct speaks for the claim.
            text, lower = text[: conj.start()], lower[: conj.start()]
            span = Span(span.start, span.start + conj.start())
            mentions = [m for m in mentions if m.span.end <= span.end]
        document = self._document(text, span, mentions, rules)
        if document is not False:
            return document  # type: ignore[return-value]
        reporter = self._outlet_reporter(text, span, rules)
        if reporter is not None:
            return reporter
        persons = [m for m in mentions if dictionary.actors[m.actor].is_person]  # type: ignore[index]
        if persons:
            rules.append("speaker.dictionary-person")
            return self._from_entry(dictionary.actors[persons[0].actor])  # type: ignore[index]
        generic = None if mentions else self._generic_head(lower)
        if generic is not None:
            rules.append("speaker.generic-head")
            return self._from_entry(generic)
        institution = self._institution(text, span, mentions)
        if institution is not None:
            rules.append("speaker.country-institution")
            return institution
        titled = self._role_then_name(text, span, mentions)
        if titled is not None:
            rules.append("speaker.person-from-text")
            return titled
        org = self._organisation_phrase(text, span) if not mentions else None
        if org is not None:
            rules.append(org[1])
            return org[0]
        source = self._source_phrase(text, span, mentions)
        if source is not None:
            rules.append(source[1])
            return source[0]
        first = self._first_conjunct([m for m in mentions if not self._place_only(m)], text, span)
        if first is not None:
            rules.append("speaker.dictionary")
            return self._from_entry(dictionary.actors[first.actor])  # type: ignore[index]
        if any(self._covers_place(text, span)):
            return None  # a place alone ("Port Lune", "northern Valdia") never speaks
        named = self._name(text, span)
        if named is not None:
            rules.append(named[1])
            return named[0]
        described = self._described(text, span, mentions)
        if described is not None:
            rules.append("speaker.described-source")
            return described
        return None

    def _described(self, text: str, span: Span, mentions: list[Mention]) -> Speaker | None:
        """A speaker described by a noun the source heads lack (:func:`~conflictkg.extract.described.described_head`)."""
        head = described_head(self.doc, text)
        got = self._source_phrase(text, span, mentions, head=re.escape(head)) if head else None
        return got[0] if got else None

    def _national_branch(self, m: Mention, span: Span) -> bool:
        """"the Palestinian Red Crescent": a country's own society, not the international body the alias names."""
        entry = self.doc.resources.dictionary.actors[m.actor]  # type: ignore[index]
        before = re.search(r"([A-Z][\w'-]+)\s+$", self.doc.norm[span.start : m.span.start])
        return entry.type == "InternationalOrganisation" and before is not None \
            and self.doc.resources.countries.find(before.group(1)) is not None

    def spoke(self, speaker: Speaker) -> None:
        self.history.append(speaker)
        self.history_at.append(self._cursor)

    def person_named(self, name: str, span: Span) -> Speaker | None:
        """The person a name in the text stands for (the dictionary's, or one made from the text)."""
        dictionary = self.doc.resources.dictionary
        for m in self.doc.mentions_in(span):
            if m.actor and dictionary.actors[m.actor].is_person:
                return self._from_entry(dictionary.actors[m.actor])
        if any(m.actor or m.place for m in self.doc.mentions_in(span)):
            return None
        named = self._name(name, span)
        return named[0] if named is not None and named[0].person else None

    def named_body(self, span: Span, rules: list[str]) -> Speaker | None:
        """The body a name in the text stands for: the dictionary's, or an organisation made from the name."""
        dictionary = self.doc.resources.dictionary
        name = self.doc.norm[span.start : span.end]
        for m in self.doc.mentions_in(span):
            if m.actor and not dictionary.actors[m.actor].is_person and m.span == span:
                return self._from_entry(dictionary.actors[m.actor])
        if self.doc.resources.countries.find(name) is not None or any(m.place for m in self.doc.mentions_in(span)):
            return None
        return self._organisation(name, span)[0]

    def speaker_of(self, entry: ActorEntry) -> Speaker:
        return self._from_entry(entry)

    # -- resolution steps ---------------------------------------------------------------------

    def _modifier_list(self, first: str) -> bool:
        """"Danish and Norwegian broadcasters": the first conjunct is only a modifier."""
        countries = self.doc.resources.countries
        words = first.split()
        return len(words) == 1 and countries.find(words[0]) is not None and words[0] in countries.find(words[0]).demonyms  # type: ignore[union-attr]

    def _place_only(self, m: Mention) -> bool:
        entry = self.doc.resources.dictionary.actors.get(m.actor or "")
        return entry is None

    def _covers_place(self, text: str, span: Span) -> list[Mention]:
        """The place mentions that make up the whole phrase ("Port Lune", "northern Valdia")."""
        places = [m for m in self.doc.mentions if m.place and not m.actor and span.contains(m.span)]
        rest = self.doc.norm[span.start : span.end]
        for m in places:
            rest = rest.replace(self.doc.norm[m.span.start : m.span.end], " ")
        rest = re.sub(r"\b(?:the|in|of|and|northern|southern|eastern|western|central|north|south|east|west|"
                      r"north-?eastern|north-?western|south-?eastern|south-?western|city|town|village|province|region|district)\b", " ", rest, flags=re.I)
        return places if places and not rest.strip(" ,.-") else []

    def _antecedent(self, kind: str) -> Speaker | None:
        for sp in reversed(self.history):
            if kind == "thing" and sp.iri in self.spoke_for:
                return self.spoke_for[sp.iri]  # "it" after "a military spokeswoman said": the military
            if kind == "any" or (kind == "person") == sp.person:
                return sp
            if kind == "person" and sp.kind == "unnamed" and sp.role_nouns[:1] and sp.role_nouns[0] in PERSON_HEADS:
                return sp  # "a medical source told AFP ... he added", "An eyewitness said ... He said"
        return None

    def _plural_antecedent(self, span: Span) -> Speaker | None:
        """"They" after "... accounts by local authorities.": the last plural source noun phrase
        of the sentence before, when no speaker of the text is plural."""
        doc = self.doc
        sentence = next((s for s in doc.sentences if s.span.start <= span.start < s.span.end), None)
        if sentence is None or sentence.index == 0:
            return None
        prev = doc.sentences[sentence.index - 1]
        if any(sp.label.lower().endswith("s") and sp.kind == "unnamed" for sp in self.history[-1:]):
            return None
        heads = [r.pattern for r in doc.resources.rules.source_heads if r.pattern.endswith("s")]
        alt = "|".join(re.escape(h) for h in sorted(heads, key=len, reverse=True))
        found = [m for m in re.finditer(rf"(?<![\w-])((?:[\w-]+\s+){{0,2}}(?:{alt}))(?![\w-])", doc.norm[prev.span.start : prev.span.end])
                 if not prev.in_quote(prev.span.start + m.start())]
        if not found:
            return None
        m = found[-1]
        start = prev.span.start + m.start(1)
        phrase = re.sub(r"^(?:by|from|of|to|with|and|the|on|in|at)\s+", "", m.group(1), flags=re.I)
        start += len(m.group(1)) - len(phrase)
        got = self._source_phrase(phrase, Span(start, start + len(phrase)), [])
        return got[0] if got else None

    def _lead(self) -> Speaker | None:
        for sp in self.history:
            if not sp.person and sp.kind in ("dictionary", "organisation", "institution"):
                return sp
        return None

    def _document(self, text: str, span: Span, mentions: list[Mention], rules: list[str]) -> Speaker | None | bool:
        """A document speaks for whoever issued it; False when the phrase is no document."""
        m = DOCUMENT.search(text)
        if m is None:
            return False
        before, rest = text[: m.start()].strip(), m.group("rest")
        by = re.match(r"^\s+(?:from|by|issued by|released by|circulated by|published by|quoting)\s+(?P<who>.+)$", rest, re.I)
        if by:
            who = by.group("who")
            start = span.start + m.start("rest") + by.start("who")
            sp = self._resolve_text(who, Span(start, start + len(who)), rules)
            if sp is not None:
                rules.append("speaker.document-issuer")
                self.documents[m.group("head").lower()] = sp
            return sp
        if rest.strip():
            return False
        owner = re.sub(r"(?:'s|')$", "", before).strip()
        owner = DETERMINERS.sub("", owner + " ").strip()
        if owner.lower() in ("this", "that", "its", "his", "her", "their", "the", "a", "an"):
            owner = ""
        lowered = owner.lower()
        if owner and lowered not in ("latest", "new", "joint", "written", "official", "brief", "short", "separate",
                                     "earlier", "later", "same", "first", "second", "leaked", "final"):
            start = span.start + text.find(owner)
            sp = self._resolve_text(owner, Span(start, start + len(owner)), rules)
            if sp is not None:
                rules.append("speaker.document-issuer")
                self.documents[m.group("head").lower()] = sp
                return sp
            country = self._country_in(owner)
            if country is not None and (gov := self._government(country, span)) is not None:
                rules.append("speaker.demonym-statement")
                return gov
            return False  # "a coastguard bulletin", "a leaked United Nations report": an unnamed source
        if re.match(r"^(?:the|this|that|its|his|her|their)\s", text, re.I):
            head = m.group("head").lower()
            if head in self.documents:
                rules.append("speaker.definite-back-reference")
                return self.documents[head]
            for sp in reversed(self.history):
                if head in sp.label.lower():
                    rules.append("speaker.definite-back-reference")
                    return sp
            rules.append("speaker.statement-lead")
            return self._lead()
        return False

    def _outlet_reporter(self, text: str, span: Span, rules: list[str]) -> Speaker | None:
        """"Al Jazeera's James Bays": the reporter speaks, through the outlet."""
        m = _POSSESSIVE.match(text)
        if m is None:
            return None
        owner = m.group("owner")
        entry = self.doc.resources.dictionary.lookup(owner)[0]
        if entry is None or not self.doc.resources.dictionary.actors[entry].is_media:
            return None
        rest = m.group("rest")
        start = span.start + m.start("rest")
        named = self._name(rest, Span(start, start + len(rest)))
        if named is None or named[0].kind != "person":
            return None
        rules.append("speaker.outlet-reporter")
        named[0].via = self.doc.resources.dictionary.actors[entry].iri
        return named[0]

    def _country_in(self, text: str) -> Country | None:
        countries = self.doc.resources.countries
        m = countries.name_regex.search(text)
        if m is None:
            return None
        return countries.find(m.group())

    def _government(self, country: Country, span: Span) -> Speaker | None:
        inst = self.doc.resources.countries.institutions.get("government")
        return self._institution_speaker(country, inst, span) if inst else None

    def _institution(self, text: str, span: Span, mentions: list[Mention]) -> Speaker | None:
        """A country's institution: "Turkey's defence ministry", "the general staff of Ukraine", "Kyiv"."""
        dictionary = self.doc.resources.dictionary
        if any(dictionary.actors[m.actor].type != "Government" for m in mentions):  # type: ignore[index]
            return None  # "Turkey" in "Turkey's defence ministry" names the country, any other actor speaks itself
        countries = self.doc.resources.countries
        before_head, head_of = countries.institution_regexes
        body = re.sub(r"^the\s+", "", text, flags=re.I)
        body = re.sub(r"\s+(?:in|to|at|for|based\s+in)\s+(?:the\s+)?[A-Z][\w' -]*$", "", body)  # "embassy in Port Lune"
        m = before_head.fullmatch(body) or head_of.fullmatch(body)
        if m and m.re is before_head and re.fullmatch(r"(?:'s|')?\s+(?:[A-Z][\w-]*\s+)+", body[m.end("country") : m.start("head")]) \
                and m.group("head")[0].isupper() and countries.institution_with_head(m.group("head")) is countries.institutions.get("government"):
            return None  # "Myanmar's National Unity Government": a body named so, not the state's government
        if m:
            country = countries.find(m.group("country"))
            inst = countries.institution_with_head(m.group("head"))
            if country is not None and inst is not None:
                return self._institution_speaker(country, inst, span)
        country = countries.find(body) or (countries.capital_of(body) if re.fullmatch(r"[A-Z][\w' .-]+", body) else None)
        if country is not None and body not in country.demonyms:
            return self._government(country, span)
        definite = re.match(r"^the\s", text, re.I) is not None or (self.headline and body[:1].isupper())
        body = re.sub(r"^(?:a|an)\s+", "", body, flags=re.I)
        inst = countries.institution_with_head(body)
        if inst is not None and (definite or inst.id != "government"):  # bare "Authorities" stays a source of its own
            # "the health ministry", "a defense ministry statement", "Defense Ministry said": the same
            # institution a speaker of the text already is, else the one of the country the text is about
            # (a headline, read last, speaks for the country the whole article is most about)
            earlier = None if self.headline else self._earlier_institution(inst)
            if earlier is not None:
                return earlier
            focus = self._focus_country(whole=self.headline)
            if focus is not None:
                return self._institution_speaker(focus, inst, span)
        return None

    def _earlier_institution(self, inst: Institution) -> Speaker | None:
        return earlier_institution(self, inst)

    def _institution_speaker(self, country: Country, inst: Institution, span: Span) -> Speaker:
        """The curated actor for this country and institution if there is one, else one made from the table."""
        dictionary = self.doc.resources.dictionary
        for entry in sorted(dictionary.actors.values(), key=lambda a: a.id):
            place = dictionary.places.get(entry.country or "")
            if place is None or self.doc.resources.countries.find(place.label) != country:
                continue
            if (inst.id == "government" and entry.type == "Government") or (
                    entry.type != "Government" and any(h.lower() in inst.heads for h in entry.heads)):
                return self._from_entry(entry)
        government = None
        if inst.id != "government":
            gov_inst = self.doc.resources.countries.institutions["government"]
            government = self._institution_speaker(country, gov_inst, span).iri
        iri = str(CKGID[f"actor/country/{country.key}/{inst.id}"])
        label = inst.label_for(country)
        if iri not in self.actors:
            self.actors[iri] = ActorRecord(iri=iri, label=label, types=(inst.type,), evidence=span,
                                           affiliated_with=(government,) if government else (),
                                           rule="actor.country-institution")
        return Speaker(iri=iri, label=label, kind="institution", country=country.key, affiliation=government,
                       role_nouns=tuple(inst.heads))

    def _source_phrase(self, text: str, span: Span, mentions: list[Mention], head: str | None = None) -> tuple[Speaker, str] | None:
        rules = self.doc.resources.rules
        dictionary = self.doc.resources.dictionary
        heads = head or f"{rules.alternation('source_heads')}|{rules.alternation('role_nouns')}"
        post = re.search(r"\s(?:in|of|from|based|at|on|with|who|that|which|for|near|inside)\s", text)
        limit = post.start() if post else len(text)
        partitive = re.match(r"^(?:one|two|three|some|many|most|several|none|each|any)\s+of\s+(?:the\s+)?", text, re.I)
        if partitive:  # "One of the children's teachers"
            post = re.search(r"\s(?:in|from|based|at|on|with|who|that|which|for|near|inside)\s", text[partitive.end():])
            limit = partitive.end() + post.start() if post else len(text)
        found = [m for m in re.finditer(rf"(?<![\w-])(?:{heads})(?![\w-])", text, re.I) if m.start() < limit]
        if not found:
            return None
        m = found[-1]  # the head noun: "one mercenary commander"
        if re.match(rf"^\s+(?:{NAME_TOKEN}\s+)*{NAME_TOKEN}\s*$", text[m.end():]):
            return None  # "Coalition spokesman Omar al-Rashidi": a role before a name
        head_start = span.start + m.start()
        if any(mn.span.start <= head_start < mn.span.end for mn in mentions):
            return None
        if any(re.fullmatch(r"\s*(?:the\s+)?", self.doc.norm[head_start + len(m.group()) : mn.span.start]) for mn in mentions
               if mn.span.start >= head_start + len(m.group())):
            return None  # "monitoring group the Syrian Observatory for Human Rights": the name speaks
        if any(mn.span.end <= head_start and m.group().lower() in (h.lower() for h in dictionary.actors[mn.actor].heads)  # type: ignore[index]
               for mn in mentions):
            return None  # "the Syrian Observatory for Human Rights war monitor": the name speaks
        if re.match(r"^[A-Z]", m.group()) and re.match(r"^(?:the\s+)?(?:[A-Z][\w'-]*\s+)+$", text[: m.start()]) and m.start() > 0 \
                and m.group() in ORG_NAME_WORDS:
            return None  # "the Wagner Group", "Syrian Civil Defence Network": a name
        phrase = text[: m.end()]
        definite = bool(re.match(r"^(?:the|this|that)\s", phrase, re.I)) or (self.headline and not re.match(r"^(?:a|an)\s", phrase, re.I))
        head = m.group().lower()
        if definite:
            modifiers = {w for w in re.findall(r"[\w'-]+", phrase.lower()[: m.start()])} - NOT_MODIFIERS
            for sp in reversed(self.history):
                label = sp.label.lower()
                words = set(re.findall(r"[\w'-]+", label))
                named = (head in label or head.rstrip("s") in label) if " " in head else (head in words or head.rstrip("s") in words)
                if (named or head in sp.role_nouns) and not modifiers - words - set(sp.role_nouns):
                    return sp, "speaker.definite-back-reference"
            for mn in reversed([x for x in self.doc.mentions if x.actor and x.span.start < span.start]):
                entry = dictionary.actors[mn.actor]  # type: ignore[index]
                if head in (h.lower() for h in entry.heads) or (not entry.is_person and re.search(rf"\b{re.escape(head)}\b", entry.label.lower())):
                    return self._from_entry(entry), "speaker.definite-back-reference"
            for rec in reversed(list(self.actors.values())):
                if re.search(rf"\b{re.escape(head)}\b", rec.label.lower()) and rec.evidence.start < span.start \
                        and not modifiers - set(re.findall(r"[\w'-]+", rec.label.lower())):
                    return self._record_speaker(rec), "speaker.definite-back-reference"
            earlier = [e for e in re.finditer(rf"\b(?:a|an|the)\s+((?:[A-Z][\w'-]*\s+)+){re.escape(m.group())}\b",
                                              self.doc.norm[: span.start]) if self.doc.resources.countries.find(e.group(1).strip()) is None
                       or len(e.group(1).split()) > 1]
            if earlier and bare_phrase(phrase, head):
                # "the coalition" after "an air strike by an Arab coalition"
                text = f"{earlier[-1].group(1)}{m.group()}"
                phrase, m = text, re.search(rf"{re.escape(m.group())}$", text)  # type: ignore[assignment]
            named_words = set(re.findall(r"\b[A-Z][a-z]{2,}\b", text)) - {"The"}
            for sp in reversed(self.history[-8:]):
                rec = self.actors.get(sp.iri)
                if rec is not None and sp.person and named_words and self._fits_role(sp, head) and \
                        named_words & set(re.findall(r"\b[A-Z][a-z]{2,}\b", " ".join(rec.roles))):
                    return sp, "speaker.definite-back-reference"  # "the local governor in ... Eastmark" after "X, the governor of Eastmark"
            bare = DETERMINERS.sub("", phrase).strip().lower() == head or phrase.strip().lower() == head or re.fullmatch(
                rf"(?:the|this|that)\s+(?:second|first|other|same|latter|former)\s+{re.escape(head)}", phrase, re.I)
            if bare:
                for sp in reversed(self.history[-6:]):
                    if self._fits_role(sp, head):
                        return sp, "speaker.definite-back-reference"
                holder = role_holder(self, head, span)
                if holder is not None:
                    return holder, "speaker.role-holder"
            if head in BODY_HEADS and len(phrase.split()) <= 3:  # "the group", "this organization", "the global body"
                body = named_by_head(self, head, span) or last_body(self, head, span)
                if body is not None:
                    return body, "speaker.body-back-reference"
        inside = [mn for mn in mentions if mn.span.end <= head_start]
        if inside:
            # "Russia's foreign ministry spokeswoman": the one dictionary person with that role there
            org = inside[-1].actor
            holders = [a for a in dictionary.actors.values() if org in a.affiliated_with and head in a.role_nouns]
            if len(holders) == 1:
                return self._from_entry(holders[0]), "speaker.role-of-organisation"
        of_org = [mn for mn in mentions if mn.span.start >= head_start + len(head)
                  and re.match(r"^\s+(?:of|for|with|from)\s+(?:the\s+)?$", self.doc.norm[head_start + len(head) : mn.span.start], re.I)]
        label = LABEL_DETERMINERS.sub("", phrase).strip() if not partitive else phrase.strip()
        pp = re.match(r"^\s+((?:of|for|with|from|at)\s+(?:the\s+)?(?:[\w'-]+\s+){0,9}?[\w'-]+)\s*$", text[m.end():])
        if of_org and pp and self.doc.norm[of_org[0].span.end : of_org[0].span.end + 2].startswith("'"):
            of_org = []  # "the governor of Russia's Lune region": the region, not Russia
        if of_org:
            label = f"{label} of {dictionary.actors[of_org[0].actor].label}"  # type: ignore[index]
        elif pp and not re.match(r"^(?:at|with)\s+(?:the\s+)?(?:scene|time|site|moment|end|start)\b", pp.group(1)):
            label = f"{label} {pp.group(1)}"  # "spokesperson for the Iraqi armed forces"
        elif label.lower() == head and re.match(r"^(?:the|a|an|one)\s", phrase, re.I) and not head.endswith("s") \
                and head not in INSTITUTION_HEADS:
            label = f"unnamed {head}"  # "the official", "a source"; but "the navy"
        country = self._country_in(text)
        affiliation = None
        if pp and not of_org:
            affiliation = self._institution_named_in(pp.group(1), span.start + m.end() + pp.start(1))
        if of_org:
            affiliation = dictionary.actors[of_org[0].actor].iri  # type: ignore[index]
        elif inside and inside[0].actor:
            affiliation = dictionary.actors[inside[0].actor].iri
        elif affiliation is None and country is not None and self._official(head):
            gov = self._government(country, span)
            affiliation = gov.iri if gov else None
        elif affiliation is None and country is None and self._official(head):
            affiliation = party_affiliation(self, phrase, span)  # "X health officials"
        label = re.sub(r"^United States\b", "US", re.sub(r"^U\.?\s?S\.?(?=\s)", "US", label))
        iri = str(CKGID[f"actor/unnamed/{self.doc.article.key}/{slug(label)}"])
        modifier = LABEL_DETERMINERS.sub("", text[: m.start()]).strip()
        if head.startswith("spokes") and modifier and not mentions:
            org = self._institution(modifier, Span(span.start + text.find(modifier), span.start + text.find(modifier) + len(modifier)), [])
            if org is not None:
                self.spoke_for[iri] = org
                affiliation = affiliation or org.iri
        if iri not in self.actors:
            self.actors[iri] = ActorRecord(
                iri=iri, label=label, types=("UnnamedSource",), evidence=Span(span.start, span.start + m.end()),
                affiliated_with=(affiliation,) if affiliation else (), scoped_to_article=True,
                rule="actor.unnamed-source")
        return Speaker(iri=iri, label=label, kind="unnamed", country=country.key if country else None, affiliation=affiliation,
                       role_nouns=(head,), person=head not in COLLECTIVE_HEADS and not head.endswith("s")), "speaker.unnamed-source"

    def _official(self, head: str) -> bool:
        """Heads whose holders speak for their country's state ("Russian officials", not "Russian media")."""
        return head.rstrip("s") in ("official", "diplomat", "source", "authoritie", "authority", "minister", "envoy",
                                    "ambassador", "spokesman", "spokeswoman", "spokesperson", "officer", "commander",
                                    "military", "army", "ministry", "police", "governor", "representative", "negotiator")

    def _fits_role(self, sp: Speaker, head: str) -> bool:
        """Whether "the <head>" can describe a person who spoke: "the diplomat" a deputy foreign minister."""
        if not sp.person:
            return False
        roles = " ".join(sp.role_nouns)
        entry = self.doc.resources.dictionary.actors.get(sp.dictionary_id or "")
        if entry is not None:
            roles += " " + " ".join(entry.roles).lower()
        rec = self.actors.get(sp.iri)
        if rec is not None:
            roles += " " + " ".join(rec.roles).lower()
        return any(word in roles for word in ROLE_CLASSES.get(head, (head,)))

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
        if focus is not None:
            for c in candidates:
                place = dictionary.places.get(c.country or "")
                if place is not None and self.doc.resources.countries.find(place.label) == focus:
                    return c
            return None  # the country in focus has its own, outside the dictionary
        return candidates[0] if len(candidates) == 1 else None

    def _focus_country(self, *, whole: bool = False) -> Country | None:
        """The country the text is about just before the cursor, or in the ``whole`` text
        (:func:`~conflictkg.extract.focus.focus_country`)."""
        if self._country_names is None:
            self._country_names = country_names(self.doc)
        return focus_country(self.doc, self._country_names, len(self.doc.norm) if whole else self._cursor)

    def _name(self, text: str, span: Span) -> tuple[Speaker, str] | None:
        rules = self.doc.resources.rules
        org = self._organisation_phrase(text, span)
        if org is not None:
            return org
        titles = rules.alternation("person_titles")
        place = re.search(rf"(?<=[a-z])\s+(?:of|from)\s+(?:the\s+)?(?:{NAME_TOKEN}\s+)*{NAME_TOKEN}$", text)
        if place and re.search(rf"{NAME_TOKEN}\s+{NAME_TOKEN}$", text[: place.start()]):
            text = text[: place.start()]  # "Rep. Jane Roe of Ohio": the name, not the state
        m = re.search(rf"((?:{NAME_TOKEN}\s+)*{NAME_TOKEN})\s*$", text)
        if m is None:
            return None
        name = m.group(1)
        branch = r"US|U\.S\.|[A-Z][a-z]+n|Army|Navy|Air\s+Force|Marine|Marines|Coast\s+Guard|Police"  # "Army Col. Dan Hale"
        title = re.match(rf"^(?:(?:the|a|an|{branch})\s+)?((?:{titles})\s+)+", name)
        roles: tuple[str, ...] = ()
        if title:
            roles = (title.group(0).strip(),)
            name = name[title.end():]
        else:  # "Senate Majority Leader Ana Ruiz", "Defence Secretary Jo Bell": a capitalised role ends before the name
            tokens = name.split()
            role_words = {r.pattern.split()[-1].lower() for r in (*rules.person_titles, *rules.role_nouns)}  # head words only
            last = max((i for i, t in enumerate(tokens[:-1]) if t.lower().rstrip(".") in role_words or t.lower() in role_words), default=-1)
            if 0 <= last <= len(tokens) - 2:
                roles = (" ".join(tokens[: last + 1]),)
                name = " ".join(tokens[last + 1 :])
        described = re.search(rf"(?<![\w-])(?:{rules.alternation('role_nouns')})\s*$", text[: m.start()].strip(), re.I)
        if described:  # "Coalition spokesman Omar al-Rashidi"
            roles = (*roles, text[: m.start()].strip())
        name = re.sub(r"^(?:The|A|An)\s+", "", name).strip()
        org_lead = re.match(r"^(?:NGO|Ngo|Charity|Group|Agency|Militia)\s+(?=[A-Z])", name)
        if org_lead:  # "the NGO Doctors Abroad"
            name = name[org_lead.end():]
            start = span.start + text.rfind(name)
            return self._organisation(name, Span(start, start + len(name)))
        not_names = {r.pattern for r in rules.not_names} | {r.pattern.title() for r in (*rules.weekdays, *rules.months)}
        while name and name.split()[0] in not_names:
            name = name.partition(" ")[2]
        if not name or name.lower() in PRONOUNS or name.split()[-1] in not_names:
            return None
        start = span.start + text.rfind(name)
        name_span = Span(start, start + len(name))
        tokens = name.split()
        nouns = "|".join(re.escape(n) for n in ORG_NOUNS)
        plural_name = len(tokens) == 1 and re.match(r"^the\s", text, re.I) and re.search(r"(?:[^s]s|men)$", tokens[0])
        if tokens[-1] in ORG_NAME_WORDS or name.endswith(("Red Cross", "Red Crescent")) or plural_name or re.search(rf"(?<![\w-])(?:{nouns})\s*$", text[: m.start()], re.I):
            return self._organisation(name, name_span)  # "the Wagner Group", "Turkish agency Anadolu"
        countries = self.doc.resources.countries
        if countries.find(name) is not None or countries.capital_of(name) is not None or tokens[-1] in PLACE_WORDS:
            return None  # "Lune Region", "Delta Province": a place never speaks
        if len(tokens) == 1 and re.fullmatch(r"[A-Z]{2,8}|[A-Z]{1,4}-?\d{1,3}", tokens[0]) and not title:
            return self._organisation(name, name_span)  # "NUG reported": an acronym names a body
        if len(tokens) == 1:
            for sp in reversed(self.history):
                if sp.person and sp.label.split()[-1] == tokens[0]:
                    return sp, "speaker.surname-back-reference"
            for sp in reversed(self.history):
                if sp.person and same_surname(sp.label.split()[-1], tokens[0]):
                    return sp, "speaker.surname-spelling"  # "Kirilenko" after "Kyrylenko"
            for rec in self.actors.values():
                if "Person" in rec.types and rec.label.split()[-1] == tokens[0]:
                    return self._record_speaker(rec), "speaker.surname-back-reference"
            if not title and not re.match(r"^(?:Mc|Mac|O'|D'|De|Di|La|Le|[Aa]l-|[Ee]l-)?[A-Z]?[a-z]+(?:[A-Z][a-z]+)?$", tokens[0]):
                return None
            if not title and not roles and not re.search(rf"(?:[A-Z][\w'-]+|{titles})\.?\s+{re.escape(tokens[0])}\b", self.doc.norm):
                return self._organisation(name, name_span)  # "Hamas said": a one-word name no one bears as a surname
        affiliation = self._role_affiliation(" ".join(roles), span) if roles else None
        iri = str(CKGID[f"actor/person/{slug(name)}"])
        if iri not in self.actors:
            self.actors[iri] = ActorRecord(iri=iri, label=name, types=("Person",), evidence=name_span,
                                           roles=roles, affiliated_with=(affiliation,) if affiliation else (),
                                           rule="actor.person-from-text")
        return self._record_speaker(self.actors[iri]), "speaker.person-from-text"

    def _role_then_name(self, text: str, span: Span, mentions: list[Mention]) -> Speaker | None:
        """"Wagner head Ivan Sorokov": a role naming a known actor, then a person's name."""
        if not mentions:
            return None
        last = mentions[-1]
        tail = self.doc.norm[last.span.end : span.end]
        m = re.fullmatch(rf"(?:'s)?\s+((?:[a-z][\w-]*\s+){{1,3}})((?:{NAME_TOKEN}\s+)+{NAME_TOKEN})\s*", tail)
        if m is None or not re.search(rf"(?<![\w-])(?:{self.doc.resources.rules.alternation('role_nouns')}|boss|founder)\b", m.group(1), re.I):
            return None
        start = last.span.end + m.start(2)
        named = self._name(m.group(2), Span(start, start + len(m.group(2))))
        if named is None or named[0].kind != "person":
            return None
        role = self.doc.norm[span.start : last.span.end + m.end(1)].strip()
        self.add_role(named[0], role, self.doc.resources.dictionary.actors[last.actor].iri)  # type: ignore[index]
        return named[0]

    def _role_affiliation(self, role: str, span: Span) -> str | None:
        """The institution a role names: "Turkish Defence Minister" -> Turkish Ministry of Defence."""
        countries = self.doc.resources.countries
        for m in self.doc.mentions_in(span):
            if m.actor and not self.doc.resources.dictionary.actors[m.actor].is_person \
                    and self.doc.norm[m.span.start : m.span.end] in role:
                return self.doc.resources.dictionary.actors[m.actor].iri
        country = self._country_in(role)
        if country is None:  # "the X health minister": the party X's; "the military spokesperson": the text's
            return party_affiliation(self, role, span) or bare_role_affiliation(self, role, span)
        lowered = role.lower()
        for inst in countries.institutions.values():
            if any(r in lowered for r in inst.role_nouns) or any(h in lowered for h in inst.heads if h not in ("forces", "troops")):
                return self._institution_speaker(country, inst, span).iri
        return None

    def _organisation_phrase(self, text: str, span: Span) -> tuple[Speaker, str] | None:
        """"the Ministry of Health of the X government", "the Save the Children charity"."""
        body = re.sub(r"^(?:the|an?)\s+", "", text, flags=re.I)
        words = body.split()
        if not words or len(words) > 12 or not re.match(r"^[A-Z]", words[0]):
            return None
        lead = re.match(rf"^(?:{NAME_TOKEN}\s+)*{NAME_TOKEN}", body)
        lead_words = lead.group().split() if lead else []
        if lead_words and lead_words[-1] in ORG_NAME_WORDS and len(lead_words) < len(words) \
                and re.match(r"^\s+(?:of|for|on|in)\s", body[lead.end():]):  # type: ignore[union-attr]
            return self._organisation(body, Span(span.end - len(body), span.end))
        nouns = "|".join(re.escape(n) for n in ORG_NOUNS)
        m = re.fullmatch(rf"(?P<name>[A-Z][\w'-]*(?:\s+(?:the|of|for|and|[A-Z][\w'-]*))*)\s+(?P<noun>{nouns})"
                         rf"(?:\s+(?:in|of|for)\s+[A-Z][\w' -]*)?", body)
        if m and not self.doc.resources.countries.find(m.group("name")) and (
                len(m.group("name").split()) >= 2 or m.group("name").isupper() or "-" in m.group("name")
                or m.group("noun") in ("magazine", "newspaper", "daily", "weekly", "website", "news agency", "broadcaster")):
            return self._organisation(body, Span(span.end - len(body), span.end))
        return None

    def _organisation(self, name: str, name_span: Span) -> tuple[Speaker, str]:
        iri = str(CKGID[f"actor/org/{slug(name)}"])
        country = self._country_in(name)
        government = None
        if country is not None and re.search(r"\b(?:Ministry|Army|Armed Forces|General Staff|Directorate|Embassy|Navy|Police)\b", name):
            gov = self._government(country, name_span)
            government = gov.iri if gov else None
        elif country is None:
            government = party_affiliation(self, name, name_span)  # "the Ministry of Health of the X government"
        if iri not in self.actors:
            self.actors[iri] = ActorRecord(iri=iri, label=name, types=("Organisation",), evidence=name_span,
                                           affiliated_with=(government,) if government else (),
                                           rule="actor.organisation-from-text")
        return Speaker(iri=iri, label=name, kind="organisation", affiliation=government), "speaker.organisation-from-text"

    def _institution_named_in(self, pp: str, start: int) -> str | None:
        """The institution a prepositional phrase after a source's head names: "of the health
        ministry", and the innermost of nested ones ("from the press office of the Ministry of Health")."""
        obj = re.sub(r"^(?:of|for|with|from|at)\s+", "", pp)
        cuts = [0] + [x.end() for x in re.finditer(r"\s(?:of|at)\s+", obj)]
        for cut in cuts:
            inner = obj[cut:]
            at = start + len(pp) - len(obj) + cut
            inst = self._institution(inner, Span(at, at + len(inner)), [])
            if inst is not None:
                return inst.iri
        return None

    def add_role(self, speaker: Speaker, role: str, affiliation: str | None) -> None:
        """An appositive ("a military spokesman", "the head of ...") describing a text-created person."""
        rec = self.actors.get(speaker.iri)
        if rec is None or "Person" not in rec.types:
            return
        if role and role not in rec.roles:
            rec.roles = (*rec.roles, role)
        if affiliation is None and role:
            affiliation = self._role_affiliation(role, rec.evidence)
        if affiliation and affiliation not in rec.affiliated_with:
            rec.affiliated_with = (*rec.affiliated_with, affiliation)
            speaker.affiliation = speaker.affiliation or affiliation
        speaker.role_nouns = (*speaker.role_nouns, *(w.lower() for w in role.split()))

    def _record_speaker(self, rec: ActorRecord) -> Speaker:
        if "Person" not in rec.types:
            return Speaker(iri=rec.iri, label=rec.label, kind="organisation" if "Organisation" in rec.types else "unnamed",
                           affiliation=rec.affiliated_with[0] if rec.affiliated_with else None)
        return Speaker(iri=rec.iri, label=rec.label, kind="person", person=True,
                       affiliation=rec.affiliated_with[0] if rec.affiliated_with else None,
                       role_nouns=tuple(w.lower() for r in rec.roles for w in r.split()))

    def _from_entry(self, entry: ActorEntry) -> Speaker:
        dictionary = self.doc.resources.dictionary
        affiliation = dictionary.actors[entry.affiliated_with[0]].iri if entry.affiliated_with else None
        return Speaker(iri=entry.iri, label=entry.label, kind="dictionary", person=entry.is_person,
                       country=entry.country, affiliation=affiliation, role_nouns=entry.role_nouns,
                       dictionary_id=entry.id)
