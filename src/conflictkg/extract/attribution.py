"""``attribution``: find who said what in each sentence.

Cue verbs ("said", "told", "claimed", "denied", ...) and frames ("according to X",
"V quoted X as saying", "X, quoted by V,", "in what it claimed") come from
``data/rules/{cues,frames,channels}.jsonl``. For each cue outside quotation marks the
speaker slot is parsed (the subject before the cue, or the phrase after an inverted
"said X"), skipping appositives ("Maria Zakharova, the ... spokeswoman, emphasized") and
resolved by :class:`~conflictkg.extract.speakers.SpeakerResolver`. A sentence that is
only a quotation continues the previous speaker's statement.
"""

from __future__ import annotations

import re
import weakref

from ..model import Span
from ..rules import CueRule, RuleSet
from .attribution_lines import dash_attribution, source_lines
from .doc import Attribution, Doc, Sentence, Speaker, normalise
from .pipeline import component
from .speakers import SpeakerResolver
from .speaks_for import speaks_for
from .statement_dates import claim_date, date_back, date_statements, document_date

__all__ = ["attribution", "MIN_CONTENT_WORDS", "INVERTED_DESCRIBED_MAX_WORDS", "SUBJECT_MAX_WORDS", "STATEMENT_RECENCY_SENTENCES"]

#: A statement shorter than this ("I can't tell you") carries no claim.
MIN_CONTENT_WORDS = 5
#: The speaker phrase is at most this many words before the cue.
SUBJECT_MAX_WORDS = 10
#: ... unless it is one source and what it belongs to ("an official from the press office of the
#: Ministry of Public Health"), which may be this long.
HEADED_SUBJECT_MAX_WORDS = 16
#: "The statement" refers to the last statement made at most this many sentences before.
STATEMENT_RECENCY_SENTENCES = 3
#: An inverted speaker with an article ("..., said a rescuer at the scene and ...") may be this long.
INVERTED_DESCRIBED_MAX_WORDS = 16
#: Nouns a participle cue can hang on that name evidence, not a speaker ("intelligence suggesting that").
_EVIDENCE_NOUNS = "intelligence|evidence|information|data|signs|indications|footage|images|photos|rumou?rs|findings"
_DISCOURSE = re.compile(r"^\s*(?:however|meanwhile|too|also|in turn|for (?:its|his|her|their) part|though|in addition|moreover)\s*$", re.I)
_CONJUNCTION = re.compile(r"^\s*(?:but|and|yet|while)\s*$", re.I)
_FIRST_VERB = re.compile(r"\s(?:did|does|do|has|have|had|is|was|were|are|will|would|could|said|says)\b", re.I)
_ADVERBIAL = re.compile(r"^\s*(?:in|on|at|after|before|during|with|for|since|as|when|while|following|despite|earlier|later|previously|"
                        r"by\s+(?=[A-Z0-9])|until|as\s+of)\b", re.I)
#: A wire dateline opening a paragraph: "KYIV, Ukraine — ", "Ankara, SANA- ", "Port-au-Lac (Agency) - ".
_DATELINE = re.compile(r"(?:[A-Z][A-Za-z.'’-]+(?:\s+[A-Z][A-Za-z.'’-]+)*,?\s+)?(?:[A-Z][\w.'’ -]{0,40}?\s*)?(?:\([^)]{1,30}\)\s*)?"
                       r"(?:-|–|—){1,2}\s+|[A-Z][A-Z .'-]+,\s+[A-Z][\w .'-]{0,30}?\s*(?:-|–|—)\s*")
#: A place opening a paragraph before a colon: "Bangkok : ...", "Kabul: ...", "Kramatorsk, Ukraine: ...", with a date.
_COLON_DATELINE = re.compile(r"[A-Z][\w.'-]+(?:\s+[A-Z][\w.'-]+)?(?:,\s+[A-Z][\w.'-]+(?:\s+[A-Z][\w.'-]+)?)?"
                             r"(?:,?\s+[A-Z][a-z]{2,8}\.?\s+\d{1,2}(?:,\s+\d{4})?)?\s*:\s+(?=[A-Z])")  # "Khartoum, Oct 30: ..."
_MEDIA_HEADS = {"agency", "agencies", "media", "outlets", "outlet", "newspaper", "newspapers", "broadcaster", "broadcasters",
                "network", "networks", "channel", "channels", "television", "tv", "press", "daily", "wire", "websites", "website"}
#: Words before "reports" that make it the noun ("local media reports that ...").
_REPORTS_NOUN = re.compile(r"(?:^|\b(?:media|news|press|local|initial|early|earlier|recent|latest|some|the|these|those|such|unconfirmed|"
                           r"conflicting|several|many|other|first|further|separate|previous|of|and|in|on|by|to|with|from|television|"
                           r"tv|wire|official|unverified|several|multiple|numerous))\s*$", re.I)
#: Cues whose short sentence is still a claim: "The UN calls for an inquiry."
_SHORT_CLAIM_CUES = ("cue.called-for", "cue.claimed-responsibility", "cue.put-toll")
#: Participles that report speech of the clause they hang on ("..., saying", "with X confirming").
_PARTICIPLE_CUES = ("cue.saying",)
_PREPOSITIONS = "in|on|at|to|during|after|before|from|with|by|for|about|of|as|into|via|through|earlier|later|on|this|last"
#: Words that never end a noun phrase ("interviewed by reporters": the reporters are no contact-clause subject).
_FUNCTION_WORDS = {"by", "of", "to", "from", "with", "for", "in", "at", "on", "among", "about", "and", "or", "the", "a", "an",
                   "its", "their", "his", "her", "that", "this"}
#: A short chunk that is the predicate of the chunks before it ("Five people, including the mayor, were
#: killed, police said"): the subject of the cue comes after it.
_PREDICATE = re.compile(r"^\s*(?:(?:were|was|are|is|has|have|had)\s+(?:been\s+|being\s+)?[a-z]+|(?:died|perished|fled|survived)\s*$)")
_RELATIVE = re.compile(r"^\s*(?:who|whose|which|whom|where)\s", re.I)
_APPOSITIVE = re.compile(r"^\s*(?:(?:a|an|the)\s|who\s|which\s|(?:as\s+)?(?:quoted|cited)\s+by\s|itself\b|himself\b|herself\b|"
                         r"speaking\b|writing\b|citing\b|quoting\b|according\b|asked\b|responding\b|in\s+a\s+statement\b)", re.I)


_AUX_WORDS = {"did", "does", "do", "has", "have", "had", "is", "was", "were", "are", "will", "would", "could", "can", "may",
              "might", "must", "should", "said", "says", "spoke", "told", "met", "made", "gave", "took", "went", "came", "held",
              "sent", "saw", "wrote", "left", "brought", "got", "found", "began", "shot", "struck", "hit", "fought", "won", "lost",
              "paid", "led", "flew", "drove", "fled", "died", "lied", "tied", "dies", "remain", "remained", "knew", "thought", "became", "kept", "put", "ran", "set", "stood", "sought"}
