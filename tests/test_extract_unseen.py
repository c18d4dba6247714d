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
    ("Nearby clinics indicate that their supplies will run out by Friday.", "Nearby clinics", None),
    ("The regional aid coordinator, Edda Lorn, called the flood the worst disaster in a decade.", "Edda Lorn", None),
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
    doc = run("The water ministry reports 14 dead and 37 injured in the flood camps.", upto="claims")
    assert claims(doc) == [("water ministry", [("killed", 14, 14), ("wounded", 37, 37)])]


@pytest.mark.parametrize("text", [
    "Reports have it that two ferries sank near the cape overnight.",
    "Reports came in that the old dam had burst upstream.",
])
def test_reports_as_the_source_of_a_that_clause(run, text):
    assert who(run(text, upto="attribution")) == ["Reports"]


def test_quoted_as_saying_without_an_agent(run):
    doc = run("An unnamed volunteer of the charity was quoted as saying in a statement, "
              "\u201cThe water reached the second floor within an hour.\u201d", upto="attribution")
    assert who(doc) == ["unnamed volunteer of the charity"]


def test_a_company_speaks(run):
    doc = run("The national bus company said two shells hit the depot, killing 12 people.", upto="claims")
    assert claims(doc) == [("national bus company", [("killed", 12, 12)])]


# -- figures -------------------------------------------------------------------------------------

@pytest.mark.parametrize("text,expected", [
    ("The toll from last month's twin landslides in the hill villages north of the old town of Dorn has risen to 208, "
     "the minister says.", [("killed", 208, 208)]),
    ("The monitors first counted 10 dead, then raised the number of deaths to 14 by noon.",
     [("killed", 10, 10), ("killed", 14, 14)]),
    ("Residents said 17 corpses were buried on Sunday.", [("killed", 17, 17)]),
    ("Villagers buried 31 people in two graves on Monday.", [("killed", 31, 31)]),
    ("The crash left 12 hurt with both light and severe burns.", [("wounded", 12, 12)]),
    ("On one side they may be killed by hunger, on the other by the gunmen.", []),
])
def test_figure_constructions(run, text, expected):
    assert figs(run(text, upto="figures")) == expected


# -- speakers the text introduced before ------------------------------------------------------------

def test_a_pronoun_after_a_subject_who_never_spoke(run):
    doc = run("Ivo Kell, a former mayor, faced a fraud trial last year. Kell moved to the coast in June after the verdict. "
              "He had denied the charges and said the money was a family loan.", upto="attribution")
    assert [(a.speaker.label, a.stance) for a in doc.attributions] == [("Kell", "denies")]


def test_an_adverb_opening_a_sentence_is_no_subject(run):
    doc = run("The envoy said the rumours about the convoy were false. Often, rival clans spread such tales. "
              "He stressed that no witness had come forward.", upto="attribution")
    assert who(doc) == ["unnamed envoy", "unnamed envoy"]


@pytest.mark.parametrize("pronoun", ["he added", "she warned"])
def test_he_or_she_after_an_unnamed_source(run, pronoun):
    doc = run("A medical source at the Hill clinic said 20 patients had arrived there overnight. "
              f"\u201cThere are no stretchers or bandages left in the wards,\u201d {pronoun}.", upto="attribution")
    assert who(doc) == ["medical source at the Hill clinic"] * 2


@pytest.mark.parametrize("text,speaker", [
    ("The ambush was claimed by the militant group Al-Foo. Although the group says it strikes only soldiers, "
     "it has mined roads before.", "Al-Foo"),
    ("The NGO Doctors Abroad said the clinic was hit twice. The NGO also said that its staff had fled the town.", "Doctors Abroad"),
    ("UN aid chief Ana Lorn said she was shocked by the state of the camps. "
     "The global body called for an independent inquiry into the shelling.", "United Nations"),
])
def test_a_class_noun_refers_back_to_the_body_it_named(run, text, speaker):
    assert who(run(text, upto="attribution"))[-1] == speaker


def test_a_bare_role_refers_back_to_the_person_introduced_with_it(run):
    doc = run("The Lake State governor, Dr. Ama Obi Tessa, toured the flooded market on Sunday. "
              "Tessa, while meeting traders, urged calm for the sake of every family in the town. "
              "The governor while speaking to reporters said: \u201cIt is painful that a dozen shops burned to the ground.\u201d",
              upto="attribution")
    assert who(doc) == ["Tessa", "Tessa"]


