from conflictkg.extract.events import merge_events
from conflictkg.model import PartialDate

ARTICLE = (
    "The Syrian army said on Sunday that militants attacked a checkpoint near Mayadeen on Wednesday, killing 12 soldiers. "
    "On Tuesday, 7 guards were killed in a separate attack in Homs province, according to the Observatory. "
    "The monitor said the attack near Mayadeen was the deadliest this year.\n"
)


def test_anchors_and_claim_links(run):
    doc = run(ARTICLE, published="2018-05-27")
    assert [(e.key, e.label, e.types) for e in doc.events] == [
        ("2018-05-23-deir-ez-zor-governorate-combat", "Attack, Deir ez-Zor Governorate, 2018-05-23", ("Attack",)),
        ("2018-05-22-homs-governorate-combat", "Attack, Homs Governorate, 2018-05-22", ("Attack",)),
    ]
    assert [c.events for c in doc.claims] == [
        ["2018-05-23-deir-ez-zor-governorate-combat"],
        ["2018-05-22-homs-governorate-combat"],
        ["2018-05-23-deir-ez-zor-governorate-combat"],
    ]
    assert doc.events[0].places == ["https://w3id.org/conflictkg/id/place/mayadin"]


def test_claim_date_is_not_an_event_date(run):
    doc = run("The United Nations said on Monday that shelling hit Aleppo last week.", published="2018-02-13")
    assert [(str(e.begin), str(e.end)) for e in doc.events] == [("2018-02-05", "2018-02-11")]


def test_undated_event_merges_with_a_dated_one_of_another_article(run):
    dated = run("The coalition said militants attacked its base near Khasham on February 7, killing 3 guards.",
                published="2018-02-10")
    undated = run("The coalition said yesterday it repelled the attack on its base in Deir Ezzor province.",
                  published="2018-02-12")
    assert undated.events[0].key == "reported-2018-02-12-deir-ez-zor-governorate-combat"
    merge_events([dated, undated])
    key = "2018-02-07-deir-ez-zor-governorate-combat"
    assert [e.key for e in undated.events] == [key] and undated.claims[0].events == [key]
    assert undated.events[0].begin == PartialDate(2018, 2, 7)
    assert "event.merged-across-articles" in undated.events[0].rules


def test_events_months_apart_stay_apart(run):
    a = run("The monitor said 4 soldiers were killed in an attack in Deir Ezzor on May 23.", published="2018-05-27")
    b = run("The monitor said the attack in Deir Ezzor killed 9 people.", published="2018-09-01")
    merge_events([a, b])
    assert a.events[0].key != b.events[0].key


def test_places_the_dictionary_lacks_come_from_the_text(run):
    doc = run("Warplanes struck a market in the town of Kafr Dael on Tuesday, killing 9 people, the monitor said.",
              published="2019-07-24")
    assert [(p.label, p.iri, p.rule) for p in doc.places] == [
        ("Kafr Dael", "https://w3id.org/conflictkg/id/place/text/kafr-dael", "place.type-of-name")]
    assert [(e.key, e.label) for e in doc.events] == [("2019-07-23-text-kafr-dael-combat", "Attack, Kafr Dael, 2019-07-23")]


def test_no_event_without_a_place(run):
    doc = run("The group said the attack killed 9 people.", published="2019-07-24")
    assert doc.events == [] and doc.claims[0].events == []


def test_no_event_without_any_date(run):
    doc = run("The monitor said the attack near Mayadeen killed 9 people.", published=None)
    assert doc.events == [] and [c.events for c in doc.claims] == [[]]
