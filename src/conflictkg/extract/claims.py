"""``claims``: one claim per speaker and statement, with its figures, hedges, stance and date.

A statement's evidence is its sentence, extended over the quotations that continue it.
A sentence that states casualty figures with no attribution is the outlet's own reporting:
its claimant is the article's publisher (or, when unknown, "publisher of the article").
"""

from __future__ import annotations

import re

from ..model import CERTAINTIES, ActorRecord, Claim, PartialDate, Span
from ..namespaces import CKGID, slug
from .doc import Attribution, Doc, Speaker
from .pipeline import component
from .statements import continues, contrasted, owner

__all__ = ["claims", "OUTLET_LABEL"]

OUTLET_LABEL = "publisher of the article"


def outlet_name(doc: Doc) -> str | None:
    """The outlet's name: the metadata's publisher without its remarks ("Associated Press (via X)" ->
    "Associated Press"), else the host of the page's address ("www.politico.eu" -> "politico.eu")."""
    name = re.sub(r"\s*[(\[].*$", "", doc.article.meta.publisher or "").strip(" ,;-")
    if name:
        return name
    host = re.match(r"^[a-z]+://(?:www\.)?([^/:?#]+)", doc.article.meta.url or "", re.I)
    return host.group(1).lower() if host else None


def _publisher(doc: Doc) -> str | None:
    """The outlet's actor: the dictionary's when it knows the name, else one named as the outlet is."""
    name = outlet_name(doc)
    if not name:
        return None
    for candidate in (doc.article.meta.publisher or "", name):
        actor, _ = doc.resources.dictionary.lookup(candidate)
        if actor:
            return doc.resources.dictionary.actors[actor].iri
    iri = str(CKGID[f"actor/outlet/{slug(name)}"])
    if not any(a.iri == iri for a in doc.actors):
        evidence = doc.title_span or next((b.span for b in doc.blocks if b.kind == "body"), None)
        if evidence is None:
            return None
        doc.actors.append(ActorRecord(iri=iri, label=name, types=("MediaOutlet",), evidence=evidence,
                                      rule="actor.article-outlet-named"))
    return iri


def _outlet(doc: Doc) -> str:
    publisher = doc.publisher or _publisher(doc)
    if publisher:
        return publisher
    iri = str(CKGID[f"actor/unnamed/{doc.article.key}/publisher-of-the-article"])
    if not any(a.iri == iri for a in doc.actors):
        evidence = doc.title_span or next(b.span for b in doc.blocks if b.kind == "body")
        doc.actors.append(ActorRecord(iri=iri, label=OUTLET_LABEL, types=("UnnamedSource",), evidence=evidence,
                                      scoped_to_article=True, rule="actor.article-outlet"))
    return iri


def _hedges_and_stance(doc: Doc, span: Span, speaker_types: set[str]) -> tuple[list[str], str, str | None]:
    rules = doc.resources.rules
    text = doc.norm[span.start : span.end]
    hedges, certainty = [], "certain"
    for h in rules.hedges:
        for m in re.finditer(h.pattern, text, re.I):
            hedges.append(doc.text[span.start + m.start() : span.start + m.end()])
            if CERTAINTIES.index(h.certainty) > CERTAINTIES.index(certainty):  # the weakest hedge wins
                certainty = h.certainty
    stance = None
    for st in rules.stances:
        if st.perpetrator_only and "ArmedGroup" not in speaker_types:
            continue
        if re.search(st.pattern, text, re.I):
            stance = st.stance
            break
    return sorted(set(hedges), key=lambda h: text.lower().find(h.lower())), certainty, stance


def _claim_for(doc: Doc, att: Attribution) -> Claim:
    s = doc.sentences[att.sentence]
    pub = doc.published
    if att.date is not None and att.date.precision == "prior":
        date, stated = None, False
    elif att.date is not None and att.date.begin is not None and (pub is None or att.date.begin.first_day <= pub):
        date, stated = att.date.begin, True
    elif pub is not None:
        date, stated = PartialDate.of(pub), False
    elif doc.published_month is not None and (att.date is None or att.date.begin is None):
        date, stated = doc.published_month, False
    elif doc.published_month is not None and att.date is not None and att.date.begin is not None:
        date, stated = att.date.begin, True
    else:
        date, stated = None, False
    date_rules = [att.date.rule, *([att.date.basis] if att.date.basis else [])] if stated and att.date is not None else []
    return Claim(
        claimant=att.speaker.iri, span=s.span, on_behalf_of=att.speaker.affiliation if att.speaker.affiliation != att.speaker.iri else None,
        date=date, date_stated=stated, stance=att.stance or "asserts", channel=att.channel,
        reported_via=att.via if att.via != att.speaker.iri else None, rules=[*att.rules, *date_rules],
    )