_NOT_VERB_BEFORE = {"the", "a", "an", "of", "and", "or", "its", "his", "her", "their", "our", "by", "with", "in", "on", "at",
                    "to", "from", "for", "this", "that", "these", "those", "some", "many", "all", "most", "recently", "newly",
                    "so-called", "well", "heavily", "largely"}


def _finite_verb(text: str) -> int | None:
    """Offset of the first word that looks like a finite verb (an auxiliary, or a lower-case
    ``-ed`` word after a noun): "The ministry expressed condolences" -> 13."""
    words = list(re.finditer(r"[\w'-]+", text))
    for i, w in enumerate(words):
        word = w.group()
        if i == 0:
            continue
        prev = words[i - 1].group().lower()
        if word.lower() in _AUX_WORDS:
            return w.start()
        if re.fullmatch(r"[a-z]{3,}(?:ed|ied)", word) and prev not in _NOT_VERB_BEFORE and not prev.endswith("ly"):
            return w.start()
    return None


#: The auxiliaries and adverbs a cue pattern may open with, as written in ``data/rules/cues.jsonl``.
CUE_PREFIX = (r"(?:(?:has|have|had|would|will|could|might|may|did|does|do|also|later|previously|earlier|repeatedly|officially|"
              r"generally|however|further|then|again|publicly|separately|now|merely|only|simply|just|firmly|flatly|strongly|"
              r"categorically|quickly|immediately|swiftly|once again)\s+)*")
_CUE_PREFIX = re.compile(r"(?<![\w-])(?:(?:has|have|had|would|will|could|might|may|did|does|do|also|later|previously|earlier|"
                         r"repeatedly|officially|generally|however|further|then|again|publicly|separately|now|merely|only|simply|"
                         r"just|firmly|flatly|strongly|categorically|quickly|immediately|swiftly|once again)\s+)+$")
_CUE_CACHE: weakref.WeakKeyDictionary[RuleSet, list[tuple[re.Pattern[str], CueRule, bool]]] = weakref.WeakKeyDictionary()


def _compiled_cues(rules: RuleSet) -> list[tuple[re.Pattern[str], CueRule, bool]]:
    """(verb regex, rule, whether the rule's pattern opens with :data:`CUE_PREFIX`), once per rule set."""
    if rules not in _CUE_CACHE:
        out = []
        for c in rules.cues:
            prefixed = c.pattern.startswith(CUE_PREFIX)
            core = c.pattern[len(CUE_PREFIX):] if prefixed else c.pattern
            out.append((re.compile(rf"(?<![\w-])(?:{core})(?![\w-])"), c, prefixed))
        _CUE_CACHE[rules] = out
    return _CUE_CACHE[rules]


