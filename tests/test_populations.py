"""Who a figure counts: population rules (invented phrases), how populations relate, and the
``populations`` component on invented articles."""

from __future__ import annotations

import datetime as dt

import pytest
from fixtures_validation import ontology_graph
from rdflib import URIRef
from rdflib.namespace import RDF, SKOS

from conflictkg.extract import Doc, Pipeline, load_resources
from conflictkg.extract.populations import antecedent_group
from conflictkg.model import Article, ArticleMeta, PopulationRecord
from conflictkg.namespaces import CKG, CKGID
from conflictkg.populations import Party, PopulationRules, event_context, population_key, relation

RES = load_resources()
RULES = PopulationRules(RES.rules, RES.dictionary)
PARENT = {k.kind: k.within for k in RES.rules.population_kinds}
RUSSIA, TURKEY, IRAN = (str(CKGID[f"place/{c}"]) for c in ("russia", "turkey", "iran"))
WAGNER = str(CKGID["actor/wagner-group"])
STATE = Party(nationality=TURKEY)


def key(group: str | None, *, after: str = "", claimant: Party = Party(), own: str | None = None) -> str | None:
    p, _ = RULES.describe(group, after=after, claimant=claimant, claimant_kind=own)
    return None if p is None else population_key(p)


@pytest.mark.parametrize(("group", "claimant", "expected"), [
    ("Iranian citizens", Party(), "people-iran"),
    ("Iranians", Party(), "people-iran"),
    ("private Russian military contractors", Party(), "contractors-russia"),
    ("mercenaries from Wagner Group", Party(), "contractors-side-wagner-group"),
    ("pro-regime fighters", Party(), "fighters-governmentside"),
    ("government soldiers", Party(), "soldiers-governmentside"),
    ("rebel fighters", Party(), "fighters-oppositionside"),
    ("pro-Iranian militiamen", Party(), "fighters-side-iran-government"),
    ("pro-Jordanian militiamen", Party(), None),  # a side whose government the dictionary lacks
    ("civilians", Party(), "civilians"),
    ("schoolchildren", Party(), "children"),
    ("newly mobilised Turkish soldiers", Party(), "soldiers-turkey-mobilised"),
    ("child survivors", Party(), "children-survivors"),
    ("people on board", Party(), "onboard"),
    ("pilots", Party(), "pilots"),
    ("Turkish warplanes", Party(), "aircraft-turkey"),
    ("attacking force", Party(), "combatants-attackingside"),
    (None, Party(), "people"),
    # a state's statement counts its own soldiers; "its"/"our" are the claimant's own people
    ("soldiers", STATE, "soldiers-turkey"),
    ("military personnel", STATE, "soldiers-turkey"),
    ("its servicemen", Party(nationality=RUSSIA), "soldiers-russia"),
    ("soldiers", Party(), "soldiers"),
    ("its fighters", Party(side=WAGNER), "fighters-side-wagner-group"),
    # what cannot be placed is never compared
    ("its servicemen", Party(), None),
    ("operatives", Party(), None),
    ("men", Party(), None),
    ("Iranian and Turkish soldiers", Party(), None),
    ("soldiers and civilians", Party(), None),
    ("combat units", Party(), None),
])
def test_counted_groups_are_placed_by_rules(group: str | None, claimant: Party, expected: str | None) -> None:
    assert key(group, claimant=claimant) == expected


def test_comrades_are_the_claimants_own_kind() -> None:
    assert key("our fallen comrades", claimant=STATE, own="Soldiers") == "soldiers-turkey"
    assert key("our fallen comrades", claimant=Party(side=WAGNER), own="Fighters") == "fighters-side-wagner-group"
    assert key("our fallen comrades") is None


def test_running_totals_are_not_an_events_toll() -> None:
    assert key("soldiers", after=" have been killed since the start of the campaign", claimant=STATE) is None
    assert key("soldiers", after=" have died in Turkey, a monitor says", claimant=STATE) is None
    assert key("soldiers", after=" were killed in the raid on Tuesday", claimant=STATE) == "soldiers-turkey"


