"""Attribution on invented sentences: every pattern the rules name, and the back-references."""

import pytest


def who(doc):
    return [(a.speaker.label, a.rules[0]) for a in doc.attributions]


@pytest.mark.parametrize("sentence,speaker,rule", [
    ("The Syrian Observatory for Human Rights said twelve fighters died near the dam.", "Syrian Observatory for Human Rights", "cue.said"),
    ("\u201cThe road is closed to all traffic now,\u201d said Rami Abdel Rahman.", "Rami Abdel Rahman", "cue.inverted"),
    ("Twelve fighters died near the dam, according to the Observatory.", "Syrian Observatory for Human Rights", "frame.according-to"),
    ("Agence France-Presse quoted Jim Mattis as saying that the base was never in danger.", "Jim Mattis", "frame.quoted-as-saying"),
    ("Russia\u2019s military denied that its aircraft had bombed the hospital.", "Russian Ministry of Defence", "cue.denied"),
    ("The Pentagon confirmed that two of its drones were lost over the desert.", "US Department of Defense", "cue.confirmed"),
    ("Moscow has accused the coalition of shelling the road to the city.", "Government of Russia", "cue.accused"),
])
def test_attribution_patterns(run, sentence, speaker, rule):
    doc = run(sentence, upto="attribution")
    assert who(doc) == [(speaker, rule)]


def test_unnamed_sources_are_scoped_actors(run):
    doc = run("A Syrian military source told AFP that the army had retaken the hills near the river. "
              "\u201cThe enemy is retreating towards the east now,\u201d said the source.", upto="attribution")
    assert [(a.speaker.label, a.via) for a in doc.attributions] == [
        ("Syrian military source", "https://w3id.org/conflictkg/id/actor/afp"),
        ("Syrian military source", None)]
    assert [(a.label, a.types, a.scoped_to_article) for a in doc.actors] == [
        ("Syrian military source", ("UnnamedSource",), True)]


def test_person_from_text_with_role_and_back_reference(run):
    doc = run("\u201cWe will hold the line whatever happens,\u201d Major Ivan Petrenko, a regional commander, said in a statement. "
              "Later Petrenko said the convoy had left the city before dawn.", upto="attribution")
    assert [(a.speaker.label, a.channel) for a in doc.attributions] == [("Ivan Petrenko", "statement"), ("Ivan Petrenko", None)]
    person = doc.actors[0]
    assert (person.label, person.types, person.roles) == ("Ivan Petrenko", ("Person",), ("Major", "regional commander"))


def test_pronouns_and_definite_heads_refer_back(run):
    doc = run("Maria Zakharova said the talks would resume in the spring. "
              "\u201cNothing has been decided yet about the venue,\u201d the spokeswoman noted. "
              "She said the delegation list was not yet final.", upto="attribution")
    assert [a.speaker.label for a in doc.attributions] == ["Maria Zakharova"] * 3
    assert [a.rules[1] for a in doc.attributions] == ["speaker.dictionary-person", "speaker.definite-back-reference", "speaker.pronoun"]


def test_generic_head_resolves_to_country_in_focus(run):
    doc = run("The Syrian government condemned the raid on the village. "
              "In a letter to the United Nations, the foreign ministry said the raid was a crime.", upto="attribution")
    assert [(a.speaker.label, a.channel) for a in doc.attributions] == [
        ("Government of Syria", None), ("Syrian Ministry of Foreign Affairs", "letter")]


def test_quote_continuation_joins_the_statement(run):
    doc = run("\u201cThe attack was repelled quickly,\u201d the Pentagon said. \u201cNo soldiers were hurt in the exchange.\u201d",
              upto="attribution")
    assert [(a.speaker.label, a.continuation) for a in doc.attributions] == [
        ("US Department of Defense", False), ("US Department of Defense", True)]


