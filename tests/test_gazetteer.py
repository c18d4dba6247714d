"""The gazetteer: ISO 3166 and GeoNames places, their hierarchy, transliteration-insensitive names."""

from __future__ import annotations

import pytest

from conflictkg.gazetteer import fold, skeleton, split_generic, suffix_variants, text_place_id, text_place_parent


@pytest.fixture(scope="module")
def gaz(resources):  # type: ignore[no-untyped-def]
    return resources.gazetteer


def test_fold_drops_diacritics_apostrophes_hyphens_and_articles(gaz) -> None:  # type: ignore[no-untyped-def]
    assert fold("Dayr az Zawr", gaz.rules) == "dayr zawr"
    assert fold("Deir ez-Zor", gaz.rules) == "deir zor"
    assert fold("Donets'ka", gaz.rules) == "donetska"
    assert fold("Al-Mayādīn", gaz.rules) == "mayadin"
    assert skeleton("dayr zawr") == skeleton("deir zor") == "dr zr"
    assert skeleton("sadah") == skeleton("saada") == "sd"


def test_generic_words_name_the_level(gaz) -> None:  # type: ignore[no-untyped-def]
    assert split_generic("donetsk region", gaz.rules) == ("donetsk", "subdivision")
    assert split_generic("province of hama", gaz.rules) == ("hama", "subdivision")
    assert split_generic("macomia district", gaz.rules) == ("macomia", "district")
    assert split_generic("donetsk peoples republic", gaz.rules) == ("donetsk", "subdivision")
    assert "donetsk" in suffix_variants("donetska", gaz.rules)
    assert "kharkiv" in suffix_variants("kharkivska", gaz.rules)


def test_spelling_variants_find_one_place(gaz) -> None:  # type: ignore[no-untyped-def]
    # Two spellings of an ISO 3166-2 subdivision, and the oblast by its town's name.
    assert gaz.lookup("Dayr az Zawr")[0].id == gaz.lookup("Deir ez-Zor")[0].id == "deir-ez-zor-governorate"
    assert gaz.lookup("Donetsk")[0].id == "iso/UA-14"
    assert gaz.lookup("Donets'ka oblast")[0].id == "iso/UA-14"
    # A town known by another spelling in GeoNames: the most populous of its namesakes first.
    makiivka = gaz.lookup("Makiivka")
    assert makiivka[0].id == "gn/702320" and makiivka[0].parent == "iso/UA-14"
    assert [p.id for p in gaz.lookup("Makeevka")][:1] == ["gn/702320"]


def test_hierarchy_runs_from_town_to_country(gaz) -> None:  # type: ignore[no-untyped-def]
    assert gaz.ancestors("gn/702320") == ["gn/702320", "iso/UA-14", "ukraine"]
    assert gaz.ancestors("khasham") == ["khasham", "deir-ez-zor-governorate", "eastern-syria", "syria"]
    assert gaz.get("iso/SY-DY").id == "deir-ez-zor-governorate"  # the curated entry is that place
    assert gaz.subdivision_named_after("gn/170794") == "deir-ez-zor-governorate"


def test_compatible_when_one_contains_the_other(gaz) -> None:  # type: ignore[no-untyped-def]
    soledar = gaz.lookup("Soledar")[0].id
    assert gaz.compatible("gn/702320", "iso/UA-14") and gaz.compatible("iso/UA-14", "gn/702320")
    assert not gaz.compatible("gn/702320", soledar)  # two towns of one oblast
    assert gaz.near("gn/702320", soledar) and not gaz.near("gn/702320", "syria")
    assert not gaz.compatible("gn/702320", "syria")
    # A town whose subdivision GeoNames does not say may lie in any subdivision of its country.
    sibut = gaz.lookup("Sibut")[0]
    assert sibut.parent == "central-african-republic" and gaz.compatible(sibut.id, "iso/CF-KG")
    assert not gaz.compatible(sibut.id, "iso/UA-14")


def test_places_of_the_text_carry_their_parent(gaz) -> None:  # type: ignore[no-untyped-def]
    village = text_place_id("Qaryat Zayn", "iso/SY-HM")
    assert village == "text/iso/SY-HM/qaryat-zayn" and text_place_parent(village) == "iso/SY-HM"
    assert gaz.ancestors(village) == [village, "hama-governorate", "syria"]
    # The same village spelled otherwise by another article, under a town of the same governorate.
    other = text_place_id("Qariyat Zain", "gn/170017")
    assert gaz.compatible(village, other) or gaz.get("gn/170017") is None
    assert not gaz.compatible(village, text_place_id("Tell Abyad", "iso/SY-HM"))