def test_an_apposition_says_who_the_people_are() -> None:
    assert key("people", after=" people, presumably Iranian citizens, died") == "people-iran"
    assert key("people", after=" people, all of them civilians, died") == "civilians"
    # "mostly" and "including" are not appositions: the people stay everyone counted
    assert key("people", after=" people, mostly civilians, died") == "people"
    assert key("people", after=" people, including four children, died") == "people"


def test_labels_read_as_an_analyst_would() -> None:
    p, _ = RULES.describe("mobilized Russian soldiers")
    assert p is not None and p.label == "Russian soldiers (mobilised)"
    p, _ = RULES.describe("mercenaries from Wagner Group")
    assert p is not None and p.label == "contractors of Wagner Group"


def test_population_kinds_of_rules_and_ontology_agree() -> None:
    onto = ontology_graph()
    kinds = {s: onto.value(s, SKOS.broader) for s in onto.subjects(RDF.type, CKG.PopulationKind)}
    assert {str(k).rsplit("#", 1)[1]: (str(v).rsplit("#", 1)[1] if v else None) for k, v in kinds.items()} == PARENT


# --- relations between the populations of one event --------------------------------------------

def P(kind: str, **kw: object) -> PopulationRecord:
    return PopulationRecord(kind=kind, **kw)  # type: ignore[arg-type]


def test_same_within_and_not_comparable() -> None:
    pops = [P("People", nationality=RUSSIA), P("Contractors", nationality=RUSSIA), P("Soldiers", nationality=RUSSIA),
            P("Combatants", alignment="GovernmentSide"), P("Fighters"), P("Soldiers")]
    ctx = event_context(pops, PARENT)
    russians, contractors, soldiers, progov, fighters, unnamed = pops
    assert relation(contractors, russians, ctx) == "within"
    assert relation(russians, soldiers, ctx) == "contains"
    assert relation(soldiers, soldiers, ctx) == "same"
    assert relation(contractors, soldiers, ctx) is None  # siblings
    assert relation(russians, progov, ctx) is None  # a nationality and a side: unrelated
    assert relation(fighters, soldiers, ctx) is None
    # soldiers of an unnamed side are not every side's soldiers
    assert relation(soldiers, unnamed, ctx) is None
    assert relation(unnamed, unnamed, ctx) == "same"
    # everyone counted (no group) contains every group of people
    assert relation(contractors, P("People"), ctx) == "within"


def test_an_unqualified_count_stands_for_the_one_party_group_an_event_counts() -> None:
    people, soldiers, mobilised = P("People"), P("Soldiers", nationality=RUSSIA), P("Soldiers", nationality=RUSSIA, marks=("mobilised",))
    ctx = event_context([people, soldiers, mobilised], PARENT)
    assert ctx.everyone == soldiers
    assert relation(people, soldiers, ctx) == "same"  # "the toll rose to 89" after "63 Russian soldiers were killed"
    assert relation(mobilised, people, ctx) == "within"
    # a breakdown ("40 people, including 12 soldiers") or one claim counting both tells them apart
    assert event_context([people, soldiers], PARENT, part_of=[(soldiers, people)]).everyone is None
    assert event_context([people, soldiers], PARENT, side_by_side=[[people, soldiers]]).everyone is None
    assert event_context([people, soldiers], PARENT, side_by_side=[[people], [soldiers]]).everyone == soldiers
    # two parties' groups, or a group that is no party's (children), leave "people" everyone
    assert event_context([people, soldiers, P("Soldiers", nationality=TURKEY)], PARENT).everyone is None
    assert event_context([people, P("Children")], PARENT).everyone is None
    assert relation(P("Children"), people, event_context([people, P("Children")], PARENT)) == "within"


def test_civilians_are_everyone_counted_where_no_combatant_is() -> None:
    civilians, people, children = P("Civilians"), P("People"), P("Children")
    assert relation(civilians, people, event_context([civilians, people, children], PARENT)) == "same"
    assert relation(children, people, event_context([civilians, people, children], PARENT)) == "within"
    with_soldiers = event_context([civilians, people, P("Soldiers")], PARENT)
    assert relation(civilians, people, with_soldiers) == "within"
    breakdown = event_context([civilians, people], PARENT, part_of=[(civilians, people)])
    assert relation(civilians, people, breakdown) == "within"


