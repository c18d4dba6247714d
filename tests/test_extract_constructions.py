"""The constructions of issue 12, each on invented sentences: who speaks, through what, when, and which figures.

No sentence here comes from a corpus: each shows one construction news copy uses, in words
of its own, so that a rule that passes is a rule about English news, not about one article.
"""

from __future__ import annotations

import pytest


def who(doc):
    return [a.speaker.label for a in doc.attributions]


def figs(doc):
    return [(f.figure.measure, f.figure.low, f.figure.high) for f in doc.figures]


# -- 1. a document as the source -------------------------------------------------------------

@pytest.mark.parametrize("text,speaker", [
    ("\u201cThe harbour will stay closed until the weekend at least,\u201d a coastguard bulletin asserts.", "coastguard"),
    ("A memo circulated by the water authority lifts the tally to forty-one.", "water authority"),
    ("The Norwegian navy issued a statement on Monday. "
     "\u201cTwo patrol boats were lost in the storm off the cape,\u201d the statement reads.", "Norwegian Navy"),
])
def test_a_document_speaks_for_whoever_issued_it(run, text, speaker):
    assert who(run(text, upto="attribution"))[-1] == speaker


def test_a_memo_lifting_the_tally_carries_the_new_toll(run):
    doc = run("A memo circulated by the water authority lifts the tally to forty-one.", upto="claims")
    assert [(c.figures[0].measure, c.figures[0].low) for c in doc.claims] == [("killed", 41)]


# -- 2. passive agents and nominal reports -------------------------------------------------------

def test_the_agent_of_a_passive_cue_speaks_not_its_subject(run):
    doc = run("The raid on the depot was denied by customs guards at the border post.", upto="attribution")
    assert [(a.speaker.label, a.stance) for a in doc.attributions] == [("customs guards at the border post", "denies")]


def test_a_passive_cue_without_agent_names_no_speaker(run):
    doc = run("The militia has been blamed for the fire that destroyed the market on Sunday.", upto="attribution")
    assert who(doc) == []


def test_there_were_reports(run):
    doc = run("There were reports that sixty villagers drowned when the ferry capsized.", upto="figures")
    assert who(run("There were reports that sixty villagers drowned when the ferry capsized.", upto="attribution")) == ["reports"]
    assert figs(doc) == [("killed", 60, 60)]


# -- 3. the cue lexicon and its periphrases ----------------------------------------------------

@pytest.mark.parametrize("text,speaker", [
    ("The analysts suggested that the convoy had turned back before dawn on the coast road.", "analysts"),
    ("Investigators found that the bridge had been mined days before the blast.", "Investigators"),
    ("Opposition lawmakers allege that ballots were burned in three districts last week.", "Opposition lawmakers"),
    ("Port officials insisted the ferry had passed every inspection this year.", "Port officials"),
    ("The mayor pointed out that the shelters were already full last night.", "unnamed mayor"),
    ("The Peruvian defence ministry would merely allege that the shipment had been lost at sea.", "Peruvian Ministry of Defence"),
    ("Local officials put the death toll at 23 on Tuesday evening after the landslide.", "Local officials"),
    ("The Chilean army issued a statement on Friday, denying that its troops had entered the village.", "Chilean military"),
])
def test_cue_verbs_and_periphrases(run, text, speaker):
    assert who(run(text, upto="attribution")) == [speaker]


def test_went_on_to_say_refers_to_the_last_speaker_of_that_role(run):
    doc = run("Governor Ana Ruiz said the school would reopen next month. "
              "\u201cWe will rebuild every classroom that was lost,\u201d the governor went on to say.", upto="attribution")
    assert who(doc) == ["Ana Ruiz", "Ana Ruiz"]


def test_coordinated_participles_share_their_speaker(run):
    doc = run("The hospital reopened on Monday, with the medical staff confirming that nine patients had died, "
              "and saying that the generators had failed.", upto="claims")
    assert [(c.claimant.rsplit("/", 1)[-1], [f.low for f in c.figures]) for c in doc.claims] == [("medical-staff", [9])]
    assert doc.attributions[0].rules[:2] == ["cue.saying", "attr.participle-with"]


def test_adding_that_keeps_the_speaker_and_the_denial_stance(run):
    doc = run("The navy said the frigate was damaged, adding that two sailors were missing.", upto="claims")
    assert [(c.stance, [(f.measure, f.low) for f in c.figures]) for c in doc.claims] == [("asserts", [("missing", 2)])]
    assert who(run("The navy said the frigate was damaged, adding that two sailors were missing.", upto="attribution")) == ["navy"]


