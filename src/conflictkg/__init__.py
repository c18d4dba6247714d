"""conflictkg: a knowledge graph of actors, events and attributed claims drawn from conflict news.

The public surface is small: :class:`GraphService` (the one core every face calls),
:class:`Settings`, the domain records, and the error classes::

    from conflictkg import GraphService, Settings

    with GraphService(settings=Settings.from_env()) as service:
        service.builder.build(Path("../shared/corpus"))
        rows = service.claims.rows()
"""

from __future__ import annotations

from .config import Settings
from .errors import (
    ArticleError,
    ConfigError,
    ConflictKGError,
    DataFileError,
    NotFound,
    QueryError,
    ValidationFailed,
)
from .model import Article, ArticleMeta, Claim, EventRecord, Figure, PartialDate, Span
from .service import GraphService

__all__ = [
    "Article",
    "ArticleError",
    "ArticleMeta",
    "Claim",
    "ConfigError",
    "ConflictKGError",
    "DataFileError",
    "EventRecord",
    "Figure",
    "GraphService",
    "NotFound",
    "PartialDate",
    "QueryError",
    "Settings",
    "Span",
    "ValidationFailed",
]
__version__ = "0.1.0"
