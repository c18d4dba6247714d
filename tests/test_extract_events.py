"""``events``: event mentions, one event per real event within an article, and claims' events (invented texts)."""

from __future__ import annotations

from conflictkg.model import PartialDate

TWO_ATTACKS = (
    "Militants attacked a checkpoint near Mayadeen on Wednesday, killing 12 soldiers, the Syrian army said on Sunday. "
    "On Tuesday, 7 guards were killed in a separate ambush in Homs province, according to the Observatory. "
    "The monitor said the attack near Mayadeen was the deadliest this year.\n"
)


def _events(doc):  # type: ignore[no-untyped-def]
    return [(e.report.rsplit("-", 1)[1], e.types[0], str(e.begin) if e.begin else None, e.place) for e in doc.events]


def test_two_days_and_two_places_are_two_events(run) -> None:  # type: ignore[no-untyped-def]
    doc = run(TWO_ATTACKS, published="2018-05-27")
    assert _events(doc) == [("1", "Attack", "2018-05-23", "mayadin"), ("2", "Ambush", "2018-05-22", "homs-governorate")]
    # The statement's date ("said on Sunday") dates no event; "the attack near Mayadeen" refers back.
    first, second = doc.events
    assert [doc.text[s.start : s.end] for s in first.mentions] == ["attacked", "killing", "attack"]
    assert [doc.text[s.start : s.end] for s in second.mentions] == ["ambush", "were killed"]
    assert [c.events for c in doc.claims] == [[first.key], [second.key], [first.key]]
    assert {r for c in doc.claims for r in c.rules if r.startswith("event.")} == {"event.in-evidence"}


def test_a_reference_back_joins_the_latest_event_it_fits(run) -> None:  # type: ignore[no-untyped-def]
    text = ("Gunmen ambushed a convoy on Oct. 10 in Nampula's Erati district, a police source said. "
            "Five more soldiers were ambushed on Oct. 27 in Nampula's Memba district, a second source said. "
            "The attackers burned the vehicles after the ambush, the source told reporters.\n")
    doc = run(text, published="2019-10-31")
    assert _events(doc) == [("1", "Ambush", "2019-10-10", "text/iso/MZ-N/erati-district"),
                            ("2", "Ambush", "2019-10-27", "text/iso/MZ-N/memba-district")]
    assert [c.events[0].rsplit("-", 1)[1] for c in doc.claims] == ["1", "2", "2"]


def test_the_incident_and_the_tragedy_are_references(run) -> None:  # type: ignore[no-untyped-def]
    text = ("Three aid workers were killed in an ambush near Bambari in the Central African Republic, officials said on Tuesday. "
            "The ministry said the tragedy would be investigated and called the incident a crime.\n")
    doc = run(text, published="2019-03-06")
    assert len(doc.events) == 1 and doc.events[0].rules == ["anaphor.crime", "anaphor.incident", "anaphor.tragedy",
                                                              "event.ambush", "event.killed"]
    assert doc.events[0].types[0] == "Ambush" and doc.events[0].place == doc.resources.gazetteer.lookup("Bambari")[0].id


def test_a_time_of_reference_is_not_an_event_date(run) -> None:  # type: ignore[no-untyped-def]
    text = ("The toll from Saturday's strike on a barracks in Kherson rose to 40, the ministry said on Monday, "
            "the worst loss since the start of the offensive in February.\n")
    doc = run(text, published="2023-03-06")
    assert _events(doc) == [("1", "AirStrike", "2023-03-04", "iso/UA-65")]  # Kherson: the oblast, unless "city"


def test_unknown_time_stays_unknown(run) -> None:  # type: ignore[no-untyped-def]
    doc = run("The monitor said the attack near Mayadeen on Thursday killed 9 people.", published=None)
    (event,) = doc.events
    assert (event.begin, event.end, event.latest_end, event.place) == (None, None, None, "mayadin")
    assert doc.claims[0].events == [event.key]
    dated = run("The monitor said the attack near Mayadeen on February 7, 2018 killed 9 people.", published=None)
    assert dated.events[0].begin == PartialDate(2018, 2, 7)


def test_an_article_without_a_place_still_has_its_event(run) -> None:  # type: ignore[no-untyped-def]
    doc = run("The group said the attack killed 9 people.", published="2019-07-24")
    assert _events(doc) == [("1", "Attack", None, None)] and doc.events[0].latest_end == PartialDate(2019, 7, 24)
    assert doc.claims[0].events == [doc.events[0].key]


def test_a_place_after_capture_is_needed(run) -> None:  # type: ignore[no-untyped-def]
    assert run("Rebels said they captured arms and ammunition.", published="2019-07-24").events == []
    doc = run("Rebels said they captured the town of Kafr Nabudah in Hama province.", published="2019-07-24")
    assert _events(doc) == [("1", "Capture", None, "text/hama-governorate/kafr-nabudah")]


def test_a_count_placed_elsewhere_is_not_the_articles_event(run) -> None:  # type: ignore[no-untyped-def]
    text = ("Militants attacked a checkpoint near Mayadeen on Wednesday, killing 12 soldiers, the Syrian army said. "
            "The army also said its forces had killed nine gunmen in Homs province last month. "
            "A medic at a hospital in Homs said 30 wounded had arrived from the checkpoint.")
    doc = run(text, published="2018-05-27")
    assert [(doc.text[c.span.start : c.span.start + 20], c.events != [], [r for r in c.rules if r.startswith("event.")])
            for c in doc.claims] == [
        ("Militants attacked a", True, ["event.in-evidence"]),
        # "nine gunmen in Homs province": counted somewhere the Mayadeen attack cannot be
        ("The army also said i", False, ["event.elsewhere"]),
        # where the speaker is ("a medic at a hospital in Homs") is not where the counted happened
        ("A medic at a hospita", True, ["event.article-main"]),
    ]