# -- 4. quote punctuation -------------------------------------------------------------------

@pytest.mark.parametrize("text", [
    "\"The levee will hold through the night,'' the engineer said.",
    "\"The levee will hold through the night,\" - the engineer said.",
    "\u201cThe levee will hold through the night,\" the engineer said.",
])
def test_quotation_marks_of_every_kind_close_before_the_speaker(run, text):
    doc = run(text, upto="attribution")
    assert who(doc) == ["unnamed engineer"]


def test_a_quotation_after_the_speaker_continues_the_statement(run):
    doc = run("\u201cThe water is rising fast,\u201d the engineer said. \u201cWe need more sandbags before the night comes.\u201d",
              upto="claims")
    assert len(doc.claims) == 1 and doc.claims[0].span.end == len(doc.text)


# -- 5. the speaker beyond the clause --------------------------------------------------------

def test_a_relative_clause_after_the_name(run):
    doc = run("\u201cWe lost everything in one night,\u201d Amara Quist, whose bakery burned down, explained.", upto="attribution")
    assert who(doc) == ["Amara Quist"]


def test_a_description_named_after_the_quote(run):
    doc = run("\u201cThe ceasefire holds for now,\u201d the head of the monitoring group in the northern valley said.",
              upto="attribution")
    assert who(doc) == ["head of the monitoring group in the northern valley"]


def test_two_speakers_in_one_clause_and_a_capital_for_its_government(run):
    doc = run("Oslo and its partner have rejected this account of the incident at sea.", upto="attribution")
    assert [(a.speaker.label, a.stance) for a in doc.attributions] == [("Government of Norway", "denies")]


def test_an_outlet_quoting_a_ministry(run):
    doc = run("Reuters quoted the Chilean interior ministry as saying that the curfew would end on Sunday.", upto="attribution")
    assert [(a.speaker.label, a.via) for a in doc.attributions] == [
        ("Chilean Ministry of the Interior", "https://w3id.org/conflictkg/id/actor/reuters")]


def test_a_source_nested_in_another_statement(run):
    doc = run("According to the information provided by Ankara, no troops were in the area, "
              "the Russian defence ministry stressed.", upto="attribution")
    assert who(doc) == ["Russian Ministry of Defence"]


def test_per_a_report(run):
    doc = run("Nine fishermen drowned off the coast on Monday, per a wire report.", upto="attribution")
    assert who(doc) == ["wire report"]


# -- 6. antecedents that never spoke ---------------------------------------------------------

def test_the_person_cited_is_the_one_who_writes_on(run):
    doc = run("A wire outlet cited Ilse Varga, a senator, criticising the embargo on the port. "
              "She wrote that the ships should be released without delay.", upto="attribution")
    assert who(doc) == ["Ilse Varga", "Ilse Varga"]


def test_a_described_person_is_not_the_one_named_before(run):
    doc = run("Admiral Lindahl toured the shipyard on Monday. "
              "The inspector of the fleet explained that the hull was sound and ready for sea.", upto="attribution")
    assert who(doc) == ["inspector of the fleet"]


# -- 7. speakers the dictionary lacks ----------------------------------------------------------

@pytest.mark.parametrize("text,speaker,affiliation", [
    ("Niger's army said six soldiers were killed near the border on Sunday.", "Nigerien military", "Government of Niger"),
    ("Turkey's defence ministry said two drones were shot down over the sea.", "Turkish Ministry of Defence", "Government of Turkey"),
    ("Ukraine's General Staff said the bridge had been hit twice overnight.", "General Staff of the Ukrainian Armed Forces",
     "Government of Ukraine"),
    ("The Samara region governor said three families had lost their homes.", "Samara region governor", None),
])
def test_country_institutions_from_the_country_table(run, resources, text, speaker, affiliation):
    doc = run(text, upto="attribution")
    [a] = doc.attributions
    labels = {r.iri: r.label for r in doc.actors} | {e.iri: e.label for e in resources.dictionary.actors.values()}
    assert (a.speaker.label, labels.get(a.speaker.affiliation) if a.speaker.affiliation else None) == (speaker, affiliation)


def test_a_person_introduced_with_a_role(run):
    doc = run("Pavel Orlov, an official with the Russian-appointed administration in Kherson, "
              "said the bridge was closed for repairs.", upto="attribution")
    assert who(doc) == ["Pavel Orlov"]
    assert doc.actors[0].roles == ("official with the Russian-appointed administration in Kherson",)


