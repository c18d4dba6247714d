"""Whom an unnamed source belongs to, and which country a bare institution is (invented sentences)."""

from __future__ import annotations


def _speaker_and_affiliations(doc):  # type: ignore[no-untyped-def]
    actors = {a.iri: a for a in doc.actors}
    out = []
    for att in doc.attributions:
        rec = actors.get(att.speaker.iri)
        out.append((att.speaker.label, tuple(actors[x].label for x in rec.affiliated_with) if rec else ()))
    return out


def test_an_official_of_an_institution_speaks_for_it(run) -> None:  # type: ignore[no-untyped-def]
    doc = run('Kabul, Afghanistan. "The toll has risen to thirty killed and dozens injured," an official of the health '
              'ministry told reporters.', upto="attribution")
    assert _speaker_and_affiliations(doc) == [("official of the health ministry", ("Afghan Ministry of Health",))]


def test_a_long_source_phrase_keeps_its_head_and_the_innermost_institution(run) -> None:  # type: ignore[no-untyped-def]
    # Twelve words: the source, an office, and the ministry that office belongs to.
    doc = run('Kabul, Afghanistan. "The toll has risen to thirty killed and dozens injured," an official from the press office '
              'of the Ministry of Public Health told a news agency.', upto="attribution")
    assert _speaker_and_affiliations(doc) == [
        ("official from the press office of the Ministry of Public Health", ("Afghan Ministry of Health",))]


def test_a_town_the_text_names_makes_its_country_the_one_a_bare_institution_is_of(run) -> None:  # type: ignore[no-untyped-def]
    # No country is named before the claim: the town in the first sentence says which one it is.
    doc = run("A car bomb exploded near a market in Kandahar on Monday. The health ministry said nine people "
              "were killed in the blast.", upto="attribution")
    assert [a.speaker.label for a in doc.attributions] == ["Afghan Ministry of Health"]