def test_a_definite_phrase_with_other_modifiers_is_another_body(run):
    doc = run("Forty people drowned in the flood, a village elders' council said. "
              "The water \u201cswept away the market of Tam\u201d at dawn, said a statement from the district relief council.",
              upto="attribution")
    assert who(doc) == ["village elders' council", "district relief council"]


def test_a_surname_spelled_another_way_is_the_same_person(run):
    doc = run("Governor Pavel Kostyrenko said two rockets hit the depot near the river. "
              "\u201cThe shelling was aimed at the ticket hall on purpose,\u201d wrote Kastirenko.", upto="attribution")
    assert who(doc) == ["Pavel Kostyrenko", "Pavel Kostyrenko"]


# -- passive claims, late and inverted speakers ---------------------------------------------------------

def test_a_passive_claim_of_responsibility_and_the_monitor_that_reported_it(run):
    doc = run("The ambush was claimed by the Northern Front in a post on its website, according to the Lakeside monitoring group.",
              upto="attribution")
    assert [(a.speaker.label, a.stance) for a in doc.attributions] == [
        ("Northern Front", "claims_responsibility"), ("Lakeside monitoring group", None)]


def test_a_short_call_is_a_claim(run):
    assert who(run("The UN calls for an immediate ceasefire.", upto="attribution")) == ["United Nations"]


def test_a_source_confirming_to_an_outlet_speaks_through_it(run):
    doc = run("A nurse at the Hill clinic, 30 miles north, confirmed to Reuters news agency that the ward had taken in 90 wounded.",
              upto="claims")
    assert [(a.speaker.label, a.via) for a in doc.attributions] == [
        ("nurse at the Hill clinic", "https://w3id.org/conflictkg/id/actor/reuters")]


def test_a_late_speaker_with_another_appositive(run):
    doc = run("Ten people died in the flood on Saturday, the Valley Medics Union, another volunteer group, "
              "said on Sunday evening.", upto="claims")
    assert [(a.speaker.label, str(a.date.begin)) for a in doc.attributions] == [("Valley Medics Union", "2018-02-11")]


def test_a_long_inverted_speaker_and_no_place_for_a_speaker(run):
    doc = run("Eleven pupils were among the victims of the fire in Lune Region, "
              "said a firefighter at the site and an official of the Lune council.", upto="attribution")
    assert who(doc) == ["unnamed firefighter"]


@pytest.mark.parametrize("text", [
    "Gunmen \u201cburned the market of Tam\u201d before dawn on Saturday, said early Sunday the Local Defence Committee.",
    "Gunmen \u201cburned the market of Tam\u201d before dawn on Saturday, said a Sunday statement from the local defence committee.",
])
def test_the_statement_date_beside_an_inverted_speaker(run, text):
    doc = run(text, upto="attribution")
    assert [(a.speaker.label, str(a.date.begin)) for a in doc.attributions] == [
        (doc.attributions[0].speaker.label, "2018-02-11")]
    assert doc.attributions[0].speaker.label.lower() == "local defence committee"


def test_the_subject_of_a_clause_after_a_subordinator(run):
    doc = run("The charity's appeal comes after the Eastern coalition denied that its jets had flown over the camp.",
              upto="attribution")
    assert [(a.speaker.label, a.stance) for a in doc.attributions] == [("Eastern coalition", "denies")]


# -- junk speakers ------------------------------------------------------------------------------------

def test_a_proper_named_government_is_not_the_state(run):
    doc = run("Peru's Andean Renewal Government, a shadow cabinet of exiled lawmakers, posted a table on Friday "
              "listing 41 deaths.", upto="attribution")
    assert [(a.speaker.label, a.speaker.kind) for a in doc.attributions] == [("Peru's Andean Renewal Government", "organisation")]


def test_an_al_surname_is_a_name(run):
    doc = run("\u201cThe wells were poisoned on purpose by the retreating troops,\u201d Eastern water minister al-Harazi told "
              "the AP news agency.", upto="attribution")
    assert who(doc) == ["al-Harazi"]


def test_a_capital_dateline_sets_the_country_not_a_section_label(run):
    doc = run("Brazil Reuters Mar 3, 2019 08:10 GMT\n\n"
              "Nairobi: The toll from the market fire has risen to 17, the health ministry said on Tuesday.",
              upto="attribution")
    assert who(doc) == ["Kenyan Ministry of Health"]