class _Attributor:
    def __init__(self, doc: Doc) -> None:
        self.doc = doc
        r = doc.resources.rules
        # Cue verbs are matched as written (lower case): "States" in "United States-led" is no cue.
        self.cues = _compiled_cues(r)
        self.frames = {f.id: (re.compile(f.pattern, re.I), re.compile(rf"\b(?:{f.trigger})\b", re.I) if f.trigger else None) for f in r.frames}
        self.channels = [(re.compile(c.pattern, re.I), c) for c in r.channels]
        self.roles = r.alternation("role_nouns")
        self.source_heads = r.alternation("source_heads")
        self.abbreviations = {a.pattern.lower() for a in r.abbreviations}
        self.resolver = SpeakerResolver(doc)
        self._cue_text: str | None = None

    # -- helpers ------------------------------------------------------------------------------

    def _media(self, speaker: Speaker | None) -> bool:
        if speaker is None:
            return False
        if speaker.dictionary_id is None:  # "Russian news agencies", "local media", not "law enforcement agencies"
            return speaker.kind == "unnamed" and bool(set(speaker.role_nouns) & _MEDIA_HEADS) and bool(
                re.search(r"\b(?:news|press|media|outlets?|newspapers?|broadcasters?|networks?|channels?|television|tv|wire|websites?|daily)\b",
                          speaker.label, re.I))
        return self.doc.resources.dictionary.actors[speaker.dictionary_id].is_media

    def _resolve(self, span: Span, rules: list[str]) -> Speaker | None:
        if span.end <= span.start:
            return None
        return self.resolver.at(span.start).resolve(span, rules=rules)

    def _via_in(self, span: Span) -> str | None:
        rules: list[str] = []
        for m in self.doc.mentions_in(span):
            if m.actor and self.doc.resources.dictionary.actors[m.actor].is_media:
                return self.doc.resources.dictionary.actors[m.actor].iri
        sp = self._resolve(span, rules)
        return sp.iri if self._media(sp) else None

    def _channel(self, s: Sentence) -> tuple[str | None, str | None]:
        norm = self.doc.norm
        for rx, rule in self.channels:
            for m in rx.finditer(norm, s.span.start, s.span.end):
                if not s.in_quote(m.start()):
                    return rule.channel, rule.id
        return None, None

    # -- speaker slots ------------------------------------------------------------------------

    def _left_region(self, s: Sentence, cue: Span) -> tuple[Span | None, list[str], str | None]:
        """The subject chunk before ``cue``, appositive roles, and a via from "quoted by".

        The chunks between commas are read from the left: leading adverbials ("In a statement",
        "Expressing anger at the losses") are skipped, the first chunk is the subject, and an
        appositive after it ("a spokesman for ...", "whose bakery burned down", "who witnessed
        it") runs to the cue, its later chunks included ("a health official in X, northern Y").
        """
        norm = self.doc.norm
        start = s.span.start
        for q in s.quotes:
            if q.end <= cue.start and self._real_quote(q):
                start = max(start, q.end)
        semi = norm.rfind(";", start, cue.start)
        if semi >= 0:
            start = semi + 1
        if start == s.span.start:
            dateline = _DATELINE.match(norm, start, cue.start) or (_COLON_DATELINE.match(norm, start, cue.start) if s.index == next(
                (x.index for x in self.doc.sentences if not x.title and x.paragraph == s.paragraph), -1) else None)
            if dateline and re.search(r"\s-\s", norm[dateline.end() : cue.start + 2]) and re.search(r"\s-\s*$", dateline.group()):
                dateline = None  # "The Alliance - a coalition of three parties - denied": a pair of dashes, no dateline
            if dateline:
                start = dateline.end()  # "Ankara, SANA- Authorities ... admitted": the dateline is no subject
        end = self._trim_end(start, cue.start)
        chunks = self._chunks(start, end)
        region_start = chunks[0][0] if chunks else start
        if len(chunks) > 1 and re.fullmatch(r"\s*who(?:\s+(?:also|later|then|had|has|have|previously))*\s*", norm[chunks[-1][0] : chunks[-1][1]]):
            # "... the condemnation of the raid by UN chief Ana Lorn, who warned that": the noun the clause hangs on
            a, b = chunks[-2]
            by = list(re.finditer(r"\b(?:by|from|of|with|to|for)\s+", norm[a:b]))
            if by:
                return Span(a + by[-1].end(), b), [], None
        roles, via = [], None
        while chunks and (not norm[chunks[-1][0] : chunks[-1][1]].strip() or _DISCOURSE.match(norm[chunks[-1][0] : chunks[-1][1]])):
            chunks.pop()
        while len(chunks) > 1 and (_DISCOURSE.match(norm[chunks[0][0] : chunks[0][1]]) or self._adverbial(norm[chunks[0][0] : chunks[0][1]])
                                   or self._clause(norm[chunks[0][0] : chunks[0][1]])):
            chunks.pop(0)
        while len(chunks) > 1 and self._adverbial(norm[chunks[-1][0] : chunks[-1][1]]):
            chunks.pop()  # "The X office, in a tweet on its website, said"
        if not chunks:
            return None, roles, via
        subject = len(chunks) - 1
        # after a clause ("X, a cadet, was returning home, the ambassador confirmed") the subject comes later
        first = max((i + 1 for i in range(len(chunks) - 1) if (self._clause("_ " + norm[chunks[i][0] : chunks[i][1]])
                     or (i > 0 and _PREDICATE.match(norm[chunks[i][0] : chunks[i][1]])))
                     and not _RELATIVE.match(norm[chunks[i][0] : chunks[i][1]])), default=1)
        for i in range(max(first, 1), len(chunks)):
            if self._appositive(norm[chunks[i][0] : chunks[i][1]], norm[chunks[i - 1][0] : chunks[i - 1][1]]):
                subject = i - 1
                break
        for a, b in chunks[subject + 1 :]:
            text = norm[a:b]
            quoted = re.match(r"^\s*(?:as\s+)?(?:quoted|cited)\s+by\s+(.+)$", text, re.I)
            if quoted:
                via = self._via_in(Span(a, b))
            else:
                roles.append(text.strip())
        a, b = chunks[subject]
        if subject > 0 and subject == len(chunks) - 1 and self._role_chunk(norm[chunks[subject - 1][0] : chunks[subject - 1][1]]):
            # "A spokesman for the Syrian army, Brigadier General Ali Mayhoub, told ...": a role, then the name
            roles.append(norm[chunks[subject - 1][0] : chunks[subject - 1][1]].strip())
        if _CONJUNCTION.match(norm[a:b]):
            # "The statement did not specify ..., but spoke of": the first clause's subject speaks.
            a = region_start
            verb = _finite_verb(norm[a : cue.start])
            if verb is None:
                return None, roles, via
            b = a + verb
        elif re.search(r"\s(?:and|but)(?:\s+(?:then|also|later|now))?\s*$", norm[a:b]):
            # "X expressed condolences ... and said": the subject of the coordinated verbs.
            verb = _finite_verb(norm[a:b])
            if verb is None:
                return None, roles, via
            b = a + verb
        clause = re.match(r"\s*[a-z]+\s+(?:after|because|although|though|since|once|until|as|when|while)\s+(?=\S)", norm[a:b])
        later = [c for c in re.finditer(r"\s(?:after|because|although|though|since|once|until|when|while|whereas)\s+"
                                        r"(?=(?:the|a|an|his|her|its|their|[A-Z])\b)", norm[a:b])
                 if _finite_verb(norm[a : a + c.start()]) is not None
                 or re.search(r"\w\s+[a-z]{3,}s$", norm[a : a + c.start()])]  # "the charity's appeal comes after"
        if clause:  # "A statement by the charity ..., comes after the army denied": the clause's subject
            a += clause.end()
        elif later:  # "Ruiz held a call shortly after her campaign said"
            a += later[-1].end()
        participle = re.search(r"\s+(?:while|when|after|before|upon|on)\s+[a-z]+ing\b.*$", norm[a:b])
        if participle and norm[a : a + participle.start()].strip():
            b = a + participle.start()  # "The governor while speaking to journalists said"
        which = list(re.finditer(r"\b(?:for|by|of|in|to)\s+which\s+", norm[a:b]))
        if which and _finite_verb(norm[a + which[-1].end() : b]) is None:
            a += which[-1].end()  # "The raid for which the Front has claimed responsibility": the clause's subject
        relative = re.search(r"\s(?:who|whose|which|whom)\s", norm[a:b])
        if relative and norm[a : a + relative.start()].strip():
            b = a + relative.start()  # "a soldier ... who witnessed the incident told"
        contact = re.search(rf"(?<=[a-z] )(?P<mod>[A-Z][\w'-]*\s+|[a-z][\w-]*\s+)?(?:{self.source_heads})\s*$",
                            norm[a:b]) if _finite_verb(norm[a:b]) is not None else None
        before_np = norm[a : a + contact.start()].split()[-1:] if contact else []
        if contact and not {w.lower() for w in [*before_np, *(contact.group("mod") or "").split()]} & _FUNCTION_WORDS:
            a += contact.start()  # "a drone strike Afghan officials said killed 13", "The attack killed 12 local officials said"
        words = list(re.finditer(r"\S+", norm[a:b]))
        if len(words) > SUBJECT_MAX_WORDS and not (len(words) <= HEADED_SUBJECT_MAX_WORDS and self._headed_source(norm[a:b])):
            a = a + words[-SUBJECT_MAX_WORDS].start()
        return Span(a, b), roles, via

    def _headed_source(self, text: str) -> bool:
        """One source and what it belongs to: "an official from the press office of the ministry"."""
        heads = f"{self.roles}|{self.source_heads}"
        return _finite_verb(" " + text) is None and bool(re.match(
            rf"^\s*(?:a|an|the|one)\s+(?:[\w-]+\s+){{0,3}}?(?:{heads})\s+(?:from|of|at|for|with|in)\s", text, re.I))

    def _last_chunk(self, s: Sentence, cue: Span) -> Span | None:
        """The short comma chunk right before ``cue`` ("..., officials and eyewitnesses said")."""
        norm = self.doc.norm
        end = self._trim_end(s.span.start, cue.start)
        comma = norm.rfind(",", s.span.start, end)
        text = norm[comma + 1 : end]
        if comma < 0 or not text.strip() or len(text.split()) > 6 or _finite_verb(" " + text) is not None:
            return None
        return Span(comma + 1 + len(text) - len(text.lstrip()), end)

    def _real_quote(self, q: Span) -> bool:
        """A quotation, not scare quotes around a word or two ("Russian agents")."""
        return len(self.doc.norm[q.start : q.end].split()) > 4

    def _trim_end(self, start: int, end: int) -> int:
        norm = self.doc.norm
        for d in sorted(self.doc.dates_in(Span(start, end)) if end > start else [], key=lambda d: -d.span.end):
            if not norm[d.span.end : end].strip(" ,"):
                end = d.span.start
        while True:
            tail = re.search(r"(?:\s+(?:itself|himself|herself|themselves|later|also|then|now|too|again|meanwhile|however|on\s+\w+day|"
                             r"in\s+(?:a|an|its|his|her|their)\s+(?:\w+\s+){0,2}(?:statement|interview|post|tweet))|\s+\w+ly|,)\s*$", norm[start:end])
            if not tail or tail.start() == 0:
                break
            end = start + tail.start()
        return end

    def _chunks(self, start: int, end: int) -> list[tuple[int, int]]:
        """Comma-separated chunks of ``[start, end)``, commas inside parentheses kept.

        A pair of dashes sets an appositive off like a pair of commas ("the Alliance—a coalition
        of three parties—denied", "the Alliance - a coalition - denied"); a lone hyphen joins words.
        """
        norm, out, depth, a = self.doc.norm, [], 0, start
        dashes = [i for i in range(start, min(end + 3, len(norm))) if self.doc.text[i] in "\u2013\u2014"
                  or (norm[i] == "-" and norm[i - 1 : i] == " " and norm[i + 1 : i + 2] == " ")]
        pair = set(dashes) if len(dashes) == 2 else set()
        for i in range(start, end):
            ch = norm[i]
            if ch == "(":
                depth += 1
            elif ch == ")":
                depth = max(0, depth - 1)
            elif ch == "," and pair and min(pair) < i < max(pair):
                continue  # "the Alliance—a coalition of the Front, two militias, and a party—denied": one appositive
            elif (ch == "," or i in pair) and depth == 0:
                out.append((a, i))
                a = i + 1
        if a < end:
            out.append((a, end))
        return [(x, y) for x, y in out if y > x]

    def _adverbial(self, text: str) -> bool:
        if _ADVERBIAL.match(text) or re.match(r"^\s*[A-Z][a-z]+ing\b", text):
            return True
        dates = [d for d in self.doc.dates if d.span.start >= 0]
        stripped = text.strip()
        return bool(stripped) and any(self.doc.norm[d.span.start : d.span.end].strip() == stripped for d in dates) \
            or bool(re.fullmatch(r"(?:\w+\s+){0,2}(?:ago|before|after|later|earlier|since|afterwards)", stripped, re.I))

    def _clause(self, text: str) -> bool:
        """A chunk with a finite verb is a clause, not the subject: "Two soldiers were shot dead, a source said"."""
        return _finite_verb(text) is not None and len(text.split()) > 3

    def _role_chunk(self, text: str) -> bool:
        return bool(re.match(r"^\s*(?:a|an|the)\s", text, re.I) and re.search(rf"(?<![\w-])(?:{self.roles})(?![\w-])", text, re.I))

    def _appositive(self, text: str, previous: str) -> bool:
        """Whether ``text`` describes the chunk before it rather than being the subject."""
        if _ADVERBIAL.match(previous) or re.match(r"^\s*[A-Z][a-z]+ing\b", previous):
            return False
        if len(previous.split()) > 8:  # a long chunk is a clause, whatever follows it, unless it has no verb and a relative
            # clause hangs on it ("An unconfirmed earlier report by the Lantern news channel, which is close to ..., put")
            return bool(_RELATIVE.match(text)) and _finite_verb(" " + previous) is None and bool(re.match(r"\s*(?:a|an|the)\s", previous, re.I))
        if _RELATIVE.match(text) or re.match(r"^\s*(?:(?:as\s+)?(?:quoted|cited)\s+by|itself|himself|herself|speaking|writing|citing|"
                                              r"quoting|referring|reporting|responding|asked|according|based\s+in|[\w-]+-based)\b", text, re.I):
            return True
        if re.match(r"^\s*(?:both|either|all|mostly|mainly|many\s+of\s+them)\s", text, re.I) and _finite_verb(text) is None:
            return True  # "aid sources, both local and foreign, have condemned"
        if re.fullmatch(r"\s*\d{1,3}\s*", text) or re.fullmatch(r"\s*[A-Z]\s*-\s*[A-Z][A-Za-z.]{1,6}\s*", text):
            return True  # "Ruiz, 35, the daughter of ..., said": an age; "Ruiz, D-Ore., said": party and state
        if re.fullmatch(r"\s*(?:about\s+|some\s+)?[\d,.]+\s+(?:kilomet(?:re|er)s?|km|miles?|metres?|meters?)\s+"
                        r"(?:away|(?:north|south|east|west)(?:-?(?:east|west))?(?:\s+of\s+[^,]*)?|from\s+[^,]*|outside\s+[^,]*)\s*", text):
            return True  # "A nurse at the clinic, 30 kilometres away, said"
        if re.match(r"^\s*(?:a|an|another)\s", text, re.I) or re.match(
                rf"^\s*(?-i:[a-z][\w-]*\s+){{0,3}}(?:{self.roles}|founder|co-founder|owner|deputy|head)\s+(?:of|for|at|with|in)\b", text, re.I):
            return True
        if re.match(r"^\s*[a-z]+(?:ing|ed)\b", text) and _finite_verb(text) is None:
            return True  # "following calls from ...", "submitted to the committee"
        if re.match(r"^\s*the\s", text, re.I):
            return bool(re.search(rf"(?<![\w-])(?:{self.roles})(?![\w-])", text, re.I)) or bool(
                re.fullmatch(r"\s*(?:[A-Z][\w'.-]*\s*)+", previous))
        # "Ilmar Vask, al Jaish's military spokesman, told": a name, then whose role it is
        return bool(re.fullmatch(r"[\s\"']*(?:[A-Z][\w'.-]*\s+)+[A-Z][\w'.-]*\s*", previous) and re.fullmatch(
            rf"\s*(?:[\w-]+\s+){{0,3}}[\w-]+'s?\s+(?:[\w-]+\s+){{0,3}}(?:{self.roles})\s*", text, re.I))

    def _past_date(self, pos: int, s: Sentence) -> int:
        """``pos``, or the end of a date standing right there ("said early Sunday the committee")."""
        norm = self.doc.norm
        for d in self.doc.dates_in(Span(pos, s.span.end)):
            if not norm[pos : d.span.start].strip(" ,") or re.fullmatch(r"\s*(?:early|late|on|earlier|later)\s*", norm[pos : d.span.start]):
                return d.span.end
        return pos

    def _right_phrase(self, s: Sentence, pos: int) -> tuple[Span | None, str]:
        norm = self.doc.norm
        pos = self._past_date(pos, s)
        end = pos
        while True:  # up to the first , . ; : or quote, but past the period of "Rep." or "Thomas F."
            m = re.match(r"[^,.;:\"]*", norm[end : s.span.end])
            end += m.end() if m else 0
            word = re.search(r"([\w.]+)$", norm[pos:end])
            if end < s.span.end and norm[end] == "." and word and (
                    word.group(1).lower() in self.abbreviations or re.fullmatch(r"[A-Z]", word.group(1))):
                end += 1
                continue
            close = norm.find(")", end, s.span.end)
            if norm.count("(", pos, end) > norm.count(")", pos, end) and close > 0:
                end = close + 1  # "Rep. Jo Roe (D-S.C.), a member": past the parenthesis
                continue
            break
        medium = re.search(r"\s(?:in\s+(?:a|an|its|his|her|their)\s|on\s+(?:Twitter|Telegram|Facebook|X|Instagram|social\s+media)\b|"
                           r"during\s|via\s|through\s|while\s|when\s|after\s|before\s)", norm[pos:end])
        if medium and norm[pos : pos + medium.start()].strip():
            end = pos + medium.start()  # "said House Speaker Jo Roe in a statement": the speaker, not the statement
        rest = norm[end : s.span.end]
        appositive = re.match(r"^,\s*((?:a|an|the)\s[^,.;\"]*)", rest) or re.match(
            rf"^,\s*((?:[A-Z][\w'-]*\s+|of\s+|for\s+|and\s+|the\s+)*(?i:{self.roles})\b[^,.;\"]*)", rest)
        if end <= pos:
            return None, ""
        return Span(pos, end), appositive.group(1) if appositive else ""

    def _apply_roles(self, speaker: Speaker, roles: list[str], role_span: Span | None = None) -> None:
        for role in roles:
            if not re.search(rf"(?<![\w-])(?:{self.roles})(?![\w-])", role, re.I):
                continue
            affiliation = None
            start = self.doc.norm.find(role)
            if start >= 0:
                for m in self.doc.mentions_in(Span(start, start + len(role))):
                    if m.actor:
                        affiliation = self.doc.resources.dictionary.actors[m.actor].iri
                        break
            self.resolver.add_role(speaker, re.sub(r"^(?:a|an|the)\s+", "", role.strip(), flags=re.I), affiliation)

    # -- one sentence -------------------------------------------------------------------------

    def _cue_matches(self, s: Sentence) -> list[tuple[Span, CueRule]]:
        """Cue verbs of the sentence; a cue's leading auxiliaries and adverbs ("has repeatedly")
        are matched backwards from the verb, which is much cheaper than at every position."""
        out = []
        if self._cue_text is None:  # an em or en dash joins no words: "political groups—denied" has the cue "denied"
            text = self.doc.text
            self._cue_text = normalise(re.sub("[\u2013\u2014]", " ", text)) if re.search("[\u2013\u2014]", text) else self.doc.norm
        norm = self._cue_text
        for rx, cue, prefixed in self.cues:
            for m in rx.finditer(norm, s.span.start, s.span.end):
                start = m.start()
                if prefixed:
                    pre = _CUE_PREFIX.search(norm, max(s.span.start, start - 80), start)
                    start = pre.start() if pre else start
                out.append((Span(start, m.end()), cue))
        return out

    def _headline(self, s: Sentence) -> list[Attribution]:
        """A headline's attribution: "Toll rises to 89, says ministry", "... killed: Russia's Wagner Group",
        "CAR ready to help — diplomat", "Foreign Ministry: reports are fabricated"."""
        norm = self.doc.norm
        text = norm[s.span.start : s.span.end]
        patterns = (
            (r"^(?P<content>.{12,}?),?\s+(?i:says|say|said|claims|confirms|denies|admits|warns)\s+(?P<speaker>[^,:;]{2,60})$", "title.says-speaker"),
            (r"^(?P<content>.{12,}?)\s*(?::|\s[-–—]\s)\s*(?P<speaker>[^:–—]{2,50})$", "title.trailing-speaker"),
            (r"^(?P<speaker>[^:]{2,50}):\s+(?P<content>.{12,})$", "title.leading-speaker"),
        )
        for pattern, rule in patterns:
            m = re.match(pattern, text)
            if m is None or len(m.group("speaker").split()) > 6:
                continue
            sp_span = Span(s.span.start + m.start("speaker"), s.span.start + m.end("speaker"))
            rules = [rule]
            self.resolver.headline = True  # headlines drop articles: "- diplomat" is "the diplomat"
            try:
                speaker = self._resolve(sp_span, rules)
            finally:
                self.resolver.headline = False
            if speaker is None or set(speaker.role_nouns) & {"toll", "tally", "count", "number", "figure"} or (
                    speaker.kind in ("organisation", "person") and rule != "title.says-speaker"
                                   and speaker.iri not in {sp.iri for sp in self.resolver.history}):
                continue  # "East Harbour: ...": a place or a name the body never quotes
            return [Attribution(sentence=s.index, speaker=speaker, cue=sp_span, rules=rules, region=sp_span)]
        return []

    def sentence(self, s: Sentence) -> list[Attribution]:
        doc, norm = self.doc, self.doc.norm
        if s.title:  # a headline speaks only through its own attribution patterns
            return self._headline(s)
        found: list[Attribution] = []
        covered: list[Span] = []

        for fid, (rx, trigger) in self.frames.items():
            if trigger is not None and not trigger.search(norm, s.span.start, s.span.end):
                continue
            for m in rx.finditer(norm, s.span.start, s.span.end):
                if s.in_quote(m.start()):
                    continue
                span = Span(m.start(), m.end())
                rules = [fid]
                if fid == "frame.quoted-by":
                    continue  # handled inside the subject slot
                if fid == "frame.citing" and self._via_in(Span(m.start("via"), m.end("via"))) is None:
                    continue  # "the ministry said, citing police": the ministry speaks
                if fid == "frame.in-what-claimed":
                    actors = [mn for mn in doc.mentions_in(Span(s.span.start, m.start())) if mn.actor]
                    if actors:
                        sp = self.resolver._from_entry(doc.resources.dictionary.actors[actors[0].actor])  # type: ignore[index]
                        found.append(Attribution(sentence=s.index, speaker=sp, cue=span, rules=rules))
                        covered.append(span)
                    continue
                sp_span = Span(m.start("speaker"), m.end("speaker"))
                appositive = None
                comma = norm.find(",", sp_span.start, sp_span.end)
                if comma > sp_span.start and fid != "frame.according-to":  # "cited Ilse Varga, a senator, criticising"
                    appositive = norm[comma + 1 : sp_span.end].strip(" ,")
                    sp_span = Span(sp_span.start, comma)
                relative = re.search(r"\s(?:who|whose)\s", norm[sp_span.start : sp_span.end])
                if relative and fid != "frame.according-to":  # "one man who saw it was quoted as saying"
                    appositive = norm[sp_span.start + relative.start() : sp_span.end].strip()
                    sp_span = Span(sp_span.start, sp_span.start + relative.start())
                speaker = self._resolve(sp_span, rules)
                if speaker is not None and appositive:
                    self._apply_roles(speaker, [appositive])
                if speaker is None:
                    continue
                via = self._via_in(Span(m.start("via"), m.end("via"))) if "via" in m.groupdict() and m.group("via") else None
                if fid == "frame.according-to":
                    after = norm[sp_span.end : s.span.end]
                    app = re.match(r"^,\s*((?:a|an|the)\s[^,.;\"]*)", after)
                    named = re.match(r"^,\s*((?:[A-Z][\w'.-]*\s+){1,3}[A-Z][\w'-]*)\s*,", after)
                    if named and speaker.kind == "unnamed":
                        # "According to the governor of X, Ivo Marsk, ...": the name speaks, the phrase is the role
                        name_span = Span(sp_span.end + named.start(1), sp_span.end + named.end(1))
                        person = self._resolve(name_span, rules)
                        if person is not None and person.person:
                            role = norm[sp_span.start : sp_span.end].strip()
                            self._apply_roles(person, [role])
                            speaker, sp_span = person, Span(sp_span.start, name_span.end)
                    elif app:
                        self._apply_roles(speaker, [app.group(1)])
                unnamed_via = via is None or doc.resources.dictionary.actor_by_iri(via) is None
                found.append(Attribution(sentence=s.index, speaker=speaker, cue=span, rules=rules, via=via, region=sp_span,
                                         channel="media_report" if fid == "frame.quoted-as-saying" and unnamed_via else None,
                                         date=document_date(doc, s, sp_span)))
                covered.append(span)
                self.resolver.spoke(speaker)

        matches = sorted(self._cue_matches(s), key=lambda mc: (mc[0].start, -(mc[0].end - mc[0].start)))
        for span, cue in matches:
            if s.in_quote(span.start) or any(c.overlaps(span) for c in covered):
                continue
            if cue.requires_quote and not any(0 <= q.start - span.end <= 40 for q in s.quotes):
                continue
            if re.search(r"\bas\s+$", norm[s.span.start : span.start], re.I) and not re.match(r"\s+by\b", norm[span.end : s.span.end]):
                continue  # "the raid, as alleged, began at dawn": no one named says it
            if re.search(r"\b(?:never|not|n't)\s+(?:\w+\s+)?$", norm[s.span.start : span.start], re.I) and re.match(
                    r"\s+(?:when|why|how|where|whether|who|what)\b", norm[span.end : s.span.end], re.I):
                continue  # "never explained when": a question left open, no claim
            rules = [cue.id]
            stance = cue.stance
            before = norm[s.span.start : span.start]
            if norm[span.end - 7 : span.end] == "reports" and _REPORTS_NOUN.search(before):
                continue  # "media reports that came out on Tuesday": the noun, not the verb
            if cue.speaker == "left" and re.search(r"\b(?:been|being|be|is|are|was|were|not)\s+$", before, re.I) \
                    and not re.match(r"\s*(?:that|to)\b", norm[span.end : s.span.end]):
                # a passive: "The raid was denied by customs guards"; the subject did not speak
                agent = re.match(r"\s*by\s+([^,.;\"]+?)(?=\s+(?:through|via|during|after|before|as|in\s+(?:a|an|its|their|his|her))\b|[,.;\"]|$)",
                                 norm[span.end : s.span.end])
                if agent is None:
                    continue
                region, roles, via = Span(span.end + agent.start(1), span.end + agent.end(1)), [], None
                rules.append("attr.passive-agent")
                if cue.id == "cue.claimed":
                    stance = "claims_responsibility"  # "The raid was claimed by the Northern Front"
            else:
                region, roles, via = self._left_region(s, span)
            speaker = None
            inverted = cue.speaker == "left" and re.search(r",\s*(?:\"|'')?\s*$|,?\s*(?:\"|'')\s*$", before) is not None \
                and (not roles or any(_finite_verb(r) for r in roles)) and not re.match(r"(?:told|tells)\b", norm[span.start : span.end])
            if cue.id in _PARTICIPLE_CUES:
                speaker, region = self._participle_speaker(s, span, found, rules)
            elif inverted and self._inverted_subject(norm[span.start : span.end], norm[self._past_date(span.end, s) : s.span.end]):
                # "..., said Ilya Korsun, ..." / "\"...,\" said the diplomat": the speaker follows
                phrase, appositive = self._right_phrase(s, span.end)
                speaker = self._resolve(phrase, rules) if phrase is not None else None
                if speaker is not None:
                    rules[0] = "cue.inverted"
                    region = phrase
                    if appositive:
                        self._apply_roles(speaker, [appositive])
            if speaker is None and cue.speaker == "left" and region is not None and cue.id not in _PARTICIPLE_CUES:
                if re.fullmatch(r"\s*(?:the\s+)?(?:[\w-]+\s+)?(?:toll|tally|count|figure|number)\s*", norm[region.start : region.end], re.I) \
                        and (last := self._last_chunk(s, span)) is not None and last.start > region.end:
                    region = last  # "The toll, including 17 soldiers, stands at 31, the army said": the toll is what is said
                speaker = self._resolve(region, rules)
                if speaker is not None:
                    self._apply_roles(speaker, roles)
                elif (tail := re.search(r"\s((?:the|a|an)\s+[a-z][\w-]*(?:\s+[a-z][\w-]*){0,2})\s*$", norm[region.start : region.end])) \
                        and re.search(r"\d|\b[a-z]+s\s*$", norm[region.start : region.start + tail.start()]):
                    # "in addition to 203 fighters the military said it had killed": a contact clause's subject
                    tail_span = Span(region.start + tail.start(1), region.start + tail.end(1))
                    speaker = self._resolve(tail_span, rules)
                    region = tail_span if speaker is not None else region
                elif (last := self._last_chunk(s, span)) is not None and last != region:
                    # "Gunmen came into the meadow, dubbed X, and fired on hikers, picnicking, officials said":
                    # the chunk before the cue speaks when the first chunk is no speaker
                    speaker = self._resolve(last, rules)
                    region = last if speaker is not None else region
            elif speaker is None and cue.speaker == "right" and not found and re.search(r"(?:[,\"]|'')\s*$", before) \
                    and not re.match(rf"\s*(?:{_PREPOSITIONS})\b", norm[span.end : s.span.end], re.I) \
                    and re.match(r"\s*(?:[A-Z]|(?:the|a|an|one|two|three|several|some|this|that)\s)", norm[self._past_date(span.end, s) : s.span.end]):
                phrase, appositive = self._right_phrase(s, span.end)
                speaker = self._resolve(phrase, rules) if phrase is not None else None
                if speaker is not None and appositive:
                    self._apply_roles(speaker, [appositive])
            if speaker is not None and speaker.via:
                via = via or speaker.via
            if speaker is None:
                continue
            to_obj = re.match(r"\s+to\s+((?:the\s+)?[\w.'-]+(?:\s+[\w.'-]+){0,3}?)(?=\s+(?:that|on|in|news|agency)\b|[,.;\"]|$)",
                              norm[span.end : s.span.end])
            if to_obj and cue.id != "cue.told":  # "confirmed to AFP that": the outlet carried it
                via = via or self._via_in(Span(span.end + to_obj.start(1), span.end + to_obj.end(1)))
            if cue.id == "cue.told":
                obj = re.match(r"\s*((?:the\s+)?[\w.'-]+(?:\s+[\w.'-]+){0,3}?)(?=\s+(?:that|by|on|in|after|,)\b|[,.;\"]|$)",
                               norm[span.end : s.span.end])
                if obj:
                    via = via or self._via_in(Span(span.end + obj.start(1), span.end + obj.end(1)))
            found.append(Attribution(sentence=s.index, speaker=speaker, cue=span, rules=rules, stance=stance,
                                     channel=cue.channel, via=via,
                                     date=claim_date(doc, s, region, span), region=region))
            covered.append(span)
            self.resolver.spoke(speaker)

        found += self._implied(s, found)
        found = self._media_as_via(found)
        found = self._nested(s, found)
        return self._merge(found)

    def _implied(self, s: Sentence, found: list[Attribution]) -> list[Attribution]:
        """"The army has denied the report, as has the navy": a second speaker of the same verb."""
        if not found:
            return []
        out = []
        for m in re.finditer(r",\s+as\s+(?:has|have|had|did|does|do)\s+(?P<speaker>[^,.;\"]{2,60})", self.doc.norm[s.span.start : s.span.end]):
            span = Span(s.span.start + m.start("speaker"), s.span.start + m.end("speaker"))
            first = min(found, key=lambda f: f.cue.start)
            if first.cue.start > span.start:
                continue
            rules = [*first.rules[:1], "attr.implied-verb"]
            speaker = self._resolve(span, rules)
            if speaker is not None and speaker.iri != first.speaker.iri:
                out.append(Attribution(sentence=s.index, speaker=speaker, cue=span, rules=rules, stance=first.stance,
                                       channel=first.channel, date=first.date, region=span))
                self.resolver.spoke(speaker)
        return out

    def _nested(self, s: Sentence, found: list[Attribution]) -> list[Attribution]:
        """"According to the information provided by Ankara, there were no troops there, the ministry
        stressed": a speaker inside what a later cue reports is part of that report, not a claim of its own.
        An "according to" a document only says how the speaker before it spoke ("..., according to a release")."""
        norm = self.doc.norm
        outer = [f for f in found if f.region is not None and f.region.start > s.span.start
                 and len(norm[max(f.cue.end, f.region.end) : s.span.end].split()) <= 8 and f.cue.start > s.span.start + 20
                 and not f.rules[0].startswith("frame.")]
        out = []
        for f in found:
            if any(o is not f and f.cue.end <= min(o.region.start, o.cue.start) and o.speaker.iri != f.speaker.iri  # type: ignore[union-attr]
                   and f.rules[0] in ("frame.according-to",) for o in outer):
                continue
            doc_frame = f.rules[0] == "frame.according-to" and re.search(
                r"\b(?:statement|release|report|bulletin|communiqu\w*|document|letter)\b", norm[f.cue.start : f.cue.end], re.I)
            earlier = [o for o in found if o is not f and o.cue.start < f.cue.start]
            if doc_frame and earlier:
                for o in earlier:
                    o.channel = o.channel or "statement"
                continue
            out.append(f)
        return out

    def _inverted_subject(self, cue: str, after: str) -> bool:
        """Whether a name or a description follows a bare cue verb: "..., said Ilya Korsun"."""
        demonstrative = re.match(r"\s*this\s+(?!week|month|year|morning|afternoon|evening|time|weekend)[a-z]", after)
        if " " in cue.strip() or not demonstrative and re.match(rf"\s*(?:that|{_PREPOSITIONS}|he|she|it|they|we|I)\b|\s*[,.;:]|\s*$",
                                                                 after, re.I):
            return False  # "..., said this week", "said that", "said he": no speaker follows
        phrase = re.match(r"[^,.;:\"]*", after)
        if phrase is None:
            return False
        # "..., said an emergency worker at the scene and an official of the relief group": a long described source
        longest = INVERTED_DESCRIBED_MAX_WORDS if re.match(r"\s*(?:an?|the|two|three|several|some|one|this|that|former)\s", after, re.I) else 6
        described = re.split(r"\s(?:who|whose|which|whom)\s", phrase.group(), maxsplit=1)[0]
        if _finite_verb(described) is not None:
            return False  # "..., said the death toll stood at 43": a clause, not a speaker
        return len(described.split()) <= longest and bool(re.match(
            r"\s*(?:[A-Z]|(?:the|a|an|two|three|several|some|one|this|that)\s|(?:former|ex-|then-|veteran|senior|top|retired|acting|deputy)(?:\s*[\w-]+){0,3}?\s+[A-Z])",
            after))

    def _participle_speaker(self, s: Sentence, cue: Span, found: list[Attribution],
                            rules: list[str]) -> tuple[Speaker | None, Span | None]:
        """Who speaks in "..., saying ...": the speaker already found in the sentence, the noun of
        "with X confirming", or the subject of the clause the participle hangs on."""
        norm = self.doc.norm
        before = [f for f in found if f.cue.start < cue.start]
        coordinated = re.search(r"\band\s*$", norm[s.span.start : cue.start]) is not None
        if before and (coordinated or not re.search(r"\bthat\s", norm[before[-1].cue.end : cue.start])):
            rules.append("attr.participle-of-statement")
            return before[-1].speaker, before[-1].region
        text = norm[s.span.start : cue.start]
        if re.search(rf"(?<![\w-])(?:{_EVIDENCE_NOUNS})\s+$", text, re.I):
            return None, None  # "after the army received intelligence suggesting that": the evidence, no speaker
        with_np = re.search(r"\bwith\s+([^,;\"]{2,80}?)\s*$", text, re.I)
        if with_np:
            region = Span(s.span.start + with_np.start(1), s.span.start + with_np.end(1))
            rules.append("attr.participle-with")
            return self._resolve(region, rules), region
        start = s.span.start
        for q in s.quotes:
            if q.end <= cue.start and self._real_quote(q):
                start = max(start, q.end)
        that = [m for m in re.finditer(r"\b(?:that|;)\s", norm[start : cue.start])]
        if that:
            start = start + that[-1].end()
        chunks = self._chunks(start, cue.start)
        while len(chunks) > 1 and self._adverbial(norm[chunks[0][0] : chunks[0][1]]):
            chunks.pop(0)
        if not chunks:
            return None, None
        a, b = chunks[0]
        verb = _finite_verb(norm[a:b])
        if verb is None:
            return None, None
        region = Span(a, self._trim_end(a, a + verb))
        if region.end <= region.start:
            return None, None
        rules.append("attr.participle-clause-subject")
        return self._resolve(region, rules), region

    def _media_as_via(self, found: list[Attribution]) -> list[Attribution]:
        """An outlet after another speaker only carried the claim: "..., according to Bloomberg",
        "X denied it, state news agency TASS reported"; an outlet reporting that another speaker
        said something carried that claim too: "AFP reported that the ministry ..., saying ..."."""
        out = []
        for f in found:
            later = [o for o in found if not self._media(o.speaker) and o.cue.start > f.cue.start]
            if self._media(f.speaker) and later and re.match(r"\s*(?:that\s+)?(?:the\s+)?[\w'-]+(?:\s+[\w'-]+){0,5}\s+(?:had|has|have)?",
                                                             self.doc.norm[f.cue.end : later[0].cue.start]):
                for o in later:
                    o.via = o.via or f.speaker.iri
                continue
            earlier = [o for o in found if not self._media(o.speaker) and o.cue.start < f.cue.start]
            if self._media(f.speaker) and earlier:
                for o in earlier:
                    o.via = o.via or f.speaker.iri
                continue
            out.append(f)
        return out

    def _merge(self, found: list[Attribution]) -> list[Attribution]:
        merged: dict[str, Attribution] = {}
        for f in sorted(found, key=lambda f: f.cue):
            if f.speaker.iri in merged:
                m = merged[f.speaker.iri]
                m.rules += [r for r in f.rules if r not in m.rules]
                m.stance = m.stance or f.stance
                m.channel = m.channel or f.channel
                m.via = m.via or f.via
                m.date = m.date or f.date
            else:
                merged[f.speaker.iri] = f
        return list(merged.values())