def test_outlet_is_via_not_speaker(run):
    doc = run("Jim Mattis called the incident \u201cperplexing\u201d and gave no details, according to Bloomberg.", upto="attribution")
    assert [(a.speaker.label, a.via) for a in doc.attributions] == [
        ("Jim Mattis", "https://w3id.org/conflictkg/id/actor/bloomberg")]


@pytest.mark.parametrize("sentence", [
    "\u201cI can't tell you\u201d, he said.",                      # too short to carry a claim
    "The attack reported near the town was the worst this year.",  # participle, not a speech act
    "Officials generally refuse to give details of the volunteers.",
    "The United States-led coalition flew more sorties this week.",
])
def test_non_attributions(run, sentence):
    assert run(sentence, upto="attribution").attributions == []


def test_claim_dates_come_from_the_attribution_clause(run):
    doc = run("The ministry of defense said in a statement Thursday that the base was hit. "
              "The Syrian army said yesterday it had killed at least 30 militants. "
              "The monitor said the fighting began on February 7 in the east.", upto="attribution", published="2018-02-16")
    assert [str(a.date.begin) if a.date else None for a in doc.attributions] == ["2018-02-15", "2018-02-15", None]


def test_outlet_reporting_another_speaker_is_via(run):
    doc = run("Russia's defence ministry denied its jets had struck the market, state news agency TASS reported.",
              upto="attribution")
    assert [(a.speaker.label, a.via) for a in doc.attributions] == [
        ("Russian Ministry of Defence", "https://w3id.org/conflictkg/id/actor/tass")]


def test_role_before_a_name_is_a_person(run):
    doc = run("Coalition spokesman Hamid Qasri said in a statement that the raid would be investigated.", upto="attribution")
    assert [a.speaker.label for a in doc.attributions] == ["Hamid Qasri"]
    assert doc.actors[0].roles == ("Coalition spokesman",)


def test_toll_put_by_a_named_outlet(run):
    doc = run("Rebel-run Valley TV put the death toll at 23 and said 45 others were injured.", upto="claims")
    assert [(c.claimant.rsplit("/", 1)[1], [(f.measure, f.low) for f in c.figures]) for c in doc.claims] == [
        ("rebel-run-valley-tv", [("killed", 23), ("wounded", 45)])]


@pytest.mark.parametrize("sentence,label,rule", [
    ("Shelling killed 12 people in Douma on Monday, rescuers said.", "rescuers", "speaker.unnamed-source"),
    ("A senior US official, speaking on condition of anonymity, said the convoy had been hit twice.", "senior US official",
     "speaker.unnamed-source"),
    ("A member of the White Helmets told AFP that the building had collapsed on the families.",
     "member of Syria Civil Defence (White Helmets)", "speaker.unnamed-source"),
    ("Russia's foreign ministry spokeswoman said the reports were fabricated by rebels.", "Maria Zakharova",
     "speaker.role-of-organisation"),
])
def test_described_speakers(run, sentence, label, rule):
    doc = run(sentence, upto="attribution")
    assert [(a.speaker.label, a.rules[1]) for a in doc.attributions] == [(label, rule)]


def test_social_media_channel(run):
    doc = run("Iran's foreign ministry said in a tweet that the reports were a pretext for war.", upto="attribution")
    assert [(a.speaker.label, a.channel) for a in doc.attributions] == [("Iranian Ministry of Foreign Affairs", "social_media")]


@pytest.mark.parametrize("text, speaker", [
    ("Five people, including the mayor, were killed, police said.", "police"),
    ("Twelve civilians, most of them children, died, a local official said.", "a local official"),
    ("The convoy, which carried aid, was hit, officials said.", "officials"),
])
def test_after_a_subject_its_aside_and_its_predicate_the_last_chunk_speaks(run, text, speaker) -> None:  # type: ignore[no-untyped-def]
    doc = run(text, upto="attribution")
    assert [doc.norm[a.region.start : a.region.end].strip() if a.region else None for a in doc.attributions] == [speaker]