def test_a_breakdown_puts_one_population_within_another() -> None:
    iranians, progov = P("People", nationality=IRAN), P("Combatants", alignment="GovernmentSide")
    assert relation(iranians, progov, event_context([iranians, progov], PARENT)) is None
    ctx = event_context([iranians, progov], PARENT, part_of=[(iranians, progov)])
    assert relation(iranians, progov, ctx) == "within"
    assert relation(progov, iranians, ctx) == "contains"


# --- the component, on invented articles --------------------------------------------------------

def _doc(text: str) -> Doc:
    article = Article(text=text, meta=ArticleMeta(file_name="x.txt", published=dt.date(2021, 6, 3)))
    return Pipeline()(Doc(article=article, resources=RES))


def _placed(doc: Doc) -> list[tuple[str, str | None, str | None]]:
    return [(f.surface, None if f.population is None else population_key(f.population),
             None if f.part_of is None else f.part_of.surface) for c in doc.claims for f in c.figures]


def test_a_ministry_counts_its_own_soldiers_and_never_compares_them_with_the_enemy() -> None:
    doc = _doc("Border clash\n\nTurkey's defence ministry said on Tuesday that 12 soldiers were killed "
               "and that more than 40 terrorists died in the clash near the border.\n")
    assert ("12", "soldiers-turkey", None) in _placed(doc)
    assert ("more than 40", "fighters", None) in _placed(doc)


def test_a_breakdown_is_part_of_its_total() -> None:
    doc = _doc("Convoy ambushed\n\nA monitor said on Monday that 35 pro-government fighters were killed "
               "in the ambush, including nine Iranians.\n")
    assert _placed(doc) == [("35", "fighters-governmentside", None), ("nine", "people-iran", "35")]


def test_the_article_graph_states_who_each_figure_counts() -> None:
    from conflictkg.rdf import write_article

    doc = _doc("Convoy ambushed\n\nA monitor said on Monday that 35 pro-government fighters were killed "
               "in the ambush near Aleppo, including nine Iranians.\n")
    assert doc.claims[0].events, "the ambush is an event"
    g = write_article(doc.article, title=doc.title, title_basis=doc.title_basis, publisher=None, claims=doc.claims,
                      events=doc.events, actors=doc.actors, places=doc.places)
    event = URIRef(str(CKGID[f"event/{doc.claims[0].events[0]}"]))
    pops = {str(p).rsplit("/", 1)[1]: p for p in g.subjects(CKG.populationOf, event)}
    assert sorted(pops) == ["fighters-governmentside", "people-iran"]
    assert (pops["people-iran"], CKG.withinPopulation, pops["fighters-governmentside"]) in g
    assert {str(g.value(f, CKG.surfaceForm)): g.value(f, CKG.counts) for f in g.subjects(CKG.counts, None)} == {
        "35": pops["fighters-governmentside"], "nine": pops["people-iran"]}


def test_a_bare_count_goes_on_counting_the_group_last_named() -> None:
    doc = _doc("Toll rises\n\nA monitor said on Monday that 20 Iranian soldiers were killed in the raid near Aleppo.\n\n"
               "\"The toll has risen to 26,\" the monitor said on Tuesday.\n")
    assert [(s, k) for s, k, _ in _placed(doc)] == [("20", "soldiers-iran"), ("26", "soldiers-iran")]
    # with no group named before it, a bare count is everyone counted
    doc = _doc("Raid near Aleppo\n\nA monitor said on Monday that 26 were killed in the raid near Aleppo.\n")
    assert [(s, k) for s, k, _ in _placed(doc)] == [("26", "people")]


def test_n_of_them_counts_the_group_named_before_it() -> None:
    doc = _doc("Depot hit\n\nRockets hit a depot near Aleppo where Iranian soldiers slept, killing 14 of them, "
               "a monitor said on Monday.\n")
    assert [(s, k) for s, k, _ in _placed(doc)] == [("14", "soldiers-iran")]
    assert antecedent_group(RULES, "Shells hit the camp where pro-government fighters rested, wounding ") == "pro-government fighters"
    assert antecedent_group(RULES, "Shells hit the camp at noon, wounding ") is None


