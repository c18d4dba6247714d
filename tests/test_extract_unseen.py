"""Constructions found on unseen news (issue 12, second round), each on invented sentences.

Every sentence here is made up for the test: a rule that passes is a rule about how news
copy attributes, counts and dates, not about any one article.
"""

from __future__ import annotations

import pytest


def who(doc):
    return [a.speaker.label for a in doc.attributions]


def claims(doc):
    """(claimant label or IRI tail, [(measure, low, high)]) per claim."""
    labels = {a.iri: a.label for a in doc.actors}
    return [(labels.get(c.claimant, c.claimant.rsplit("/", 1)[-1]), [(f.measure, f.low, f.high) for f in c.figures])
            for c in doc.claims]


def figs(doc):
    return [(f.figure.measure, f.figure.low, f.figure.high) for f in doc.figures]


# -- the cue lexicon -----------------------------------------------------------------------------

@pytest.mark.parametrize("text,speaker,stance", [
    ("The Rivermen accuse the army of shelling the ferry landing on purpose.", "Rivermen", "accuses"),
    ("The villagers deny that any fighters slept in the school that night.", "villagers", "denies"),
    ("Nearby clinics indicate that they cannot treat the many injured.", "Nearby clinics", None),
    ("The regional aid coordinator, Edda Lorn, called the raid the worst attack on farmers this year.", "Edda Lorn", None),
])
def test_base_forms_and_naming_verbs_are_cues(run, text, speaker, stance):
    doc = run(text, upto="attribution")
    assert [(a.speaker.label, a.stance) for a in doc.attributions] == [(speaker, stance)]


@pytest.mark.parametrize("text", [
    "The ministry refused to confirm that the convoy had been hit near the bridge.",
    "The farmer called the police the next morning to report the stolen cattle.",
    "Local media reports that came out on Friday said the dam had held overnight.",
])
def test_what_only_looks_like_a_cue_is_none(run, text):
    assert "ministry" not in " ".join(who(run(text, upto="attribution")))
    assert all(not w.lower().startswith(("local media reports that", "the farmer")) for w in who(run(text, upto="attribution")))


def test_the_present_tense_reports_attributes_its_figures(run):
    doc = run("The water ministry reports 82 dead and 266 injured in the flood camps.", upto="claims")
    assert claims(doc) == [("water ministry", [("killed", 82, 82), ("wounded", 266, 266)])]


@pytest.mark.parametrize("text", [
    "Reports have it that a number of fishermen are still unaccounted for.",
    "Reports came in that the navy had shelled a jail near the harbour.",
])
def test_reports_as_the_source_of_a_that_clause(run, text):
    assert who(run(text, upto="attribution")) == ["Reports"]


def test_quoted_as_saying_without_an_agent(run):
    doc = run("An unnamed member of the charity was quoted as saying in a statement, "
              "\u201cI live next to the dam and my house was shaking all night.\u201d", upto="attribution")
    assert who(doc) == ["unnamed member of the charity"]


def test_a_company_speaks(run):
    doc = run("The national bus company said two shells hit the depot, killing 12 people.", upto="claims")
    assert claims(doc) == [("national bus company", [("killed", 12, 12)])]


# -- figures -------------------------------------------------------------------------------------

@pytest.mark.parametrize("text,expected", [
    ("The death toll from last Monday's huge car bombing in the northern port city of Dorn has risen to 208, "
     "the minister says.", [("killed", 208, 208)]),
    ("The monitors first counted 10 dead, before revising the number of deaths upwards to 14.",
     [("killed", 10, 10), ("killed", 14, 14)]),
    ("Residents said 43 corpses were buried on Sunday.", [("killed", 43, 43)]),
    ("Villagers buried 31 people in two graves on Monday.", [("killed", 31, 31)]),
    ("The raid left 90 wounded with both serious and minor injuries.", [("wounded", 90, 90)]),
    ("On one side they may be killed by hunger, on the other by the gunmen.", []),
])
def test_figure_constructions(run, text, expected):
    assert figs(run(text, upto="figures")) == expected