def test_a_colon_dateline_is_no_part_of_the_subject(run):
    doc = run("Lima : The Peruvian military has confirmed a night raid on a river port in the east of the country.",
              upto="attribution")
    assert who(doc) == ["Peruvian military"]


def test_with_a_country_calling_for(run):
    doc = run("The flooding of the camps stirred anger abroad, with the United Kingdom calling for an emergency aid meeting.",
              upto="attribution")
    assert [(a.speaker.label, a.speaker.country) for a in doc.attributions] == [("Government of United Kingdom", "gbr")]


def test_the_country_in_focus_is_the_one_named_most(run):
    doc = run("Peru's army said rebels attacked the post near the border on Monday night. The Peruvian police later closed the road. "
              "The raid drew outrage abroad, with Spain calling for restraint by all the parties in the north. "
              "The junta admitted on Wednesday that its helicopters had fired on the boats.", upto="attribution")
    assert doc.attributions[-1].speaker.label == "Peruvian military"


def test_a_one_word_name_no_one_bears_as_a_surname_is_a_body(run):
    doc = run("Hamas said in a statement that the raid killed 9 members of one family.", upto="claims")
    assert [(a.speaker.label, a.speaker.kind) for a in doc.attributions] == [("Hamas", "organisation")]
    assert claims(doc) == [("Hamas", [("killed", 9, 9)])]


@pytest.mark.parametrize("text,stance", [("The army denied the report.", "denies"), ("Russia denied involvement.", "denies")])
def test_short_denials_are_claims(run, text, stance):
    assert [a.stance for a in run(text, upto="attribution").attributions] == [stance]


def test_no_one_claims_responsibility(run):
    assert who(run("No group has claimed responsibility for the bombing.", upto="attribution")) == []


def test_an_acronym_names_a_body(run):
    doc = run("On March 2, the ARC reported that 31 people drowned in the flood near the village.", upto="attribution")
    assert [(a.speaker.label, a.speaker.kind) for a in doc.attributions] == [("ARC", "organisation")]


@pytest.mark.parametrize("text,expected", [
    ("According to Kell, the bandits killed at least 12 during Friday's raid on the herders.", [("killed", 12, None)]),
    ("The toll had reached 77 by Friday.", [("killed", 77, 77)]),
    ("The toll from the blast hit 40 overnight.", [("killed", 40, 40)]),
])
def test_a_count_without_a_noun_and_a_toll_that_reached(run, text, expected):
    assert figs(run(text, upto="figures")) == expected


def test_an_outlet_citing_sources_carries_their_claim(run):
    doc = run("The toll in the ferry fire has risen to 19, Reuters reports, citing port and hospital sources.", upto="claims")
    assert [(a.speaker.label, a.via) for a in doc.attributions] == [
        ("port and hospital sources", "https://w3id.org/conflictkg/id/actor/reuters")]


def test_by_a_date_then_the_government_of_the_country_in_focus(run):
    doc = run("A Kenyan panel said the toll from the floods in the capital was now 96 people. "
              "By Oct. 20, the government said the toll had reached 58.", upto="attribution")
    assert [(a.speaker.label, str(a.date.begin) if a.date else None) for a in doc.attributions] == [
        ("Kenyan panel", None), ("Government of Kenya", "2017-10-20")]


# -- which statement a figure belongs to ------------------------------------------------------------------

def test_a_figure_sentence_continues_the_statement_before_it(run):
    doc = run("Governor Ana Ruiz said that two shells had hit the depot near the river. 14 people were killed and 30 were hurt.",
              upto="claims")
    assert claims(doc) == [("Ana Ruiz", [("killed", 14, 14), ("wounded", 30, 30)])]


def test_others_continue_a_closed_statement(run):
    doc = run("The toll in the ferry fire has risen to 19, Reuters reports, citing port and hospital sources. "
              "More than 30 others were hurt.", upto="claims")
    assert claims(doc) == [("port and hospital sources", [("killed", 19, 19), ("wounded", 31, None)])]


def test_a_figure_sentence_after_a_closed_statement_is_the_outlets(run):
    doc = run("The road was closed, the governor said on Monday. 14 people were killed in the blast.", upto="claims")
    assert [c[0] for c in claims(doc)][-1] == "publisher of the article"


def test_two_voices_set_side_by_side_keep_their_own_figures(run):
    doc = run("On March 2, the ARC reported that 31 people drowned in the flood, however, villagers claim that 40 people died.",
              upto="claims")
    assert claims(doc) == [("ARC", [("killed", 31, 31)]), ("villagers", [("killed", 40, 40)])]


