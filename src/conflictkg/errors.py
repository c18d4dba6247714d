"""Every error and warning conflictkg reports, each with a stable code.

::

    ConflictKGError (code E000)
     ├── ConfigError            E01x  bad configuration or command-line value
     ├── DataFileError          E02x  a dictionary or rules file that fails its schema
     ├── ArticleError           E03x  an article that cannot be read (empty, binary, not UTF-8, too big)
     ├── ValidationFailed       E04x  a graph that breaks the SHACL shapes (carries the report)
     ├── QueryError             E05x  a SPARQL query or update that is malformed, refused or too slow
     │    └── BadParameter      E07x  a request parameter out of range or not one of the allowed values (HTTP 422)
     └── NotFound               E06x  an unknown node, query or graph

Warnings (``W0xx``) are plain strings built with :func:`warning`; they never stop work.
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "ConflictKGError",
    "ConfigError",
    "DataFileError",
    "ArticleError",
    "ValidationFailed",
    "QueryError",
    "NotFound",
    "BadParameter",
    "WARNINGS",
    "warning",
]


class ConflictKGError(Exception):
    """Base of every conflictkg error. ``code`` is stable and documented; ``message`` is for people."""

    code = "E000"

    def __init__(self, message: str, *, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code

    def __str__(self) -> str:
        return f"[{self.code}] {self.message}"

    def to_dict(self) -> dict[str, Any]:
        return {"error": self.code, "message": self.message}


class ConfigError(ConflictKGError):
    code = "E010"


class DataFileError(ConflictKGError):
    code = "E020"


class ArticleError(ConflictKGError):
    """An article file that cannot be ingested. ``path`` names it."""

    code = "E030"

    def __init__(self, path: str, problem: str, *, code: str = "E030") -> None:
        super().__init__(f"{path}: {problem}", code=code)
        self.path = path
        self.problem = problem


class ValidationFailed(ConflictKGError):
    """A graph broke the shapes; ``report`` is the flattened validation report."""

    code = "E040"

    def __init__(self, message: str, *, report: Any = None, code: str = "E040") -> None:
        super().__init__(message, code=code)
        self.report = report

    def to_dict(self) -> dict[str, Any]:
        body = super().to_dict()
        if self.report is not None:
            body["report"] = self.report.to_dict() if hasattr(self.report, "to_dict") else self.report
        return body


class QueryError(ConflictKGError):
    """A refused or failed SPARQL request. ``status`` is the HTTP status the API answers with;
    ``retry_after`` the seconds a client should wait before trying again (``Retry-After``)."""

    code = "E050"

    def __init__(self, message: str, *, code: str = "E050", status: int = 400,
                 retry_after: float | None = None) -> None:
        super().__init__(message, code=code)
        self.status = status
        self.retry_after = retry_after


class NotFound(ConflictKGError):
    code = "E060"


class BadParameter(QueryError):
    """A request parameter that is out of range or not one of the allowed values (HTTP 422)."""

    code = "E070"

    def __init__(self, message: str, *, code: str = "E070", status: int = 422) -> None:
        super().__init__(message, code=code, status=status)


#: Every warning, by code. Messages are format strings.
WARNINGS: dict[str, str] = {
    "W001": "{path}: no metadata entry; the title is taken from the text",
    "W002": "{path}: no known publication date; relative dates ('on Thursday') stay unresolved",
    "W003": "{path}: no claims found",
    "W004": "{path}: metadata names a file that is not in the folder",
    "W006": "{path}: entry {entry} has fields conflictkg does not know ({fields}); they are ignored",
    "W007": "{path}: already in the store ({why}); not added again",
    "W008": "{path}: {problem}",
    "W009": "{path}: no publication date found in the page; relative dates ('on Thursday') stay unresolved",
    "W010": "the store {store} is held by {holder}; reading it as it is now, read-only",
    "W011": "{path}: {problem}",
    "W035": "query workers run without part of their confinement on this platform: {missing}",
}


def warning(code: str, **fields: Any) -> str:
    """Render warning ``code`` as ``"[Wxxx] message"``."""
    return f"[{code}] " + WARNINGS[code].format(**fields)
