"""The country table: names, demonyms and capitals from pycountry and countryinfo, plus the additions."""

from __future__ import annotations

import pytest

from conflictkg.countries import load_countries


@pytest.mark.parametrize("text,alpha2", [
    ("Ukrainian", "UA"), ("Russia", "RU"), ("Turkey's", "TR"), ("U.S.", "US"), ("Nigerien", "NE"),
    ("CAR", "CF"), ("Saudi", "SA"), ("the United Kingdom", "GB"), ("Emirati", "AE"), ("Mozambican", "MZ"),
])
def test_names_and_demonyms_find_their_country(text, alpha2):
    assert load_countries().find(text).alpha2 == alpha2


def test_codes_and_unknown_words_are_no_countries():
    table = load_countries()
    assert [table.find(w) for w in ("UA", "RUS", "Monday", "river")] == [None, None, None, None]


def test_capitals_stand_for_their_country():
    table = load_countries()
    assert [(table.capital_of(c).name, table.capital_of(c).key) for c in ("Kyiv", "Ankara", "Washington")] == [
        ("Ukraine", "ukr"), ("Turkey", "tur"), ("United States", "usa")]


def test_institutions_by_head_and_label():
    table = load_countries()
    ukraine = table.get("UA")
    labels = {h: table.institution_with_head(h).label_for(ukraine) for h in ("general staff", "defense ministry", "army", "embassy")}
    assert labels == {"general staff": "General Staff of the Ukrainian Armed Forces", "defense ministry": "Ukrainian Ministry of Defence",
                      "army": "Ukrainian military", "embassy": "Ukrainian Embassy"}
