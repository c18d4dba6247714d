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

from ..model import Span
from .doc import Attribution, DateMention, Doc, Sentence, Speaker
from .pipeline import component
from .speakers import SpeakerResolver

__all__ = ["attribution", "MIN_CONTENT_WORDS", "SUBJECT_MAX_WORDS", "DATE_GAP_CHARS"]

#: A statement shorter than this ("I can't tell you") carries no claim.
MIN_CONTENT_WORDS = 5
#: The speaker phrase is at most this many words before the cue.
SUBJECT_MAX_WORDS = 10
#: A date this close after the cue ("said in a statement Thursday") dates the claim.
DATE_GAP_CHARS = 70
_DISCOURSE = re.compile(r"^\s*(?:however|meanwhile|too|also|in turn|for (?:its|his|her|their) part|though|in addition|moreover)\s*$", re.I)
_CONJUNCTION = re.compile(r"^\s*(?:but|and|yet|while)\s*$", re.I)
_FIRST_VERB = re.compile(r"\s(?:did|does|do|has|have|had|is|was|were|are|will|would|could|said|says)\b", re.I)
_ADVERBIAL = re.compile(r"^\s*(?:in|on|at|after|before|during|with|for|since|as|when|while|following|despite|earlier|later|previously)\b", re.I)
_APPOSITIVE = re.compile(r"^\s*(?:(?:a|an|the)\s|who\s|which\s|(?:as\s+)?(?:quoted|cited)\s+by\s|itself\b|himself\b|herself\b|"
                         r"speaking\b|writing\b|citing\b|quoting\b|according\b|asked\b|responding\b|in\s+a\s+statement\b)", re.I)


