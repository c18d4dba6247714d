from conflictkg.model import Span

PAGE = (
    "Site Name - JOIN NOW\n\n"
    "Rebels seize the old bridge\n\n"
    "Mon Mar 2, 2020 10:15AM\n\n"
    "A rebel spokesman said on Sunday that fighters had taken the bridge near the river.\n\n"
    "Officials in the capital said the army would respond within days of the attack.\n\n"
    "A third paragraph explains the background of the fighting in the region at length.\n\n"
    "An unrelated headline about football\n\n"
    "Updated 5 min ago\n\n"
    "The football match ended in a draw after ninety minutes of play.\n"
)


def test_clean_classifies_lines_and_keeps_offsets(run):
    doc = run(PAGE, upto="clean", title="Rebels seize the old bridge")
    kinds = [(b.kind, doc.text[b.span.start : b.span.end]) for b in doc.blocks]
    assert kinds[:3] == [
        ("furniture", "Site Name - JOIN NOW"),
        ("title", "Rebels seize the old bridge"),
        ("dateline", "Mon Mar 2, 2020 10:15AM"),
    ]
    body = [t for k, t in kinds if k == "body"]
    assert body == [
        "A rebel spokesman said on Sunday that fighters had taken the bridge near the river.",
        "Officials in the capital said the army would respond within days of the attack.",
        "A third paragraph explains the background of the fighting in the region at length.",
    ]
    appended = [t for k, t in kinds if k == "appended"]
    assert appended[0] == "An unrelated headline about football"
    assert doc.title == "Rebels seize the old bridge" and doc.title_basis == "metadata"
    assert doc.title_span == Span(PAGE.index("Rebels seize"), PAGE.index("Rebels seize") + len("Rebels seize the old bridge"))


def test_clean_cuts_read_more_and_comment_forms(run):
    text = ("The ministry said the strike killed four fighters near the border crossing.\n\n"
            "Read more:\n\nSome other story headline\n\nLeave a Reply\n")
    doc = run(text, upto="clean")
    assert [b.kind for b in doc.blocks] == ["body", "furniture", "furniture"]
    assert doc.text[doc.blocks[-1].span.start : doc.blocks[-1].span.end].strip().startswith("Some other story")


def test_title_from_text_when_metadata_has_none(run):
    doc = run("A headline without a full stop\n\nThe army said the town was quiet on Monday evening.\n", upto="clean")
    assert (doc.title, doc.title_basis) == ("A headline without a full stop", "text")
    doc = run("The army said the town was quiet on Monday evening. More followed later on.\n", upto="clean")
    assert (doc.title, doc.title_basis) == ("The army said the town was quiet on Monday evening", "text")


def test_captions_and_nbsp_lines(run):
    text = "Fighters are pictured near the front line. (AFP)\n\nThe monitor said\u00a0five people were killed in the raid.\n"
    doc = run(text, upto="clean")
    assert [b.kind for b in doc.blocks] == ["caption", "body"]