@pytest.mark.parametrize("text,speaker", [
    ("Danish and Norwegian broadcasters reported that the ferry had sunk near the coast.", "Danish and Norwegian broadcasters"),
    ("Military bloggers said the depot had exploded after the first strike.", "Military bloggers"),
])
def test_collective_speakers(run, text, speaker):
    assert who(run(text, upto="attribution")) == [speaker]


def test_media_have_no_government_side(run):
    doc = run("Russian media reported that the convoy had reached the city before dawn.", upto="attribution")
    assert [(a.speaker.label, a.speaker.affiliation) for a in doc.attributions] == [("Russian media", None)]


def test_the_outlets_own_reporting_belongs_to_the_outlet_by_name(run):
    doc = run("Eleven people were killed when the bridge collapsed.", upto="claims", publisher="Harbour Gazette (print edition)")
    assert [a.label for a in doc.actors if a.iri == doc.claims[0].claimant] == ["Harbour Gazette"]


# -- 8. standfirsts and cut paragraphs --------------------------------------------------------

def test_a_standfirst_and_a_cut_paragraph_are_text(run):
    doc = run("Floods cut the coast road\n\n"
              "On Monday, seven people drowned when the river burst its banks near the port\n\n"
              "The mayor said the road would stay closed for a week at least.\n\n"
              "The regional governor said the army would send boats to the villages that were cut off by", upto="attribution")
    assert [b.kind for b in doc.blocks] == ["title", "body", "body", "body"]
    assert who(doc) == ["unnamed mayor", "regional governor"]


# -- 9. false cues ---------------------------------------------------------------------------

@pytest.mark.parametrize("text", [
    "The raid, as alleged, began at dawn near the old mill on the river.",
    "The minister never explained when the troops would leave the valley.",
])
def test_false_cues(run, text):
    assert who(run(text, upto="attribution")) == []


# -- 10. figures ---------------------------------------------------------------------------------

@pytest.mark.parametrize("text,expected", [
    ("The rebels slew roughly 65 of the guards and hurt 70 more, the army said.",
     [("killed", 65, 65), ("wounded", 70, 70)]),
    ("The army said 41 guards or more were killed in the attack.", [("killed", 41, None)]),
    ("The army said 150-250 fighters were killed in the assault.", [("killed", 150, 250)]),
    ("The army said between 12 and 18 fighters were killed in the assault.", [("killed", 12, 18)]),
    ("The monitor said a few thousand people were wounded in the shelling.", [("wounded", 2000, None)]),
    ("The monitor said a handful of fighters were killed near the bridge.", [("killed", 3, None)]),
    ("The ministry said the toll had risen to 41 by the evening.", [("killed", 41, 41)]),
    ("The agency lifted its count to 57 on Friday.", [("killed", 57, 57)]),
    ("Twenty-two soldiers were killed, including 17 conscripts and 5 officers, the army said.",
     [("killed", 22, 22), ("killed", 17, 17), ("killed", 5, 5)]),
    ("The navy said there were no casualties among the crew.", [("killed_or_wounded", 0, 0)]),
    ("Three fishermen are still missing after the storm, the coastguard said.", [("missing", 3, 3)]),
    ("The rebels captured 12 soldiers near the dam, the army said.", [("captured", 12, 12)]),
    ("The army said 17 quadcopters attacked the base overnight.", [("attackers", 17, 17)]),
    ("Officials said the militia deployed about 300 fighters to the border.", [("attackers", 300, 300)]),
])
def test_figure_constructions(run, text, expected):
    assert figs(run(text, upto="figures")) == expected


@pytest.mark.parametrize("text", [
    "The blast came around 7 p.m. on Monday, the police said, and a 45-year-old guard was hurt.",
    "A cousin of one of the sailors said the crew had been warned twice.",
    "The monitor said it was one of eleven episodes recorded this month.",
    "The army said 17 quadcopters were shot down over the lake.",
    "Two army sources told the agency that the convoy had been ambushed.",
    "The report said six rockets and two drones hit the depot.",
    "The rebels shot one of them down over the valley, the army said.",
])
def test_times_ages_things_and_speakers_are_never_figures(run, text):
    assert [f for f in figs(run(text, upto="figures")) if f[0] != "wounded"] == []


def test_an_age_is_no_figure_but_the_wounded_are(run):
    assert figs(run("The police said a 45-year-old guard and two passers-by were hurt.", upto="figures")) == [("wounded", 2, 2)]


