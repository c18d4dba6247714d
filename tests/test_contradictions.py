"""Which figures cannot both be true (conflictkg.contradictions), on hand-made facts."""

from __future__ import annotations

from conflictkg.contradictions import ClaimFact, FigureFact, find_pairs
from conflictkg.model import PopulationRecord
from conflictkg.populations import event_context
from conflictkg.rules import load_rules

PARENT = {k.kind: k.within for k in load_rules().population_kinds}
SOLDIERS = PopulationRecord(kind="Soldiers", nationality="urn:x:north", label="North soldiers")
MOBILISED = PopulationRecord(kind="Soldiers", nationality="urn:x:north", marks=("mobilised",), label="mobilised")
NORTHERNERS = PopulationRecord(kind="People", nationality="urn:x:north", label="North people")
FIGHTERS = PopulationRecord(kind="Fighters", label="fighters")


def fig(iri: str, low: int | None, high: int | None, population: PopulationRecord | None, *,
        qualifier: str = "Exact", measure: str = "Killed") -> FigureFact:
    return FigureFact(iri=iri, measure=measure, qualifier=qualifier, surface=iri, low=low, high=high,
                      population=population, population_iri=None if population is None else f"urn:pop:{population.label}")


def claim(iri: str, source: str, *figures: FigureFact, date: str | None = None, stance: str = "Asserts") -> ClaimFact:
    return ClaimFact(iri=iri, claimant=source, sources=frozenset({source}), stance=stance, date=date,
                     figures=list(figures))


def pairs(*claims: ClaimFact) -> list[tuple[str, str, str, str]]:
    pops = [f.population for c in claims for f in c.figures if f.population is not None]
    return [(p.kind, p.first.iri, p.second.iri, p.relation) for p in find_pairs(claims, event_context(pops, PARENT))]


def test_the_same_people_with_ranges_that_do_not_overlap() -> None:
    assert pairs(claim("c1", "ministry", fig("63", 63, 63, SOLDIERS)),
                 claim("c2", "monitor", fig("more than 80", 81, None, SOLDIERS))) == [
        ("contradiction", "63", "more than 80", "same")]
    # "about 100" is 90..110: it does not contradict "more than 100"
    assert pairs(claim("c1", "a", fig("about 100", 100, 100, SOLDIERS, qualifier="Approximately")),
                 claim("c2", "b", fig("more than 100", 101, None, SOLDIERS))) == []


def test_a_part_that_outnumbers_its_whole() -> None:
    assert pairs(claim("c1", "ministry", fig("63", 63, 63, SOLDIERS)),
                 claim("c2", "enemy", fig("about 400", 400, 400, MOBILISED, qualifier="Approximately"))) == [
        ("contradiction", "63", "about 400", "contains")]
    # a part smaller than its whole is no conflict
    assert pairs(claim("c1", "ministry", fig("63", 63, 63, SOLDIERS)), claim("c2", "enemy", fig("40", 40, 40, MOBILISED))) == []
    # five people of a nationality cannot include more than 100 of its soldiers
    assert pairs(claim("c1", "ministry", fig("five", 5, 5, NORTHERNERS)),
                 claim("c2", "reports", fig("more than 100", 101, None, SOLDIERS))) == [
        ("contradiction", "five", "more than 100", "contains")]


def test_groups_side_by_side_and_unplaced_groups_are_never_compared() -> None:
    assert pairs(claim("c1", "ministry", fig("12", 12, 12, SOLDIERS)), claim("c2", "ministry", fig("40", 40, 40, FIGHTERS))) == []
    assert pairs(claim("c1", "a", fig("12", 12, 12, None)), claim("c2", "b", fig("40", 40, 40, None))) == []
    assert pairs(claim("c1", "a", fig("12", 12, 12, SOLDIERS)),
                 claim("c2", "b", fig("40", 40, 40, SOLDIERS, measure="Wounded"))) == []


def test_a_denial_asserts_no_range() -> None:
    assert pairs(claim("c1", "a", fig("12", 12, 12, SOLDIERS)),
                 claim("c2", "b", fig("40", 40, 40, SOLDIERS), stance="Denies")) == []


def test_the_same_source_revises_and_the_earlier_figure_comes_first() -> None:
    assert pairs(claim("c2", "ministry", fig("89", 89, 89, SOLDIERS), date="2023-01-04"),
                 claim("c1", "ministry", fig("63", 63, 63, SOLDIERS), date="2023-01-02"),
                 claim("c3", "other", fig("400", 400, 400, SOLDIERS), date="2023-01-01")) == [
        ("contradiction", "63", "400", "same"),
        ("revision", "63", "89", "same"),
        ("contradiction", "89", "400", "same"),
    ]  # sorted by measure and figure
    # claimants speaking for one organisation are one source
    spokesman = ClaimFact(iri="c4", claimant="spokesman", sources=frozenset({"spokesman", "ministry"}), stance="Asserts",
                          date="2023-01-05", figures=[fig("90", 90, 90, SOLDIERS)])
    assert pairs(claim("c1", "ministry", fig("63", 63, 63, SOLDIERS), date="2023-01-02"), spokesman) == [
        ("revision", "63", "90", "same")]


def test_an_earlier_and_a_revised_toll_in_one_claim_conflict_only_with_what_contradicts_both() -> None:
    both = claim("c1", "a", fig("initially 9", 9, 9, SOLDIERS), fig("then 33", 33, 33, SOLDIERS))
    assert pairs(both, claim("c2", "b", fig("33", 33, 33, SOLDIERS))) == []
    assert pairs(both, claim("c2", "b", fig("50", 50, 50, SOLDIERS))) == [
        ("contradiction", "initially 9", "50", "same"), ("contradiction", "then 33", "50", "same")]


def _src(claimant: str, *, closure: tuple[str, ...] = (), behalf: tuple[str, ...] = (), body: bool = False) -> ClaimFact:
    return ClaimFact(iri=claimant, claimant=claimant, sources=frozenset({claimant, *behalf, *closure}), stance="Asserts",
                     behalf=behalf, claimant_is_body=body)


def test_who_is_one_source() -> None:
    from conflictkg.contradictions import one_source

    gov = "actor/country/xyz/government"
    health = _src("actor/country/xyz/health-ministry", closure=(gov,), behalf=(gov,), body=True)
    interior = _src("actor/country/xyz/interior-ministry", closure=(gov,), behalf=(gov,), body=True)
    government = _src(gov, body=True)
    minister = _src("actor/person/ana-lenz", closure=(gov,), behalf=(gov,))
    official = _src("https://w3id.org/conflictkg/id/actor/unnamed/ab/xyz-official", closure=(gov,), behalf=(gov,))
    officials = _src("https://w3id.org/conflictkg/id/actor/unnamed/cd/xyz-authorities", closure=(gov,))
    spokesman = _src("actor/person/ivo-marek", closure=(health.claimant, gov), behalf=(health.claimant,))
    # a body and the government it belongs to; a spokesman and his ministry; a minister and a ministry of his government
    assert one_source(health, government) and one_source(spokesman, health) and one_source(minister, health)
    # two unnamed officials, or an unnamed official and the government itself
    assert one_source(official, officials) and one_source(official, government)
    # two named bodies of one government, or a ministry and an unnamed official of the government: two sources
    assert not one_source(health, interior)
    assert not one_source(official, interior)
    assert not one_source(_src("actor/person/a"), _src("actor/person/b"))
