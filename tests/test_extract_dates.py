import pytest


@pytest.mark.parametrize("phrase,begin,end", [
    ("on Thursday", "2018-02-15", None),          # the publication day is a Thursday
    ("on Wednesday", "2018-02-14", None),
    ("yesterday", "2018-02-14", None),
    ("last week", "2018-02-05", "2018-02-11"),
    ("on February 7", "2018-02-07", None),
    ("on 7 February", "2018-02-07", None),
    ("in March", "2017-03", None),                # a month after publication is last year's
    ("on May 23, 2016", "2016-05-23", None),
    ("between Saturday night and Sunday morning", "2018-02-10", "2018-02-11"),
])
def test_dates_resolve_against_publication(run, phrase, begin, end):
    doc = run(f"The officials said the attack happened {phrase} near the town.", upto="dates", published="2018-02-15")
    assert [(str(d.begin), str(d.end) if d.end else None) for d in doc.dates] == [(begin, end)]


def test_relative_dates_stay_unresolved_without_publication_date(run):
    doc = run("The officials said the attack happened on Thursday near the town.", upto="dates", published=None)
    assert [(d.begin, d.precision) for d in doc.dates] == [(None, "unresolved")]


def test_modal_may_is_not_a_month(run):
    doc = run("Five people may have been killed, the ministry said.", upto="dates")
    assert doc.dates == []
