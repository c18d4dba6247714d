import datetime as dt

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


# --- dates the text anchors itself (invented sentences) -------------------------------------------


def test_the_next_day_counts_from_the_date_before_it(run):
    doc = run("On 3 March 2021 the harbour council said the bridge had fallen. On the next day, the navy said "
              "twelve sailors were missing.", upto="claims", published=None)
    nxt = [d for d in doc.dates if d.rule == "date.next-day"]
    assert [(str(d.begin), d.precision, d.basis) for d in nxt] == [("2021-03-04", "day", "date.after-previous-date")]
    navy = [c for c in doc.claims if "twelve" in doc.text[c.span.start : c.span.end]]
    assert [(str(c.date), c.date_stated) for c in navy] == [("2021-03-04", True)]
    assert {"date.next-day", "date.after-previous-date"} <= set(navy[0].rules)


def test_days_later_without_an_earlier_date_stays_unknown(run):
    doc = run("Two days later, the navy said twelve sailors were missing.", upto="dates", published=None)
    assert [(d.begin, d.precision) for d in doc.dates] == [(None, "unresolved")]


def test_a_day_without_its_year_after_the_last_dated_day_dates_the_article(run):
    doc = run("The harbour guards of the northern district said that the fuel depot burned down on 29th April 2019."
              "\n\nLater on 6th May, the mayor said forty people had fled.", upto="dates", published=None)
    assert doc.published == dt.date(2019, 5, 6)
    assert doc.article.meta.date_basis.startswith("inferred: the latest date the text states, its year from")


def test_last_april_and_since_bound_nothing(run):
    doc = run("The harbour guards of the northern district said that the fuel depot burned down on 2 March 2019. "
              "The dispute began last April 15 and has simmered since 30 March.", upto="dates", published=None)
    assert doc.published == dt.date(2019, 3, 2)


@pytest.mark.parametrize("line", ["Updated January 3, 2023 at 5:10 p.m. EST", "By Jo Roe | 3 Jan 2023"])
def test_a_byline_or_updated_line_below_the_head_dates_the_article(run, line):
    head = "\n\n".join(["NEWS", "Harbour bridge falls", "A photograph of the river.", "By Jo Roe"])
    doc = run(f"{head}\n\n{line}\n\nThe navy said twelve sailors were missing on Monday.", upto="dates", published=None)
    assert doc.published == dt.date(2023, 1, 3)
    assert [b.kind for b in doc.blocks if line in doc.text[b.span.start : b.span.end]] == ["dateline"]


def test_a_day_without_its_year_in_an_article_known_to_the_month(resources):
    from conflictkg.extract import Doc, Pipeline
    from conflictkg.model import Article, ArticleMeta

    meta = ArticleMeta(file_name="t.txt", published_month="2017-03")
    text = "The navy said on March 9 that twelve sailors were missing. The feud began on December 2."
    doc = Pipeline(("clean", "sentences", "mentions", "places", "dates"))(Doc(article=Article(text=text, meta=meta), resources=resources))
    assert [(str(d.begin), d.basis) for d in doc.dates] == [("2017-03-09", "date.year-from-publication-month"),
                                                           ("2016-12-02", "date.year-from-publication-month")]


def test_a_statement_dated_elsewhere_dates_the_claims_it_gave(run):
    doc = run("Nine fishing boats have sunk off the cape since May 2, the Norwegian defence ministry said in a statement. It added "
              "that two crews were rescued near the lighthouse. The ministry, whose statement issued late Tuesday "
              "gave no names, has closed the harbour.", upto="claims", published="2018-02-15")
    dated = [(doc.text[c.span.start : c.span.start + 12], str(c.date), "attr.statement-dated-elsewhere" in c.rules) for c in doc.claims]
    assert dated == [("Nine fishing", "2018-02-13", True), ("It added tha", "2018-02-13", True)]


def test_a_statement_given_two_days_dates_nothing(run):
    doc = run("Nine fishing boats have sunk off the cape, the coastguard said in a statement. Its statement issued on "
              "Tuesday and Monday's statement differ.", upto="claims", published="2018-02-15")
    assert [(str(c.date), c.date_stated) for c in doc.claims[:1]] == [("2018-02-15", False)]


@pytest.mark.parametrize("sentence,date,rule", [
    ("According to a report published on 5 February by the monitors, 40 villagers were killed.", "2018-02-05", "date.day-month-year"),
    ("Forty villagers were killed, according to a bulletin the monitors issued on Monday.", "2018-02-12", "date.weekday"),
    ("Forty villagers were killed since 5 February, according to the monitors.", "2018-02-15", None),  # a period, not the report
])
def test_the_day_a_source_document_came_out_dates_the_claim(run, sentence, date, rule):
    doc = run(sentence, upto="claims", published="2018-02-15")
    assert [(str(c.date), c.date_stated, rule in c.rules if rule else None) for c in doc.claims] == [(date, rule is not None, True if rule else None)]