# -- 11. dates ---------------------------------------------------------------------------------

def test_a_dateline_dates_an_undated_article(run):
    doc = run("OSLO, Oct. 12, 2021 (Reuters) - Police said on Tuesday that four climbers were missing.", upto="claims",
              published=None)
    assert (doc.published.isoformat(), doc.article.meta.date_basis.startswith("inferred: dateline")) == ("2021-10-12", True)
    assert [c.date.iso for c in doc.claims] == ["2021-10-12"]


def test_without_any_date_the_claim_stays_undated(run):
    doc = run("Police said that four climbers were missing in the mountains.", upto="claims", published=None)
    assert (doc.published, [c.date for c in doc.claims]) == (None, [None])


def test_the_latest_date_stated_dates_an_undated_article(run):
    doc = run("The talks began on March 3, 2022. The envoy said on Friday that they had failed.", upto="claims", published=None)
    assert doc.published.isoformat() == "2022-03-03"
    assert doc.claims[0].date.iso == "2022-02-25"


def test_a_statements_date_carries_to_its_continuation(run):
    doc = run("The minister said on Monday that the port had reopened to ships. "
              "He also noted that two cranes were damaged beyond repair.", upto="claims", published="2021-06-10")
    assert [(c.date.iso, c.date_stated) for c in doc.claims] == [("2021-06-07", True), ("2021-06-07", True)]


@pytest.mark.parametrize("text,date", [
    ("Also on June 2, the ministry said that the border crossing had been closed.", "2021-06-02"),
    ("The monitor recorded on June 2 that the border crossing had been closed.", "2021-06-02"),
])
def test_dates_of_the_attribution_frame(run, text, date):
    doc = run(text, upto="claims", published="2021-06-10")
    assert [c.date.iso for c in doc.claims] == [date]


# -- 12. stance -------------------------------------------------------------------------------

def test_a_denial_inside_a_relative_clause(run):
    doc = run("The report blamed the harbour fire on a navy patrol, which the navy rejected.", upto="attribution")
    assert [(a.speaker.label, a.stance) for a in doc.attributions][-1] == ("navy", "denies")


def test_figures_called_lies_are_denied(run):
    doc = run("The governor said the figures published by the rebels are lies from start to finish.", upto="claims")
    assert [c.stance for c in doc.claims] == ["denies"]


@pytest.mark.parametrize("text,speakers", [
    ("\u201cThe bill will not pass this year,\u201d said Rep. Jane Roe of Ohio.", ["Jane Roe"]),
    ("\u201cThe budget bill is dead for this year,\u201d said Sen. John Moe and Rep. Jane Roe.", ["John Moe"]),
])
def test_an_abbreviated_title_before_an_inverted_speaker(run, text, speakers):
    assert who(run(text, upto="attribution")) == speakers


@pytest.mark.parametrize("text,speakers", [
    ("McConnell says that the senate will vote on the bill before the recess.", ["McConnell"]),
    ("The president said Tuesday that the border would reopen within a week.", ["unnamed president"]),
    ("According to a recent poll of coastal voters, the mayor leads by nine points.", ["recent poll of coastal voters"]),
    ("Ruiz, 52, a former harbour pilot, said the channel had silted up over the winter.", ["Ruiz"]),
])
def test_speakers_of_political_news(run, text, speakers):
    assert who(run(text, upto="attribution")) == speakers


def test_numbers_in_words_with_multipliers(run):
    assert figs(run("Officials said a hundred thousand people were displaced and two hundred were killed.", upto="figures")) == [
        ("killed", 200, 200)]


def test_an_implied_verb_gives_a_second_speaker(run):
    doc = run("The Chilean army has denied that its patrol crossed the border, as has the Chilean navy.", upto="attribution")
    assert [(a.speaker.label, a.stance) for a in doc.attributions] == [("Chilean military", "denies"), ("Chilean Navy", "denies")]


def test_what_the_monitors_say(run):
    doc = run("According to what the monitors say, eleven villagers were killed in the shelling overnight.", upto="attribution")
    assert who(doc) == ["monitors"]


def test_a_party_and_state_tag_before_the_verb(run):
    doc = run("\u201cThe harbour will reopen when the divers are done,\u201d Senate Majority Leader Ana Ruiz, D-Ore., said. "
              "\u201cThat is the plan we agreed on last night.\u201d", upto="attribution")
    assert who(doc) == ["Ana Ruiz", "Ana Ruiz"]
