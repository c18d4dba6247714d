"""Builder.ingest, the API's write path: one article at a time into a store."""

from __future__ import annotations

import datetime as dt

import pytest

from conflictkg import building
from conflictkg.config import Settings
from conflictkg.model import Article, ArticleMeta
from conflictkg.namespaces import article_graph
from conflictkg.service import GraphService

TEXT = ("Clashes near Palmyra leave dozens dead\n\n"
        "Russian Foreign Ministry spokeswoman Maria Zakharova said on {day} that at least 12 Russian citizens "
        "were killed in the clash near Palmyra in Homs province.\n")


def _article(day: str) -> Article:
    return Article(text=TEXT.format(day=day), meta=ArticleMeta(file_name=f"{day.lower()}.txt", title=day,
                                                               published=dt.date(2018, 3, 8)))


def test_the_collector_is_settled_once_after_the_first_ingest(monkeypatch: pytest.MonkeyPatch) -> None:
    frozen: list[int] = []
    monkeypatch.setattr(building.gc, "freeze", lambda: frozen.append(1))
    with GraphService(settings=Settings(store=None)) as service:
        first, second = _article("Tuesday"), _article("Monday")
        assert service.builder.ingest(first).ok
        assert frozen == [1]
        assert service.builder.ingest(second).ok
        assert frozen == [1]
        names = set(service.store.named_graphs())
        assert {article_graph(first.key), article_graph(second.key)} <= names
