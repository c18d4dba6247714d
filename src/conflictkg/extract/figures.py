"""``figures``: numbers that count people (killed, wounded, killed or wounded, attackers).

A number becomes a figure only when a measure word is found near it: after it in the same
clause ("35 pro-government forces killed"), before it ("killing all 39", "a force of about
500"), or inherited from the previous figure ("including at least nine Russians", "the
remaining 26"). Qualifiers ("more than", "about", "up to") set the bounds; vague quantities
("several dozen") take the conventional lower bound of ``data/rules/vague_numbers.jsonl``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..model import Figure, Span
from .doc import Doc, FigureMention, Sentence
from .pipeline import component

__all__ = ["figures", "AGE_MAX", "ANAPHOR_SENTENCES", "MEASURE_WINDOW_WORDS", "GROUP_MAX_WORDS", "AFTER_BEATS_BEFORE_WORDS"]

#: How many words after a number a measure word may stand ("the number of Syrian troops ... killed").
MEASURE_WINDOW_WORDS = 12
#: A measure word this close after the number wins over one before it ("force of about 500 fighters, about 100 of whom were killed").
AFTER_BEATS_BEFORE_WORDS = 4
#: "Four of them ..." refers to a count at most this many sentences before.
ANAPHOR_SENTENCES = 2
#: A number between commas after a name below this is an age ("Ali Reza, 28, was among the dead").
AGE_MAX = 120
#: Longest counted-group phrase kept.
GROUP_MAX_WORDS = 7
#: Measures before a number that name a running total ("the toll rose to 32").
_TOLL_RULES = ("measure.death-toll", "measure.number-of-dead", "measure.number-of-casualties", "measure.count-revised")
_ELLIPTICAL = re.compile(r"^\s+(?:others\s+|more\s+)?(?:were|was|had|have|died|are)\b", re.I)
_MEASURE_WORDS = re.compile(r"\b(?:killed|died|dead|wounded|injured|casualties|deaths|attacked)\b", re.I)
_AUX = re.compile(r"\b(?:were|was|have|has|had|been|being|be|it|they|he|she|said|all|of whom|of them|may|might|could|would|reportedly|probably|presumably|are|is|also|already|later)\b", re.I)


@dataclass
class _Number:
    span: Span
    low: int | None
    high: int | None
    qualifier: str
    rule: str
    value: int


class _Patterns:
    def __init__(self, doc: Doc) -> None:
        r = doc.resources.rules
        self.spaced = _asides_spaced(doc)
        words = r.alternation("number_words")
        tens = "twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety"
        units = "one|two|three|four|five|six|seven|eight|nine"
        self.number = re.compile(rf"(?<![\w.,-])(?:\d{{1,3}}(?:,\d{{3}})+|\d+(?:\.\d+)?\s+(?:thousand|million)|\d+|"
                                 rf"(?:(?:{tens})[- ](?:{units})|{words})(?:\s+(?:thousand|hundred|dozen))?)(?![\w]|-(?!\d))", re.I)
        self.vague = [(re.compile(rf"(?<![\w-])(?:{v.pattern})(?![\w-])", re.I), v) for v in r.vague_numbers]
        self.qualifiers = [(re.compile(rf"(?<!\w)(?<!\w-)(?:{q.pattern})\s+$", re.I), q) for q in r.qualifiers]  # "(Reuters) -At least"
        self.nonfigure_after = [re.compile(rf"^\s*(?:{n.pattern})", re.I) for n in r.nonfigures if n.id != "nonfigure.year"]
        self.year = re.compile(r"^(?:1[89]|20)\d\d$")
        self.after = [(re.compile(rf"(?<![\w-])(?:{m.pattern})(?![\w-])", re.I), m) for m in r.measures if m.position == "after"]
        self.before = [(re.compile(rf"(?<![\w-])(?:{m.pattern})\s+(?:\S+\s+){{0,3}}$", re.I), m) for m in r.measures if m.position == "before"]
        self.zero = [(re.compile(rf"(?<![\w-])(?:{m.pattern})", re.I), m) for m in r.measures if m.position == "zero"]
        self.inherit = [(re.compile(rf"(?<![\w-])(?:{m.pattern})\s+(?:\S+\s+){{0,4}}$", re.I), m) for m in r.measures if m.position == "inherit"]
        self.values = {k.lower(): v for k, v in r.number_values.items()}
        self.nonfigure_before = [re.compile(n.pattern, re.I) for n in r.nonfigures_before]
        things = r.alternation("nonperson_nouns")
        # "six rockets", "two separate shooting incidents": a count of things, whatever verb follows
        persons = r.alternation("person_nouns")
        stop = rf"(?:in|of|at|on|from|by|and|or|with|to|who|were|was|are|had|have|the|a|an|its|their|his|her|during|after|before|" \
               rf"near|over|since|when|while|as|inside|across|{persons})"
        self.things = re.compile(rf"^\s+(?:(?!{stop}\b)[\w'-]+\s+){{0,3}}?(?:{things})\b", re.I)
        self.persons = re.compile(rf"(?<![\w-])(?:{persons})(?![\w-])", re.I)
        self.forces = re.compile(rf"(?<![\w-])(?:{r.alternation('force_nouns')}|[A-Z][a-z]?-\d+s)(?![\w-])")
        self.persons_only = {m.id for m in r.measures if m.persons_only}
        # "hundreds of thousands displaced", "30 people were arrested": counted, but not as casualties
        self.other_counts = re.compile(r"^\s+(?:(?!killed|wounded|injured|dead|died|hurt|and|or)[\w'-]+\s+){0,4}?(?:(?:were|have\s+been|had\s+been|was|are)\s+)?(?:displaced|evacuated|rescued|"
                                       r"arrested|detained|freed|released|fled|homeless|relocated|resettled|employed|enrolled|vaccinated|"
                                       r"treated|hospitali[sz]ed|moved|living|live|lived|registered|returned)\b", re.I)
        # "two army sources told", "a lawmaker and two local residents said": a count of speakers
        self.speakers = re.compile(rf"^\s+(?:(?!the\s)[\w'-]+\s+){{0,3}}?(?:{r.alternation('source_heads')})\s+(?:have\s+|has\s+|had\s+)?(?:\w+ly\s+)?(?:said|say|says|told|tell|reported|confirmed|claimed|put|puts|gave|estimated|stated|added|announced|declared|noted|insisted|denied|described|called|warned|wrote)\b", re.I)
        self.range = re.compile(r"^\s*(?:to|-|and)\s*(\d+)\b")


#: Qualifiers that are verbs ("exceeded", "topped"): a lower bound, but the word is the measure's verb, not the figure's.
_VERB_QUALIFIER = re.compile(r"(?:exceed|surpass|top)\w*\s*$", re.I)
_MULTIPLIERS = {"dozen": 12, "hundred": 100, "thousand": 1000, "million": 1_000_000}  # "two dozen" is 24


def _value(p: _Patterns, token: str) -> int | None:
    """The number a token writes: "41", "1,200", "twenty-two", "2 thousand", "a hundred thousand"; None if unknown."""
    token = " ".join(token.lower().replace(",", "").split())
    compound = re.fullmatch(r"(\w+)[- ](one|two|three|four|five|six|seven|eight|nine)((?:\s+(?:thousand|hundred))?)", token)
    if compound and compound.group(1) in p.values and p.values[compound.group(1)] % 10 == 0 and p.values[compound.group(1)] >= 20:
        token = str(p.values[compound.group(1)] + p.values[compound.group(2)]) + compound.group(3)  # "twenty-two" -> 22
    if token.isdigit():
        return int(token)
    if token in p.values:
        return p.values[token]
    base, _, unit = token.rpartition(" ")
    if unit in _MULTIPLIERS and base:  # "2 thousand", "two hundred", "1.5 million", "a hundred thousand"
        value = float(base) if re.fullmatch(r"\d+(?:\.\d+)?", base) else _value(p, base)
        return int(round(value * _MULTIPLIERS[unit])) if value is not None else None
    return None


def _numbers(p: _Patterns, doc: Doc, s: Sentence) -> list[_Number]:
    norm, out = p.spaced, []
    taken: list[Span] = [d.span for d in doc.dates_in(s.span)]
    for rx, v in p.vague:
        for m in rx.finditer(norm, s.span.start, s.span.end):
            span = Span(m.start(), m.end())
            if not any(span.overlaps(t) for t in taken):
                out.append(_Number(span, v.low, v.high, "vague", v.id, v.low))
                taken.append(span)
    for m in p.number.finditer(norm, s.span.start, s.span.end):
        span = Span(m.start(), m.end())
        if any(span.overlaps(t) for t in taken) or p.year.match(m.group()):
            continue
        after = norm[m.end() : s.span.end]
        if any(rx.match(after) for rx in p.nonfigure_after) or p.things.match(after) or p.speakers.match(after) or p.other_counts.match(after):
            continue
        if any(rx.search(norm[s.span.start : m.start()]) for rx in p.nonfigure_before):
            continue
        if re.search(r"\b[A-Z][\w'-]+,\s*$", norm[s.span.start : m.start()]) and re.match(r"\s*,", after) and m.group().isdigit() \
                and int(m.group()) < AGE_MAX:
            continue  # "Ali Reza, 28, was among those killed": an age
        if m.group().lower() == "both" and re.match(r"^\s+(?:[\w'-]+\s+){1,2}(?:and|or)\s", after):
            continue  # "both serious and minor injuries": a coordination, not a count
        if m.group().lower() == "one" and re.match(r"^\s+of\b", after) and re.search(
                r"\b(?:of|to|for|with|from|about)\s+$", norm[s.span.start : m.start()]):
            continue  # "a cousin of one of the sailors": one person, not a count
        value = _value(p, m.group())
        if value is None:
            continue
        before = norm[s.span.start : m.start()]
        qualifier, rule, low, high = "exact", "figure.exact", value, value
        for rx, q in p.qualifiers:
            qm = rx.search(before)
            if qm and q.qualifier == "up_to" and re.search(r"(?:gone|went|goes|go|going|risen|rose|rises|climbed|jumped|revised|brought|moved)\s+$",
                                                           before[: qm.start()], re.I):
                continue  # "has gone up to 89": a new total, not an upper bound
            if qm:
                qualifier, rule = q.qualifier, q.id
                if not _VERB_QUALIFIER.match(qm.group()):  # "has exceeded 14,000": the verb stays with the toll before it
                    span = Span(s.span.start + qm.start(), span.end)
                break
        open_ended = re.match(r"^\s+(?:[\w'-]+\s+){0,3}?or\s+(more|so)\b|^\s+at\s+(least)\b", after, re.I)
        if open_ended and qualifier == "exact":  # "41 guards or more", "20 or so"
            qualifier, rule = ("at_least", "qualifier.or-more") if (open_ended.group(1) or "").lower() == "more" \
                else ("at_least", "qualifier.at-least-after") if open_ended.group(2) else ("approximately", "qualifier.or-so")
        rng = p.range.match(after)
        if rng and (qualifier == "exact" or re.search(r"between\s+$", before, re.I)):
            high_v = int(rng.group(1))
            if high_v > value:
                qualifier, rule, low, high = "range", "figure.range", value, high_v
                span = Span(span.start, m.end() + rng.end())
        if qualifier == "more_than":
            low, high = value + 1, None
        elif qualifier == "at_least":
            low, high = value, None
        elif qualifier == "up_to":
            low, high = None, value
        elif qualifier == "less_than":
            low, high = None, max(value - 1, 0)
        out.append(_Number(span, low, high, qualifier, rule, value))
        taken.append(span)
    return sorted(out, key=lambda n: n.span)


def _measure_after(p: _Patterns, doc: Doc, n: _Number, s: Sentence, next_start: int,
                   coordinated: bool = False) -> tuple[str, str, str] | None:
    """The measure word after the number; with ``coordinated`` (a measure verb stands before it) the
    window stops at "and": "slew 65 of the guards and hurt 70 more"."""
    end = min(s.span.end, next_start)
    # an em dash between words sets off an aside ("13 others injured—five critically"): no compound
    window = p.spaced[n.span.end : end]
    stop = re.search(r"[;:]|\bbut\b|\balthough\b|\bwhile\b" + (r"|\s(?:and|or)\s" if coordinated else ""), window)
    if stop:
        window = window[: stop.start()]
    words = list(re.finditer(r"\S+", window))[:MEASURE_WINDOW_WORDS]
    if not words:
        return None
    window = window[: words[-1].end()]
    best = None
    for rx, m in p.after:
        mm = rx.search(window)
        if mm and (best is None or (mm.start(), -len(mm.group())) < (best[0].start(), -len(best[0].group()))):
            best = (mm, m)
    if best is None:
        return None
    mm, rule = best
    return rule.measure, rule.id, _group(window[: mm.start()])


def _asides_spaced(doc: Doc) -> str:
    """``doc.norm`` with each em dash a space: "13 others injured\u2014five critically" sets off an aside,
    not a compound word (same length: offsets stay offsets into the text)."""
    if "\u2014" not in doc.text:
        return doc.norm
    return "".join(" " if t == "\u2014" else c for t, c in zip(doc.text, doc.norm))


def _group(text: str) -> str:
    """The counted group: the noun phrase next to the number, without auxiliaries or clauses."""
    text = re.split(r"[,;:(\[]|\s-\s|\s(?:to|in|on|at|by|from|after|during|who|which|that|as|near|since|when|while|with|under|for|included|includes)\s",
                    " " + text + " ", maxsplit=1)[0]
    text = _AUX.sub(" ", text)
    text = _MEASURE_WORDS.sub(" ", text)
    words = [w.strip("\"'\u201c\u201d.") for w in text.split()]
    words = [w for w in words if w and w != "-"]
    while words and words[0].lower() in ("of", "the", "those", "whom", "them", "and", "or"):
        words = words[1:]
    while words and words[-1].lower() in ("and", "or", "of", "the"):
        words = words[:-1]
    return " ".join(words[:GROUP_MAX_WORDS])


@component("figures", requires=("sentences", "dates"), assigns=("figures",))
def figures(doc: Doc) -> Doc:
    p = _Patterns(doc)
    out: list[FigureMention] = []
    last_measure: dict[int, str] = {}
    for s in doc.sentences:
        for rx, rule in p.zero:
            for m in rx.finditer(doc.norm, s.span.start, s.span.end):
                span = Span(m.start(), m.end())
                side = re.match(r"\s+(?:on|among|in|for)\s+(?:the\s+)?([\w' -]+?)(?:\s+and\b|[,.;\"]|$)", doc.norm[span.end : s.span.end])
                out.append(FigureMention(Figure(measure=rule.measure, low=0, high=0, qualifier="exact",
                                                surface=doc.text[span.start:span.end], span=span,
                                                group=side.group(1) if side else None, rule=rule.id), s.index))
        numbers = _numbers(p, doc, s)
        for i, n in enumerate(numbers):
            next_start = numbers[i + 1].span.start if i + 1 < len(numbers) else s.span.end
            before = p.spaced[s.span.start : n.span.start]
            measure = rule_id = None
            span = n.span
            group = ""
            closest = -1
            for rx, rule in p.before:  # the measure word nearest the number: "killed 5 and injured 12"
                bm = rx.search(before)
                if bm and bm.start() > closest:
                    closest, measure, rule_id = bm.start(), rule.measure, rule.id
            after = _measure_after(p, doc, n, s, next_start, coordinated=measure is not None)
            if after is not None:
                group = after[2]
                # "the death toll has climbed to 32, taking the toll of injured to 147": a toll verb right before
                # the number keeps it unless the measure word follows the number at once ("rose to 32 dead")
                beats = 1 if rule_id in _TOLL_RULES else AFTER_BEATS_BEFORE_WORDS
                if measure is None or len(group.split()) <= beats:
                    measure, rule_id = after[0], after[1]
            part = re.match(r"\s+of\s+(?:them|those|whom|the\s+(?:dead|victims|killed|injured|wounded))\b((?:\s+[\w'-]+){0,4})",
                            doc.norm[n.span.end : s.span.end], re.I)
            if measure is None and part and p.persons.search(part.group(1)):
                prev = [f for f in out if s.index - ANAPHOR_SENTENCES <= f.sentence <= s.index]
                if prev:  # "Four of them are children, an official said": part of the count just given
                    measure, rule_id = prev[-1].figure.measure, "measure.part-of-count"
            if measure is None:
                for rx, rule in p.inherit:
                    if rx.search(before):
                        opens = len(before.split()) <= 3  # "Among them were ...": the sentence elaborates the one before
                        prev = [f for f in out if f.sentence == s.index or (opens and f.sentence == s.index - 1)]
                        if prev:
                            measure, rule_id = prev[-1].figure.measure, rule.id
                        break
            if measure is None:
                continue
            if not group:
                group = _group(re.split(r"[.,;:!?]", doc.norm[n.span.end : min(next_start, s.span.end)])[0])
            elliptical = bool(_ELLIPTICAL.match(doc.norm[n.span.end : n.span.end + 20])) and not re.search(r"remaining\s+$", before, re.I)
            more = re.fullmatch(r"(?:more|others|other|others\s+more)", group or "", re.I)
            if more and out and out[-1].sentence == s.index and out[-1].figure.group and p.persons.search(out[-1].figure.group):
                group = out[-1].figure.group  # "killed 203 fighters and arrested 51 more": more of the same people
            if rule_id in p.persons_only and not elliptical and not (
                    p.persons.search(group or "") or (measure == "attackers" and p.forces.search(group or ""))):
                continue  # "shot one of them down", "deployed 17 systems": no people counted
            if measure != "attackers" and p.forces.search(group or "") and not p.persons.search(group or ""):
                continue  # "two drones were shot down": no casualties
            out.append(FigureMention(Figure(
                measure=measure, low=n.low, high=n.high, qualifier=n.qualifier,
                surface=doc.text[span.start : span.end], span=span, group=group or None,
                rule=f"{rule_id}+{n.rule}"), s.index, elliptical))
            last_measure[s.index] = measure
    doc.figures = out
    return doc