def test_a_running_total_is_read_in_the_figures_own_clause() -> None:
    assert key("soldiers", after=" of them, the ministry said, in the deadliest raid since the war began",
               claimant=STATE) == "soldiers-turkey"
    assert key("civilians", after=" have been killed in raids in the region since then as the truce fails") is None


# --- where or how a count was taken; tolls of a whole war ----------------------------------------

def _with(group: str, *, before: str = "", after: str = "") -> str | None:
    p, _ = RULES.describe(group, before=before, after=after)
    return None if p is None else population_key(p)


def test_where_they_died_or_were_taken_makes_a_part_of_all_the_victims() -> None:
    assert _with("people", after=" people died right at the market") == "people-died-at-scene"
    assert _with("people", after=" people died on the spot") == "people-died-at-scene"
    assert _with("person", after=" person died in a medical facility") == "people-died-in-hospital"
    assert _with("people", after=" people later succumbed to their wounds") == "people-died-in-hospital"
    assert _with("people", after=" people were taken to hospitals") == "people-hospitalised"
    assert _with("injured people", before="A doctor said the clinic had received ", after=" injured people") \
        == "people-hospitalised-wounded"
    assert _with("people", after=" people are in critical condition") == "people-critical"
    # the whole toll of a strike on a hospital, or killed in the attack, stays everyone
    assert _with("people", after=" people died in the hospital strike") == "people"
    assert _with("people", after=" people were killed in the attack on the square") == "people"
    ctx = event_context([P("People"), P("People", marks=("died-in-hospital",))], PARENT)
    assert relation(P("People", marks=("died-in-hospital",)), P("People"), ctx) == "within"
    assert relation(P("People", marks=("died-in-hospital",)), P("People", marks=("died-at-scene",)), ctx) is None


def test_a_whole_wars_toll_in_the_same_sentence_is_no_events_toll() -> None:
    assert _with("civilians", before="The country has been in turmoil since the army coup in 2019, with an estimated ",
                 after=" civilians killed in the crackdown") is None
    assert _with("individuals", after=" individuals perished in shelling and raids in the province following the coup") is None
    assert _with("people", after=" people have been killed in the conflict which began two years ago") is None
    # a period that measures a superlative, or a period before a count not attached to it, is no running total
    assert _with("people", after=" people, the worst attack since the invasion began") == "people"
    assert _with("people", before="Since the war began the town was shelled daily; on Monday ", after=" people died") == "people"


def test_a_running_total_in_the_sentence_is_read_by_the_component() -> None:
    doc = _doc("Strike on market\n\nA monitor said on Monday that 20 civilians were killed in the strike near Aleppo.\n\n"
               "The province has been in chaos since the uprising, with an estimated 3,100 civilians killed, "
               "the monitor said.\n\nA doctor said 4 people died in the hospital on Tuesday.\n")
    assert [(s, k) for s, k, _ in _placed(doc)] == [("20", "civilians"), ("an estimated 3,100", None),
                                                   ("4", "people-died-in-hospital")]


def test_visitors_are_a_part_of_the_civilians_and_two_groups_together_are_none() -> None:
    assert _with("Hindu pilgrims") == "civilians-visitors"
    assert _with("tourists") == "civilians-visitors"
    ctx = event_context([P("People"), P("Civilians", marks=("visitors",))], PARENT)
    assert relation(P("Civilians", marks=("visitors",)), P("People"), ctx) == "within"
    assert _with("other tourists & locals") is None
    assert _with("soldiers and officers") is None


def test_a_years_toll_is_no_events_toll() -> None:
    assert _with("civilians", after=" civilians were killed in 2019 in violence blamed on armed groups") is None
    assert _with("people", after=" people died last year in the region") is None
    # a past attack named by its year is one event
    assert _with("people", after=" people were killed in the 2019 attack on the market") == "people"
    assert _with("people", after=" people were killed in 2019 attack on the market") == "people"