def test_a_part_of_the_count_just_given(run):
    doc = run("A rescue worker said at least 9 people had drowned near the pier. "
              "Two of them were nurses, a hospital official said.", upto="figures")
    assert figs(doc) == [("killed", 9, None), ("killed", 2, 2)]


@pytest.mark.parametrize("text,expected", [
    ("Nadia Osei, 34, was among the passengers who drowned.", []),
    ("The mayor said 15 herders were slaughtered near the wells.", [("killed", 15, 15)]),
    ("Three of them were intercepted near the coast, the navy said.", []),
])
def test_ages_and_slaughter(run, text, expected):
    assert figs(run(text, upto="figures")) == expected


# -- breadth of attribution ---------------------------------------------------------------------------------

@pytest.mark.parametrize("text,speaker", [
    ("''The bridge was never the target of our gunners,'' Colonel Ivo Brandt told CNN.", "Ivo Brandt"),
    ("On Dec. 15, the task force announced an agreement for tougher monitoring of the border.", "unnamed task force"),
    ("Ruiz left the hall shortly after her office said the new shelter would open on Monday.", "her office"),
    ("\"The dam was inspected twice this year by the engineers!\" Bill Hardy replied.", "Bill Hardy"),
    ("\"The northern front has been quiet for a week now,\" wrote Time magazine.", "Time magazine"),
])
def test_breadth_of_attribution(run, text, speaker):
    assert who(run(text, upto="attribution")) == [speaker]


def test_never_responded_is_no_cue(run):
    assert who(run("The ferry captain was hailed three times over the radio and never responded.", upto="attribution")) == []


@pytest.mark.parametrize("text,speaker", [
    ("Some critics of the dam project said that the canals would dry up the delta.",
     "Some critics of the dam project"),
    ("The port authority's chief engineer says two barges sank near the main quay overnight.", None),
    ("Besides, the grain in the silos, which was bought years ago, is now sold as a fresh harvest, said Ivo Brandt.", "Ivo Brandt"),
    ("Ana Ruiz, the director of a clinic in the valley where the floods struck, said the toll stood at 12.",
     "Ana Ruiz"),
])
def test_described_speakers_and_inverted_names_after_clauses(run, text, speaker):
    got = who(run(text, upto="attribution"))
    assert len(got) == 1 and (speaker is None or got == [speaker])


def test_a_thing_is_never_a_described_speaker(run):
    assert who(run("The raid on the market, the worst in years, said little about the rebels' plans.", upto="attribution")) == []


@pytest.mark.parametrize("text,speaker", [
    ("Leila, a teacher and a mother of two, was also on the ferry, her brother said.", "her brother"),
    ("A trading firm accused of smuggling arms may have bribed the guards at the port.", None),
    ("Lakeside registered voters were polled by the university in the spring.", None),
    ("Both sides broke previous pledges about the ceasefire lines.", None),
    ("The inspectors listed the names of 40 workers who had left the mine.", "inspectors"),
])
def test_subjects_after_clauses_and_verbs_that_are_nouns(run, text, speaker):
    assert who(run(text, upto="attribution")) == ([speaker] if speaker else [])


def test_informing_someone_without_content_is_no_claim(run):
    doc = run("The guard said the convoy had stopped at the bridge for hours, while a porter ran off and informed police on Tuesday.",
              upto="attribution")
    assert who(doc) == ["unnamed guard"]


# -- dates ---------------------------------------------------------------------------------------------------

def test_a_later_sentence_dates_the_statement(run):
    doc = run("Abu Kell, the leader of the gang, said the police had lied about the number of herders killed. "
              "According to Kell, the bandits killed at least 12 during the raid on the herders. "
              "Kell made these remarks in an audio message on Tuesday.", upto="attribution")
    assert [str(a.date.begin) for a in doc.attributions] == ["2018-02-13"] * 3


def test_the_day_a_war_began_is_no_publication_date(run):
    doc = run("The flood left at least 9 people dead, a relief council said on Sunday.\n"
              "The war in the region began on May 3, 2021 between the army and the militia.", upto="dates", published=None)
    assert doc.published is None


# -- attribution lines -----------------------------------------------------------------------------------------

