"""Shared fixtures: the real store, the real pipeline, the development corpus when present."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest

from conflictkg.config import Settings
from conflictkg.extract import Doc, Pipeline, Resources, load_resources
from conflictkg.model import Article, ArticleMeta
from conflictkg.service import GraphService
from conflictkg.store import EmbeddedStore

#: The W3C SPARQL suites' counts are printed at the end of a session (tests/fixtures_w3c.py).
pytest_plugins = ["fixtures_w3c"]

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
CORPUS = SHARED / "corpus"
GOLD = SHARED / "gold" / "seeds.yaml"
SCORER = SHARED / "eval" / "score_claims.py"


@pytest.fixture(scope="session")
def resources() -> Resources:
    return load_resources()


@pytest.fixture(scope="session")
def run(resources: Resources):  # type: ignore[no-untyped-def]
    """``run(text, upto="figures", published="2018-02-15", title=None)`` -> the Doc after that component."""
    from conflictkg.extract.pipeline import DEFAULT_PIPELINE

    def _run(text: str, *, upto: str = "events", published: str | None = "2018-02-15", title: str | None = None,
             publisher: str | None = None) -> Doc:
        names = DEFAULT_PIPELINE[: DEFAULT_PIPELINE.index(upto) + 1]
        meta = ArticleMeta(file_name="test.txt", title=title, publisher=publisher,
                           published=dt.date.fromisoformat(published) if published else None)
        return Pipeline(names)(Doc(article=Article(text=text, meta=meta), resources=resources))

    return _run


@pytest.fixture
def memory_service() -> Iterator[GraphService]:
    service = GraphService(settings=Settings.from_env().with_(store=None), store=EmbeddedStore(None))
    yield service
    service.close()


def corpus_or_skip() -> Path:
    if not CORPUS.is_dir():
        pytest.skip(f"the development corpus is not at {CORPUS}")
    return CORPUS


@pytest.fixture(scope="session")
def built(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    """The development corpus built into a fresh store and Turtle folder: (service, report, turtle dir)."""
    corpus = corpus_or_skip()
    root = tmp_path_factory.mktemp("built")
    settings = Settings.from_env().with_(store=root / "store", turtle_dir=root / "turtle")
    service = GraphService(settings=settings)
    report = service.builder.build(corpus)
    yield service, report, root / "turtle"
    service.close()
