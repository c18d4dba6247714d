def test_sentences_respect_abbreviations_and_quotes(run):
    text = ("Col. John Smith said U.S. forces left on Feb. 3. \u201cWe are done. We leave now,\u201d he said. "
            "The army agreed.\n")
    doc = run(text, upto="sentences")
    got = [doc.text[s.span.start : s.span.end] for s in doc.sentences]
    assert got == [
        "Col. John Smith said U.S. forces left on Feb. 3.",
        "\u201cWe are done. We leave now,\u201d he said.",
        "The army agreed.",
    ]
    quote = doc.sentences[1].quotes[0]
    assert doc.text[quote.start : quote.end] == "\u201cWe are done. We leave now,\u201d"


def test_sentences_carry_paragraph_numbers(run):
    doc = run("One sentence here. Two sentences here.\n\nA new paragraph begins.\n", upto="sentences")
    assert [s.paragraph for s in doc.sentences] == [0, 0, 1]
