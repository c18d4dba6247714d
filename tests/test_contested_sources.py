"""When two claimants are one source (issue 14): the organisation a speaker speaks for, on invented sentences.

A revision is one source changing its figure; a contradiction is two sources disagreeing. These
tests hold the speaker rules that tell them apart: a headline's bare ministry, a person speaking in
a statement an organisation released, the bodies and offices of a party that is no country.
"""

from __future__ import annotations

import pytest

from conflictkg.extract.parties import party_name
from conflictkg.extract.speakers import SpeakerResolver


def behalf(doc):
    """(claimant label, label of whom it speaks for) per claim."""
    labels = {a.iri: a.label for a in doc.actors}
    entries = doc.resources.dictionary

    def name(iri):
        if iri is None:
            return None
        entry = entries.actor_by_iri(iri)
        return entry.label if entry is not None else labels.get(iri, iri.rsplit("/", 1)[-1])

    return [(name(c.claimant), name(c.on_behalf_of)) for c in doc.claims]


# -- a headline's bare institution ------------------------------------------------------------------

def test_a_headline_ministry_belongs_to_the_country_the_article_is_about(run):
    text = ("Toll in Barrack Strike Rises to 40, Says Defense Ministry\n\n"
            "Chad's losses in the strike on the barracks near the lake have risen, Chadian officials said. "
            "Nigerian forces were not involved, a Chadian army officer said on Tuesday.\n")
    doc = run(text, upto="claims", title="Toll in Barrack Strike Rises to 40, Says Defense Ministry")
    assert behalf(doc)[0] == ("Chadian Ministry of Defence", "Government of Chad")


# -- a statement an organisation released -------------------------------------------------------------

def test_a_person_speaking_in_a_statement_a_ministry_released_speaks_for_it(run):
    doc = run("The barracks toll rose to 40, Colonel Ivo Marek said in a video statement released by the Chadian "
              "defence ministry on Tuesday. Marek said the fire had spread to the depot.", upto="claims")
    assert behalf(doc) == [("Ivo Marek", "Chadian Ministry of Defence"), ("Ivo Marek", "Chadian Ministry of Defence")]


def test_whom_a_person_speaks_for_holds_for_their_earlier_claims_too(run):
    doc = run("Ivo Marek said the fire had spread to the depot. The toll rose to 40, Marek said in a statement "
              "issued by the Chadian defence ministry.", upto="claims")
    assert behalf(doc) == [("Ivo Marek", "Chadian Ministry of Defence"), ("Ivo Marek", "Chadian Ministry of Defence")]


def test_footage_an_outlet_aired_makes_no_one_its_spokesman(run):
    doc = run("The toll rose to 40, Ivo Marek said in a video released by Reuters on Tuesday.", upto="claims")
    assert behalf(doc) == [("Ivo Marek", None)]


def test_speaking_on_behalf_of_a_body(run):
    doc = run("Ana Lenz, speaking on behalf of the Lake Farmers Union, said 12 herders were killed.", upto="claims")
    assert behalf(doc) == [("Ana Lenz", "Lake Farmers Union")]


# -- a party that is no country ---------------------------------------------------------------------------

@pytest.mark.parametrize("text,party", [
    ("the Ministry of Health of the al-Zorvan government", "Zorvan"),
    ("the Zorvani-run health ministry", "Zorvani"),
    ("the health ministry held by the Zorvans", "Zorvan"),
    ("Zorvan health minister", "Zorvan"),
    ("Coalition spokesman", None),
    ("Senior health minister", None),
    ("the Syrian government", None),
    ("Military officials", None),
])
def test_the_party_a_body_or_an_office_names(run, text, party):
    resolver = SpeakerResolver(run("A quiet day.", upto="mentions"))
    assert party_name(resolver, text) == party


def test_a_partys_minister_and_its_ministry_are_one_source(run):
    doc = run("The Ministry of Health of the al-Zorvan government said 43 people were killed in the market strike. "
              "On Friday, Zorvan health minister Rafi Oda put the toll at 51.", upto="claims")
    (first, first_party), (second, second_party) = behalf(doc)
    assert (first, second) == ("Ministry of Health of the al-Zorvan government", "Rafi Oda")
    assert first_party == second_party == "Zorvan"
    party = {a.label: a for a in doc.actors}["Zorvan"]
    assert party.iri.endswith("/actor/party/zorvan") and party.rule == "actor.party-from-text"
