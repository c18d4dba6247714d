"""``places``: places named in invented sentences, resolved against the gazetteer or made from the text."""

from __future__ import annotations


def _places(run, text: str) -> list[tuple[str, str, str]]:  # type: ignore[no-untyped-def]
    doc = run(text, upto="places")
    return [(doc.text[m.span.start : m.span.end], m.place, m.rule) for m in doc.place_mentions]


def test_generic_words_and_spellings(run) -> None:  # type: ignore[no-untyped-def]
    found = _places(run, "Shells fell on a market in the Donetsk region and near Makeevka, officials in Dayr az Zawr said.")
    assert found == [("Donetsk region", "iso/UA-14", "place.name-generic"), ("Makeevka", "gn/702320", "place.near-name"),
                     ("Dayr az Zawr", "deir-ez-zor-governorate", "place.in-name")]


def test_a_province_named_after_its_town(run) -> None:  # type: ignore[no-untyped-def]
    found = _places(run, "Jets bombed a convoy in Yemen's northern province of Saada on Monday.")
    assert found[-1] == ("Saada", "iso/YE-SD", "place.type-of-name")


def test_places_the_gazetteer_lacks_come_from_the_text_with_their_parent(run) -> None:  # type: ignore[no-untyped-def]
    doc = run("Gunmen attacked the village of Qaryat Zayn in Hama province on Friday.", upto="places")
    assert [(m.place, m.rule) for m in doc.place_mentions] == [
        ("text/hama-governorate/qaryat-zayn", "place.type-of-name"), ("hama-governorate", "place.dictionary")]
    assert [(p.id, p.label, p.kind, p.parent, p.rule) for p in doc.places if p.id.startswith("text/")] == [
        ("text/hama-governorate/qaryat-zayn", "Qaryat Zayn", "place", "hama-governorate", "place.type-of-name")]
    # The parent the phrase itself gives, and the parent's name left out of the child's.
    doc = run("Rebels ambushed a patrol in Nampula's Erati district.", upto="places")
    assert [m.place for m in doc.place_mentions] == ["text/iso/MZ-N/erati-district"]
    doc = run("Iraqi troops entered the Mosul Qadima district, in Mosul.", upto="places")
    assert [m.place for m in doc.place_mentions] == ["text/gn/99072/qadima-district", "gn/99072"]


def test_adjectives_modifiers_and_weak_phrases_are_not_places(run) -> None:  # type: ignore[no-untyped-def]
    assert _places(run, "The missile hit near the French frigate while US jets flew over the Arab country.") == []
    assert _places(run, "Officials said the Western Russian city council met.") == []
    # After a weak preposition a small place counts only in a country the article is about.
    assert _places(run, "The statement was published by the press service of Concord.") == []
