"""The synthetic generator of benchmarks/ follows docs/model.md: its graphs conform to the shapes."""

from __future__ import annotations

import io
import sys
from pathlib import Path

from rdflib import Graph

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # benchmarks/ is a folder of the repository, not an installed package
    sys.path.insert(0, str(ROOT))

from benchmarks.generator import DICTIONARY_GRAPH_IRI, GeneratorConfig, generate, write_nquads
from conflictkg.validation import ShapeValidator

SMALL = GeneratorConfig(dictionary_actors=40, places=30)


def test_generated_graph_conforms_and_is_deterministic() -> None:
    graphs = list(generate(4000, seed=3, config=SMALL))
    assert str(graphs[0][0]) == DICTIONARY_GRAPH_IRI
    articles = [str(name) for name, _ in graphs[1:] if "/graph/article/" in str(name)]
    events = [str(name) for name, _ in graphs[1:] if "/graph/event/" in str(name)]
    derived = [str(name) for name, _ in graphs[1:] if "/graph/derived/event/" in str(name)]
    assert len(articles) + len(events) + len(derived) == len(graphs) - 1
    assert events and derived, "the events' own graphs, then their derived graphs, come after the articles"
    union = Graph()
    for _, g in graphs:
        union += g
    assert 3000 < len(union) < 5000
    assert len(graphs) > 15  # dictionary and articles
    report = ShapeValidator().validate_graph(union)
    assert report.conforms and report.results == [], report.to_text()
    again, other = io.StringIO(), io.StringIO()
    write_nquads(again, 4000, seed=3, config=SMALL)
    write_nquads(other, 4000, seed=4, config=SMALL)
    first = io.StringIO()
    assert write_nquads(first, 4000, seed=3, config=SMALL) == len(first.getvalue().splitlines())
    assert first.getvalue() == again.getvalue() != other.getvalue()
