import pytest


def figs(doc):
    return [(f.figure.measure, f.figure.low, f.figure.high, f.figure.qualifier, f.figure.surface) for f in doc.figures]


@pytest.mark.parametrize("sentence,expected", [
    ("The monitor said more than 200 fighters were killed.", ("killed", 201, None, "more_than", "more than 200")),
    ("The army said over 100 soldiers had been killed.", ("killed", 101, None, "more_than", "over 100")),
    ("He said about 100 people died in the raid.", ("killed", 100, 100, "approximately", "about 100")),
    ("She said at least nine civilians were wounded.", ("wounded", 9, None, "at_least", "at least nine")),
    ("The group said up to six soldiers could have been killed.", ("killed", None, 6, "up_to", "up to six")),
    ("The ministry confirmed several dozen citizens were killed or wounded.", ("killed_or_wounded", 24, None, "vague", "several dozen")),
    ("TV said the raid caused dozens of dead and wounded.", ("killed_or_wounded", 24, None, "vague", "dozens")),
    ("The crash killed all 39 people on board.", ("killed", 39, 39, "exact", "all 39")),
    ("The statement said some 500 militiamen attacked the base.", ("attackers", 500, 500, "approximately", "some 500")),
    ("Between 10 and 20 guards were killed, the police said.", ("killed", 10, 20, "range", "10 and 20")),
    ("The police said no fatalities were reported on their side.", ("killed", 0, 0, "exact", "no fatalities were reported")),
])
def test_figure_bounds_and_qualifiers(run, sentence, expected):
    assert figs(run(sentence, upto="figures")) == [expected]


@pytest.mark.parametrize("sentence", [
    "The toll is five times more than last year.",
    "In 2015 the war entered a new phase and 15-member bodies met.",
    "Two countries met for the second time in seven years.",
    "The five victims were not soldiers, she said.",
])
def test_numbers_that_are_not_casualty_figures(run, sentence):
    assert figs(run(sentence, upto="figures")) == []


def test_inherited_measure_and_group(run):
    doc = run("\u201cThere were 35 soldiers killed, including at least nine foreigners.\u201d The remaining 26 were all local men.",
              upto="figures")
    assert figs(doc) == [("killed", 35, 35, "exact", "35"), ("killed", 9, None, "at_least", "at least nine"),
                         ("killed", 26, 26, "exact", "26")]
    assert [f.figure.group for f in doc.figures][:2] == ["soldiers", "foreigners"]
    assert [f.elliptical for f in doc.figures] == [False, False, False]


def test_elliptical_counts_are_flagged(run):
    doc = run("Four soldiers were killed. Two were advisers who died at once.", upto="figures")
    assert [(f.figure.low, f.elliptical) for f in doc.figures] == [(4, False), (2, True)]


def test_figures_record_their_rules(run):
    doc = run("The monitor said more than 200 fighters were killed.", upto="figures")
    assert doc.figures[0].figure.rule == "measure.killed+qualifier.more-than"


def test_a_count_that_included_parts_breaks_down_its_total(run):
    doc = run("The 30 dead included four guards and two cooks, a port official said.", upto="figures")
    assert [(f.figure.measure, f.figure.low, f.figure.group) for f in doc.figures] == [
        ("killed", 30, None), ("killed", 4, "guards"), ("killed", 2, "cooks")]


def test_of_which_takes_the_measure_of_the_count_before_it(run):
    doc = run("A clinic official said 80 people have died and 140 are wounded, of which 31 are in critical condition.",
              upto="figures")
    assert figs(doc) == [("killed", 80, 80, "exact", "80"), ("wounded", 140, 140, "exact", "140"), ("wounded", 31, 31, "exact", "31")]


def test_counts_after_an_apposed_speakers_statement_continue_it(run):
    doc = run("Jon Bale, spokesperson for the Harbour Clinic, said the toll rose after some of the wounded died of their "
              "injuries. At least 150 injured people are still under treatment, out of whom 10 to 12 are in critical condition.",
              upto="claims")
    assert [(c.claimant.rsplit("/", 1)[-1], [(f.measure, f.low, f.high) for f in c.figures], "claim.statement-continues" in c.rules)
            for c in doc.claims] == [("jon-bale", [("wounded", 150, None), ("wounded", 10, 12)], True)]


def test_a_statement_closed_by_its_speaker_is_not_continued(run):
    doc = run("Two shells hit the depot near the old quay, the harbour master, a former captain, said on Monday. "
              "At least 150 people were wounded.", upto="claims")
    assert [c.claimant.rsplit("/", 1)[-1] for c in doc.claims if c.figures] == ["publisher-of-the-article"]


def test_would_die_is_a_death_count(run):
    doc = run("Over the next three days, dozens more would die in the valley, according to a report by the monitors.",
              upto="figures")
    assert [(f.figure.measure, f.figure.qualifier, f.figure.surface) for f in doc.figures] == [("killed", "vague", "dozens")]


def test_the_number_of_casualties_rising_is_a_count_of_killed_or_wounded(run) -> None:  # type: ignore[no-untyped-def]
    doc = run("The number of casualties in the market blast has risen to 53, the ministry said.", upto="figures")
    assert [(f.figure.measure, f.figure.low, f.figure.high, f.figure.rule) for f in doc.figures] == [
        ("killed_or_wounded", 53, 53, "measure.number-of-casualties+figure.exact")]