@component("claims", requires=("attributions", "figures", "actors"), assigns=("claims",))
def claims(doc: Doc) -> Doc:
    dictionary = doc.resources.dictionary
    doc.publisher = _publisher(doc)
    out: list[Claim] = []
    sentences_of: list[list[int]] = []
    atts_of: list[Attribution | None] = []
    by_sentence_speaker: dict[tuple[int, str], int] = {}
    for att in doc.attributions:
        if att.continuation and out:
            target = next((i for i in range(len(out) - 1, -1, -1) if out[i].claimant == att.speaker.iri), None)
            if target is not None:
                out[target].span = out[target].span.union(doc.sentences[att.sentence].span)
                out[target].rules += [r for r in att.rules if r not in out[target].rules]
                sentences_of[target].append(att.sentence)
                continue
        key = (att.sentence, att.speaker.iri)
        if key in by_sentence_speaker:
            continue
        by_sentence_speaker[key] = len(out)
        out.append(_claim_for(doc, att))
        sentences_of.append([att.sentence])
        atts_of.append(att)

    attributed = {a.sentence for a in doc.attributions}
    for f in doc.figures:
        if f.sentence in attributed or any(f.sentence in ss for ss in sentences_of) or doc.sentences[f.sentence].title:
            continue  # a headline restates the text
        prev = next((i for i in range(len(out) - 1, -1, -1) if atts_of[i] is not None and continues(doc, atts_of[i], f.sentence)), None)
        if prev is not None:  # "X said two shells hit the depot. 14 people were killed.": X's statement goes on
            out[prev].span = out[prev].span.union(doc.sentences[f.sentence].span)
            out[prev].rules.append("claim.statement-continues")
            sentences_of[prev].append(f.sentence)
            continue
        if f.elliptical:
            continue  # an elliptical count ("Two were ...") elaborates a count already attributed
        claim = _claim_for(doc, Attribution(sentence=f.sentence, speaker=_outlet_speaker(doc), cue=f.figure.span,
                                            rules=["claim.outlet-own-reporting"], channel="media_report"))
        claim.date, claim.date_stated = (PartialDate.of(doc.published), False) if doc.published else (doc.published_month, False)
        out.append(claim)
        sentences_of.append([f.sentence])
        atts_of.append(None)
        attributed.add(f.sentence)

    # two voices in one sentence each keep their own figures
    voices: dict[int, list[Attribution]] = {}
    for att in atts_of:
        if att is not None and not att.continuation:
            voices.setdefault(att.sentence, []).append(att)
    owned = {id(f): owner(f, voices[f.sentence]) for f in doc.figures
             if len(voices.get(f.sentence, ())) > 1 and contrasted(doc, voices[f.sentence])}

    # whom a person the text introduced speaks for, learnt anywhere in the article, holds for all their claims
    learnt = {a.iri: a.affiliated_with[0] for a in doc.actors if a.affiliated_with}
    for claim, sents, att in zip(out, sentences_of, atts_of, strict=True):
        if claim.on_behalf_of is None and learnt.get(claim.claimant, claim.claimant) != claim.claimant:
            claim.on_behalf_of = learnt[claim.claimant]
        types = set()
        entry = dictionary.actor_by_iri(claim.claimant)
        if entry is not None:
            types.add(entry.type)
        claim.figures = [f.figure for f in doc.figures if f.sentence in sents and (id(f) not in owned or owned[id(f)] is att)]
        claim.hedges, claim.certainty, content_stance = _hedges_and_stance(doc, claim.span, types)
        if claim.stance == "asserts" and content_stance:
            claim.stance = content_stance
    doc.claims = out
    return doc


def _outlet_speaker(doc: Doc) -> Speaker:
    iri = _outlet(doc)
    return Speaker(iri=iri, label=OUTLET_LABEL, kind="outlet")
