import pytest


@pytest.mark.parametrize("surface,place", [
    ("Deir Ezzor", "deir-ez-zor-governorate"),
    ("Deir al-Zour", "deir-ez-zor-governorate"),
    ("Dayr al-Zawr", "deir-ez-zor-governorate"),
    ("Mayadeen", "mayadin"),
    ("Khusham", "khasham"),
])
def test_place_spelling_variants(run, surface, place):
    doc = run(f"Fighting was reported in {surface} on Monday by the monitor group.", upto="mentions")
    assert [(m.surface, m.place) for m in doc.mentions] == [(surface, place)]


@pytest.mark.parametrize("surface", ["Daesh", "ISIS", "ISIL", "IS", "Islamic State"])
def test_islamic_state_aliases(run, surface):
    doc = run(f"Officials blamed {surface} for the bombing of the market.", upto="mentions")
    assert [m.actor for m in doc.mentions] == ["islamic-state"]


def test_acronyms_are_case_sensitive_and_longest_match_wins(run):
    doc = run("It is clear that Russia\u2019s military and Moscow's Defense Ministry disagree.", upto="mentions")
    assert [(m.surface, m.actor) for m in doc.mentions] == [
        ("Russia\u2019s military", "russian-mod"), ("Moscow's Defense Ministry", "russian-mod")]
