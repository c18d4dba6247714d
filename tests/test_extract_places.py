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


def test_the_region_of_a_country_is_that_country_not_a_namesake_elsewhere(run) -> None:  # type: ignore[no-untyped-def]
    # Guinea has a prefecture called Mali; "the Mopti region of Mali" names the country.
    found = _places(run, "Malian troops raided the village of Zandoura in the Mopti region of Mali.")
    assert found == [("Zandoura", "text/iso/ML-5/zandoura", "place.type-of-name"), ("Mopti region", "iso/ML-5", "place.name-generic"),
                     ("Mali", "country/ML", "place.type-of-name")]


def test_a_bare_subdivision_of_a_country_the_article_never_names_is_not_taken(run) -> None:  # type: ignore[no-untyped-def]
    # Burkina Faso has a region called Sahel; in an article about Mali "the Sahel" is not it.
    text = "Malian soldiers killed twelve men in the town of Zandoura. The UN mission in the Sahel asked for access."
    assert _places(run, text) == [("Zandoura", "text/country/ML/zandoura", "place.type-of-name")]
    # With a generic word the text says which region it means, and then it is taken.
    assert _places(run, "Gunmen killed twelve men in the Sahel region.")[0][1] == "iso/BF-12"


def test_a_country_in_the_possessive_is_a_country_the_article_is_about(run) -> None:  # type: ignore[no-untyped-def]
    # One Russian and one Malian demonym: "Mali's army" decides where the new town lies.
    text = "Mali's army and Russian instructors entered the town of Zandoura, Malian officials said."
    assert _places(run, text) == [("Zandoura", "text/country/ML/zandoura", "place.type-of-name")]


def test_a_name_the_text_made_a_place_is_that_place_where_it_stands_again(run) -> None:  # type: ignore[no-untyped-def]
    text = ("Soldiers entered the town of Zandoura in Mali on Sunday. "
            "Troops stayed in Zandoura. Monitors were denied access to the fief of Zandoura.")
    assert _places(run, text) == [("Zandoura", "text/country/ML/zandoura", "place.type-of-name"), ("Mali", "country/ML", "place.in-name"),
                                  ("Zandoura", "text/country/ML/zandoura", "place.in-name"),
                                  ("Zandoura", "text/country/ML/zandoura", "place.of-name")]


def test_a_name_of_several_words_only_one_place_has_needs_no_country(run) -> None:  # type: ignore[no-untyped-def]
    assert _places(run, "The rocket was fired toward Kafr Kanna on Saturday.") == [("Kafr Kanna", "gn/294610", "place.of-name")]
    # One word that names places in other countries still needs the article's country.
    assert _places(run, "Malian troops fired toward Mary on Saturday.") == []


def test_subdivisions_named_in_english_compass_words(run) -> None:  # type: ignore[no-untyped-def]
    assert _places(run, "Rebels seized the town of Bunagana in North Kivu province.")[1][:2] == ("North Kivu province", "iso/CD-NK")


def test_a_headline_names_the_place_before_the_event(run) -> None:  # type: ignore[no-untyped-def]
    # Headline capitals: "in Kafr Kanna Massacre" is the place, then the event.
    assert _places(run, "Report Implicates Militia in Kafr Kanna Massacre") == [("Kafr Kanna", "gn/294610", "place.in-name")]


def test_outside_a_country_is_not_a_place_of_it(run) -> None:  # type: ignore[no-untyped-def]
    text = "It was the worst killing outside Ukraine attributed to the group, in the town of Zandoura in Mali."
    assert [p for _, p, _ in _places(run, text)] == ["text/country/ML/zandoura", "country/ML"]