def test_a_dash_after_the_quotation_names_the_speaker(run):
    doc = run("Governor Ana Lane said the depot was hit twice on Monday night.\n\n"
              "\u201cThe shelling was aimed at the ticket hall on purpose and at nothing else,\" - Head of the Lake "
              "District Council Lane.", upto="attribution")
    assert [(a.speaker.label, a.rules[0]) for a in doc.attributions] == [("Ana Lane", "cue.said"), ("Ana Lane", "attr.dash-speaker")]


def test_a_source_line_attributes_the_paragraph_before_it(run):
    doc = run("Governor Ana Lane said the depot was hit twice on Monday night.\n\n"
              "Casualties: 7 people dead and 19 people hurt, the figures are still being checked\n\n"
              "Source: Head of the Lake District Council, Ana Lane.", upto="claims")
    assert claims(doc) == [("Ana Lane", []), ("Ana Lane", [("killed", 7, 7), ("wounded", 19, 19)])]


def test_the_noun_a_who_clause_hangs_on_speaks(run):
    doc = run("The Lake coalition announced this after sharp criticism of the plan by UN envoy Ana Lorn, "
              "who warned that forced returns break international law.", upto="attribution")
    assert [a.speaker.label.split()[-2:] for a in doc.attributions] == [["Lake", "coalition"], ["Ana", "Lorn"]]


def test_this_organization_after_a_quotation(run):
    doc = run("The flood left 28 people dead, two rights groups said. The toll includes 12 children, the Valley Medics Union, "
              "another group, said on Sunday evening. \u201cSeveral wells in the district are now poisoned and unsafe,\u201d "
              "added this organization, urging help.", upto="attribution")
    assert who(doc) == ["rights groups", "Valley Medics Union", "Valley Medics Union"]


def test_a_national_society_is_not_the_international_body(run):
    doc = run("The strike killed 14 people, including six children, according to the Palestinian Red Crescent.", upto="attribution")
    assert [(a.speaker.label, a.speaker.kind) for a in doc.attributions] == [("Palestinian Red Crescent", "organisation")]


@pytest.mark.parametrize("text,expected", [
    ("The spokesman told reporters in the capital that 50 militants had been eliminated.", [("killed", 50, 50)]),
    ("The raid killed 9 members of one family.", [("killed", 9, 9)]),
])
def test_eliminated_and_one_family(run, text, expected):
    assert figs(run(text, upto="figures")) == expected


def test_while_sets_two_voices_side_by_side(run):
    doc = run("Local officials put the death toll at 40, while rebels said more than 100 had died.", upto="claims")
    assert claims(doc) == [("Local officials", [("killed", 40, 40)]), ("rebels", [("killed", 101, None)])]


def test_a_late_speaker_after_a_clause_that_opens_with_its_verb(run):
    doc = run("Four civilians, including a child, died in the shelling, regional governor Oleg Sinov wrote on Telegram.",
              upto="claims")
    assert claims(doc) == [("Oleg Sinov", [("killed", 4, 4)])]


@pytest.mark.parametrize("text,expected", [
    ("The bodies of 23 migrants were recovered from the sea, the coast guard said.", [("killed", 23, 23)]),
    ("Among the dead were three journalists, the union said.", [("killed", 3, 3)]),
])
def test_bodies_of_and_among_the_dead(run, text, expected):
    assert figs(run(text, upto="figures")) == expected


@pytest.mark.parametrize("text,speaker", [
    ("''The river will crest on Friday at the old bridge,'' said Peter Orlo, the director.", "Peter Orlo"),
    ("\u201cThe levees will not hold another week of rain,\u201d said Rep. Jim Clay (D-S.C.), a member of the flood panel.",
     "Jim Clay"),
    ("\u201cThe levees will not hold another week of rain,\u201d said one camp volunteer.", "camp volunteer"),
    ("\u201cThe levees will not hold another week of rain,\u201d said House Speaker Paul Rand in a statement.", "Paul Rand"),
])
def test_inverted_speakers_with_doubled_quotes_parentheses_and_media(run, text, speaker):
    assert who(run(text, upto="attribution")) == [speaker]


@pytest.mark.parametrize("text,speaker", [
    ("\"October brought a change of mood in all the provinces,\" said former army adviser Davit Axel.", "Davit Axel"),
    ("\u201cIt is going to be hard to rebuild the bridge quickly,\u201d said a longtime engineer who has worked on the dam.",
     "longtime engineer"),
])
def test_inverted_speakers_with_a_lower_case_role_or_a_relative_clause(run, text, speaker):
    assert who(run(text, upto="attribution")) == [speaker]