def _denial(doc: Doc, s: Sentence, f: Attribution) -> bool:
    """Whether what follows the cue calls something false ("the figures are lies"): a denial, however short."""
    after = doc.norm[f.cue.end : s.span.end]
    return any(st.stance == "denies" and not st.perpetrator_only and re.search(st.pattern, after, re.I)
               for st in doc.resources.rules.stances)


def _content_words(doc: Doc, s: Sentence, f: Attribution) -> int:
    text = doc.norm[s.span.start : s.span.end]
    words = len(re.findall(r"[\w']+", text))
    speaker_words = len(re.findall(r"[\w']+", doc.norm[f.region.start : f.region.end])) if f.region else len(f.speaker.label.split())
    return words - speaker_words - 1


@component("attribution", requires=("sentences", "mentions", "dates", "figures"), assigns=("attributions", "actors"))
def attribution(doc: Doc) -> Doc:
    att = _Attributor(doc)
    out: list[Attribution] = []
    pending: list[Attribution] = []
    statement_at = -1
    headline: list[Attribution] = []
    for s in (*[x for x in doc.sentences if not x.title], *[x for x in doc.sentences if x.title]):
        if s.title:  # read last: a headline names, without articles, speakers the body introduces
            headline = [f for f in att.sentence(s) if _content_words(doc, s, f) >= MIN_CONTENT_WORDS]
            continue
        if statement_at >= 0 and s.index - statement_at > STATEMENT_RECENCY_SENTENCES:
            att.resolver.documents.pop("statement", None)  # "the statement" far from any: the article's lead speaker's
            statement_at = -1
        candidates = att.sentence(s)
        if not candidates and (dash := dash_attribution(doc, att.resolver, s)) is not None:
            candidates = [dash]  # '"...," - Governor Lane.'
            att.resolver.spoke(dash.speaker)
        counted = any(fm.sentence == s.index for fm in doc.figures)  # "There were no fatalities, the navy said."
        found = [f for f in candidates if _content_words(doc, s, f) >= MIN_CONTENT_WORDS or f.rules[0] in _SHORT_CLAIM_CUES
                 or f.stance in ("claims_responsibility", "denies", "accuses")  # "Moscow denied involvement."
                 or (counted and _content_words(doc, s, f) >= 2)
                 or (_content_words(doc, s, f) >= 3 and _denial(doc, s, f))]  # "The rebels said the figures are lies."
        channel, channel_rule = att._channel(s)
        speaks_for(doc, att.resolver, s, found, att._media)
        for f in found:
            if channel and not f.channel:
                f.channel = channel
                f.rules.append(channel_rule)  # type: ignore[arg-type]
            prev = out[-1] if out else None
            if f.date is None and prev is not None and prev.speaker.iri == f.speaker.iri and prev.date is not None \
                    and prev.sentence == s.index - 1:
                f.date = prev.date  # "He also noted ...": the statement goes on
                f.rules.append("attr.date-of-statement")
            if f.channel == "statement":
                att.resolver.documents["statement"] = f.speaker  # "The statement said" refers to it later
                statement_at = s.index
            out.append(f)
        quoted = sum(q.end - q.start for q in s.quotes if q.overlaps(s.span))
        text = doc.norm[s.span.start : s.span.end].strip()
        if not found and pending and pending[0].sentence == s.index - 1 and text.startswith('"') and quoted >= 0.6 * len(text):
            # "The statement said." / "He added:" and the quotation that follows
            p = pending[0]
            out.append(Attribution(sentence=s.index, speaker=p.speaker, cue=p.cue, rules=[*p.rules, "attr.quote-after-cue"],
                                   stance=p.stance, channel=p.channel, via=p.via, date=p.date, region=p.region))
            pending = []
            continue
        pending = [f for f in candidates if f not in found and re.search(r"[.:]\s*$", doc.norm[f.cue.end : s.span.end])
                   and len(doc.norm[f.cue.end : s.span.end].split()) <= 1]
        if found or not out or s.title:
            continue
        prev = out[-1]
        prev_s = doc.sentences[prev.sentence]
        opens = s.index == next((x.index for x in doc.sentences if not x.title and x.paragraph == s.paragraph), -1)
        if prev.sentence == s.index - 1 and (
                (prev_s.paragraph == s.paragraph and (
                    (text.startswith('"') and quoted >= 0.8 * len(text)) or (quoted and prev.rules[0].startswith("cue."))))
                # a paragraph that is all quotation, after a paragraph that ends quoting its speaker: the quote goes on
                or (opens and prev_s.paragraph == s.paragraph - 1 and text.startswith('"') and quoted >= 0.9 * len(text)
                    and any(att._real_quote(q) for q in prev_s.quotes))):
            out.append(Attribution(sentence=s.index, speaker=prev.speaker, cue=prev.cue, rules=["attr.quote-continuation"],
                                   stance=None, channel=prev.channel, via=prev.via, date=prev.date, continuation=True))
    lines = source_lines(doc, att.resolver, {a.sentence for a in out})
    if lines:  # "Source: Governor Lane" after a paragraph
        out = sorted(out + lines, key=lambda a: (a.sentence, a.cue.start))
    date_back(doc, out)
    date_statements(doc, out)
    doc.attributions = headline + out
    doc.actors = list(att.resolver.actors.values())
    return doc