class _Attributor:
    def __init__(self, doc: Doc) -> None:
        self.doc = doc
        r = doc.resources.rules
        # Cue verbs are matched as written (lower case): "States" in "United States-led" is no cue.
        self.cues = [(re.compile(rf"(?<![\w-])(?:{c.pattern})(?![\w-])"), c) for c in r.cues]
        self.frames = {f.id: re.compile(f.pattern, re.I) for f in r.frames}
        self.channels = [(re.compile(c.pattern, re.I), c) for c in r.channels]
        self.roles = r.alternation("role_nouns")
        self.resolver = SpeakerResolver(doc)

    # -- helpers ------------------------------------------------------------------------------

    def _media(self, speaker: Speaker | None) -> bool:
        if speaker is None or speaker.dictionary_id is None:
            return False
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

    def _claim_date(self, s: Sentence, region: Span | None, cue: Span) -> DateMention | None:
        norm = self.doc.norm
        for d in self.doc.dates_in(s.span):
            if d.precision == "prior" and region is not None and d.span.end <= cue.start and not s.in_quote(d.span.start):
                return d  # "Previously X said": made before the report, on a date the text does not give
            if s.in_quote(d.span.start) or d.begin is None:
                continue
            if region is not None and region.start <= d.span.start and d.span.end <= cue.start:
                return d
            if d.span.start >= cue.end and d.span.start - cue.end <= DATE_GAP_CHARS:
                gap = norm[cue.end : d.span.start]
                if not gap.strip() or re.fullmatch(r"\s*(?:in|at|to|during|on)\s+[^,.;\"]*?\s*", gap):
                    return d
            if region is not None and d.span.start - s.span.start <= 3 and norm[d.span.end : d.span.end + 1] == ",":
                return d
        return None

    # -- speaker slots ------------------------------------------------------------------------

    def _left_region(self, s: Sentence, cue: Span) -> tuple[Span | None, list[str], str | None]:
        """The subject chunk before ``cue``, appositive roles, and a via from "quoted by"."""
        norm = self.doc.norm
        start = s.span.start
        for q in s.quotes:
            if q.end <= cue.start:
                start = max(start, q.end)
        semi = norm.rfind(";", start, cue.start)
        if semi >= 0:
            start = semi + 1
        end = cue.start
        for d in sorted(self.doc.dates_in(Span(start, end)) if end > start else [], key=lambda d: -d.span.end):
            if not norm[d.span.end : end].strip():
                end = d.span.start
        while True:
            tail = re.search(r"\s+(?:itself|himself|herself|themselves|later|also|then)\s*$", norm[start:end])
            if not tail:
                break
            end = start + tail.start()
        chunks = [(m.start() + start, m.end() + start) for m in re.finditer(r"[^,]+", norm[start:end])]
        roles, via = [], None
        while chunks:
            a, b = chunks[-1]
            text = norm[a:b]
            if not text.strip() or _DISCOURSE.match(text):
                chunks.pop()
                continue
            describes = not re.match(r"^\s*(?:a|an|the)\s", text, re.I) or re.search(rf"(?<![\w-])(?:{self.roles})(?![\w-])", text, re.I)
            if len(chunks) > 1 and _APPOSITIVE.match(text) and describes and not _ADVERBIAL.match(norm[chunks[-2][0] : chunks[-2][1]]):
                quoted = re.match(r"^\s*(?:as\s+)?(?:quoted|cited)\s+by\s+(.+)$", text, re.I)
                if quoted:
                    via = self._via_in(Span(a, b))
                else:
                    roles.append(text.strip())
                chunks.pop()
                continue
            break
        if not chunks:
            return None, roles, via
        a, b = chunks[-1]
        if len(chunks) > 1 and _APPOSITIVE.match(norm[chunks[-2][0] : chunks[-2][1]]) and chunks[-2][0] == start:
            # "A spokesman for the Syrian army, Brigadier General Ali Mayhoub, told ...": a role, then the name
            roles.append(norm[chunks[-2][0] : chunks[-2][1]].strip())
        if _CONJUNCTION.match(norm[a:b]):
            # "The statement did not specify ..., but spoke of": the first clause's subject speaks.
            a = s.span.start
            verb = _FIRST_VERB.search(norm[a : cue.start])
            if verb is None:
                return None, roles, via
            b = a + verb.start()
        words = list(re.finditer(r"\S+", norm[a:b]))
        if len(words) > SUBJECT_MAX_WORDS:
            a = a + words[-SUBJECT_MAX_WORDS].start()
        return Span(a, b), roles, via

    def _right_phrase(self, s: Sentence, pos: int) -> tuple[Span, str]:
        norm = self.doc.norm
        m = re.match(r"[^,.;:\"]*", norm[pos : s.span.end])
        end = pos + (m.end() if m else 0)
        rest = norm[end : s.span.end]
        appositive = re.match(r"^,\s*((?:a|an|the)\s[^,.;\"]*)", rest)
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

    def sentence(self, s: Sentence) -> list[Attribution]:
        doc, norm = self.doc, self.doc.norm
        found: list[Attribution] = []
        covered: list[Span] = []

        for fid, rx in self.frames.items():
            for m in rx.finditer(norm, s.span.start, s.span.end):
                if s.in_quote(m.start()):
                    continue
                span = Span(m.start(), m.end())
                rules = [fid]
                if fid == "frame.quoted-by":
                    continue  # handled inside the subject slot
                if fid == "frame.in-what-claimed":
                    actors = [mn for mn in doc.mentions_in(Span(s.span.start, m.start())) if mn.actor]
                    if actors:
                        sp = self.resolver._from_entry(doc.resources.dictionary.actors[actors[0].actor])  # type: ignore[index]
                        found.append(Attribution(sentence=s.index, speaker=sp, cue=span, rules=rules))
                        covered.append(span)
                    continue
                sp_span = Span(m.start("speaker"), m.end("speaker"))
                speaker = self._resolve(sp_span, rules)
                if speaker is None:
                    continue
                via = self._via_in(Span(m.start("via"), m.end("via"))) if "via" in m.groupdict() and m.group("via") else None
                if fid == "frame.according-to":
                    after = norm[sp_span.end : s.span.end]
                    app = re.match(r"^,\s*((?:a|an|the)\s[^,.;\"]*)", after)
                    if app:
                        self._apply_roles(speaker, [app.group(1)])
                found.append(Attribution(sentence=s.index, speaker=speaker, cue=span, rules=rules, via=via, region=sp_span,
                                    channel="media_report" if fid == "frame.quoted-as-saying" and via is None else None))
                covered.append(span)
                self.resolver.spoke(speaker)

        matches = sorted(((m, cue) for rx, cue in self.cues for m in rx.finditer(norm, s.span.start, s.span.end)),
                         key=lambda mc: (mc[0].start(), -len(mc[0].group())))
        for m, cue in matches:
            span = Span(m.start(), m.end())
            if s.in_quote(m.start()) or any(c.overlaps(span) for c in covered):
                continue
            if cue.requires_quote and not any(0 <= q.start - span.end <= 40 for q in s.quotes):
                continue
            rules = [cue.id]
            region, roles, via = self._left_region(s, span)
            speaker = None
            if cue.speaker == "left" and region is not None:
                speaker = self._resolve(region, rules)
                if speaker is not None:
                    self._apply_roles(speaker, roles)
            elif cue.speaker == "right" and region is None and re.search(r"[,\"]\s*$", norm[s.span.start : span.start]):
                phrase, appositive = self._right_phrase(s, span.end)
                speaker = self._resolve(phrase, rules)
                if speaker is not None and appositive:
                    self._apply_roles(speaker, [appositive])
            if speaker is None:
                continue
            if cue.id == "cue.told":
                obj = re.match(r"\s*((?:the\s+)?[\w.'-]+(?:\s+[\w.'-]+){0,3}?)(?=\s+(?:that|by|on|in|after|,)\b|[,.;\"]|$)",
                               norm[span.end : s.span.end])
                if obj:
                    via = via or self._via_in(Span(span.end + obj.start(1), span.end + obj.end(1)))
            found.append(Attribution(sentence=s.index, speaker=speaker, cue=span, rules=rules, stance=cue.stance,
                                     channel=cue.channel, via=via,
                                     date=self._claim_date(s, region, span), region=region))
            covered.append(span)
            self.resolver.spoke(speaker)

        found = self._media_as_via(found)
        return self._merge(found)

    def _media_as_via(self, found: list[Attribution]) -> list[Attribution]:
        """An outlet after another speaker only carried the claim: "..., according to Bloomberg",
        "X denied it, state news agency TASS reported"."""
        out = []
        for f in found:
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


