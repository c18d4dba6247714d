"""Back-references a speaker slot makes to people and bodies the text introduced before.

:class:`~conflictkg.extract.speakers.SpeakerResolver` asks these when its own history of
speakers has no fitting antecedent:

* a pronoun after a sentence whose subject is a person who has not spoken ("X fled abroad in
  May. He had denied the charges."): :func:`subject_person`;
* a bare role ("the governor") naming a person the text introduced with that role without
  quoting them ("Governor of the state, Professor A B C, was at ..."): :func:`role_holder`;
* a class noun ("the group", "the NGO", "the global body") naming the body the text introduced
  with that noun ("militant group Al-Foo", "the NGO Doctors Abroad"), or the last such body
  it mentions: :func:`named_by_head`, :func:`last_body`;
* a surname spelled another way ("Kirilenko" after "Kyrylenko"): :func:`same_surname`.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from ..model import Span
from .doc import Speaker

if TYPE_CHECKING:  # pragma: no cover
    from .speakers import SpeakerResolver

__all__ = ["subject_person", "role_holder", "named_by_head", "last_body", "same_surname", "BODY_HEADS",
           "SURNAME_MIN_LENGTH", "SURNAME_MAX_EDITS", "SUBJECT_LOOKBACK_SENTENCES"]

#: Surnames at least this long may differ by :data:`SURNAME_MAX_EDITS` letters and still be one person
#: (transliterations: "Kyrylenko" / "Kirilenko").
SURNAME_MIN_LENGTH = 7
SURNAME_MAX_EDITS = 2
#: A pronoun looks this many sentences back (same paragraph or the one before) for a subject.
SUBJECT_LOOKBACK_SENTENCES = 2
#: Class nouns that refer back to a body: "the group", "this organization", "the global body".
BODY_HEADS = {"group": ("ArmedGroup", "Monitor"), "militia": ("ArmedGroup",), "movement": ("ArmedGroup",),
              "ngo": ("InternationalOrganisation", "Monitor"), "charity": ("InternationalOrganisation",),
              "organisation": ("InternationalOrganisation", "Monitor"), "organization": ("InternationalOrganisation", "Monitor"),
              "body": ("InternationalOrganisation",), "agency": ("InternationalOrganisation",),
              "committee": ("InternationalOrganisation", "Monitor")}
_NAME = r"(?:[A-Z][\w'\u2019-]*|al-[A-Z][\w'-]*|el-[A-Z][\w'-]*|de|du|des|sans|of|the|for)"
_NAMED = rf"[A-Z][\w'\u2019-]*(?:\s+{_NAME})*(?<!\sthe)(?<!\sof)(?<!\sfor)"


def _edits(a: str, b: str) -> int:
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        prev = cur
    return prev[-1]


def same_surname(a: str, b: str) -> bool:
    """Whether two long surnames are one name spelled two ways: same first letter, few edits."""
    a, b = a.lower(), b.lower()
    if a == b:
        return True
    return (min(len(a), len(b)) >= SURNAME_MIN_LENGTH and a[0] == b[0] and abs(len(a) - len(b)) <= SURNAME_MAX_EDITS
            and _edits(a, b) <= SURNAME_MAX_EDITS)


def subject_person(resolver: SpeakerResolver, span: Span) -> Speaker | None:
    """The person named as the subject of a recent sentence, when no one has spoken since:
    "X fled abroad in May. He had denied the charges." -> X."""
    doc = resolver.doc
    here = next((s for s in doc.sentences if s.span.start <= span.start < s.span.end and not s.title), None)
    if here is None:
        return None
    last_person_at = max((at for sp, at in zip(resolver.history, resolver.history_at, strict=False) if sp.person), default=-1)
    for s in reversed(doc.sentences[max(0, here.index - SUBJECT_LOOKBACK_SENTENCES) : here.index]):
        if s.title or s.paragraph < here.paragraph - 1 or s.span.end <= last_person_at:
            break
        text = doc.norm[s.span.start : s.span.end]
        lead = re.match(r"(?:(?:But|And|Then|Later|Earlier|Meanwhile|However),?\s+)?", text)
        start = lead.end() if lead else 0
        m = re.match(rf"({_NAMED})(?=\s+(?:[a-z]+ed|had|has|was|is|fled|left|met|went|came|took|made|said|told|became|returned)\b)",
                     text[start:])
        not_names = {r.pattern for r in doc.resources.rules.not_names}
        if m is None or m.group(1).split()[0] in not_names or m.group(1).endswith("ly"):
            continue
        name_span = Span(s.span.start + start, s.span.start + start + len(m.group(1)))
        sp = resolver.person_named(m.group(1), name_span)
        if sp is not None:
            return sp
    return None


def role_holder(resolver: SpeakerResolver, head: str, span: Span) -> Speaker | None:
    """"the governor" -> the person the text introduced with that role ("Governor of the state,
    Professor A B C, was ...", "the state governor A B C"), when that person has spoken or is named
    as one the resolver knows."""
    doc = resolver.doc
    text = doc.norm[: span.start]
    for m in reversed(list(re.finditer(rf"(?i:\b{re.escape(head)}\b)", text))):
        window = re.split(r"[;:\"]", text[m.end() : m.end() + 80], maxsplit=1)[0]
        for name in re.findall(r"[A-Z][\w'-]+(?:\s+[A-Z][\w'-]+)*", window):
            surname = name.split()[-1]
            for sp in reversed(resolver.history):
                if sp.person and same_surname(sp.label.split()[-1], surname):
                    return sp
    return None


def named_by_head(resolver: SpeakerResolver, head: str, span: Span) -> Speaker | None:
    """"the group" after "militant group Al-Foo" or "the Al-Foo group"; "the NGO" after "the NGO
    Doctors Abroad (DA)": the body named beside that noun earlier in the text."""
    doc = resolver.doc
    text = doc.norm[: span.start]
    found: list[tuple[int, int]] = []
    for m in re.finditer(rf"(?i:\b{re.escape(head)})\s+({_NAMED})", text):
        found.append((m.start(1), m.end(1)))
    for m in re.finditer(rf"\b(?:[Tt]he|[Aa]n?)\s+({_NAMED})\s+(?i:{re.escape(head)})\b", text):
        found.append((m.start(1), m.end(1)))
    for start, end in sorted(found, reverse=True):
        rules: list[str] = []
        sp = resolver.named_body(Span(start, end), rules)
        if sp is not None:
            return sp
    return None


def last_body(resolver: SpeakerResolver, head: str, span: Span) -> Speaker | None:
    """"the global body", "this organization": the last body of a fitting kind that spoke or that
    the text mentions before."""
    doc = resolver.doc
    dictionary = doc.resources.dictionary
    types = BODY_HEADS.get(head.lower(), ())
    for sp in reversed(resolver.history):
        entry = dictionary.actors.get(sp.dictionary_id or "")
        if (entry is not None and entry.type in types) or (entry is None and sp.kind == "organisation"):
            return sp
    for mn in reversed([m for m in doc.mentions if m.actor and m.span.end <= span.start]):
        entry = dictionary.actors[mn.actor]  # type: ignore[index]
        if entry.type in types:
            return resolver.speaker_of(entry)
    return None