def _content_words(doc: Doc, s: Sentence, f: Attribution) -> int:
    text = doc.norm[s.span.start : s.span.end]
    words = len(re.findall(r"[\w']+", text))
    speaker_words = len(re.findall(r"[\w']+", doc.norm[f.region.start : f.region.end])) if f.region else len(f.speaker.label.split())
    return words - speaker_words - 1


@component("attribution", requires=("sentences", "mentions", "dates", "figures"), assigns=("attributions", "actors"))
def attribution(doc: Doc) -> Doc:
    att = _Attributor(doc)
    out: list[Attribution] = []
    for s in doc.sentences:
        found = [f for f in att.sentence(s) if _content_words(doc, s, f) >= MIN_CONTENT_WORDS]
        channel, channel_rule = att._channel(s)
        for f in found:
            if channel and not f.channel:
                f.channel = channel
                f.rules.append(channel_rule)  # type: ignore[arg-type]
            out.append(f)
        if found or not out:
            continue
        prev = out[-1]
        prev_s = doc.sentences[prev.sentence]
        text = doc.norm[s.span.start : s.span.end].strip()
        quoted = sum(q.end - q.start for q in s.quotes if q.overlaps(s.span))
        if prev_s.paragraph == s.paragraph and prev.sentence == s.index - 1 and (
                (text.startswith('"') and quoted >= 0.8 * len(text)) or (quoted and prev.rules[0].startswith("cue."))):
            out.append(Attribution(sentence=s.index, speaker=prev.speaker, cue=prev.cue, rules=["attr.quote-continuation"],
                                   stance=None, channel=prev.channel, via=prev.via, date=prev.date, continuation=True))
    doc.attributions = out
    doc.actors = list(att.resolver.actors.values())
    return doc
