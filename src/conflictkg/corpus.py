"""Reading a folder of articles: text files plus an optional ``metadata.json``.

Bad input never stops the others: an empty, binary, non-UTF-8 or oversized file becomes an
:class:`~conflictkg.errors.ArticleError` naming the file and the problem.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from .errors import ArticleError, warning
from .model import Article, ArticleMeta

__all__ = ["CorpusItem", "read_corpus", "read_article", "read_metadata", "parse_published", "ARTICLE_SUFFIXES",
           "METADATA_FIELDS"]

ARTICLE_SUFFIXES = (".txt",)


@dataclass
class CorpusItem:
    path: Path
    article: Article | None = None
    error: ArticleError | None = None
    warnings: list[str] = field(default_factory=list)


#: Fields an entry of ``metadata.json`` may have; other fields are reported (W006) and ignored.
METADATA_FIELDS = ("file", "title", "publisher", "published", "date_basis", "url")


def read_metadata(folder: Path, *, max_bytes: int) -> tuple[dict[str, dict[str, object]], list[str]]:
    """``metadata.json`` as {file name: entry}, and warnings.

    A metadata file that cannot be used is an :class:`ArticleError` E039 naming the problem (not
    a warning): building without it would lose every article's date and title silently.
    """
    path = folder / "metadata.json"
    if not path.exists() and not path.is_symlink():
        return {}, []
    where = str(path)
    if path.is_dir():
        raise ArticleError(where, "is a folder; metadata.json must be a file", code="E039")
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise ArticleError(where, f"too large ({size:,} bytes; the limit is {max_bytes:,})", code="E039")
        text = path.read_bytes().decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ArticleError(where, f"not valid UTF-8 (byte {exc.start}: {exc.reason})", code="E039") from None
    except OSError as exc:
        raise ArticleError(where, f"cannot read: {exc.strerror or exc}", code="E039") from None
    try:
        rows = json.loads(text.removeprefix("\ufeff"))
    except json.JSONDecodeError as exc:
        raise ArticleError(where, f"not JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})", code="E039") from None
    except RecursionError:
        raise ArticleError(where, "not a list of entries: nested too deeply", code="E039") from None
    if not isinstance(rows, list):
        raise ArticleError(where, f"must be a list of entries, not {_json_kind(rows)}", code="E039")
    entries: dict[str, dict[str, object]] = {}
    warnings: list[str] = []
    for i, row in enumerate(rows, 1):
        entry = _check_entry(where, i, row)
        name = str(entry["file"])
        if name in entries:
            raise ArticleError(where, f"entry {i}: file {name!r} is listed twice", code="E039")
        unknown = sorted(set(entry) - set(METADATA_FIELDS))
        if unknown:
            warnings.append(warning("W006", path=where, entry=i, fields=", ".join(unknown)))
        entries[name] = entry
    return entries, warnings


def _json_kind(value: object) -> str:
    return {dict: "an object", list: "a list", str: "a string", bool: "true or false",
            type(None): "null"}.get(type(value), "a number")


def _check_entry(where: str, i: int, row: object) -> dict[str, object]:
    if not isinstance(row, dict):
        raise ArticleError(where, f"entry {i} must be an object, not {_json_kind(row)}", code="E039")
    name = row.get("file")
    if not isinstance(name, str) or not name.strip():
        raise ArticleError(where, f"entry {i} has no \"file\" (the article's file name)", code="E039")
    for key in METADATA_FIELDS[1:]:
        value = row.get(key)
        if value is not None and not isinstance(value, str):
            raise ArticleError(where, f"entry {i} ({name}): {key} must be a string or null, not {_json_kind(value)}",
                               code="E039")
    published = row.get("published")
    if published is not None and parse_published(published) is None and not _PARTIAL_DATE.fullmatch(str(published)):
        raise ArticleError(where, f"entry {i} ({name}): published {published!r} is not a date "
                                  "(YYYY-MM-DD, YYYY-MM, YYYY, or an ISO 8601 date and time)", code="E039")
    return row


def parse_published(value: object) -> dt.date | None:
    """A publication date from ``YYYY-MM-DD`` or a full ISO 8601 date-time; None for anything else."""
    if not isinstance(value, str):
        return None
    text = value.strip()
    if _ISO_DATE.fullmatch(text):
        try:
            return dt.date.fromisoformat(text)
        except ValueError:
            return None
    if _ISO_DATETIME.fullmatch(text):
        try:
            return dt.datetime.fromisoformat(text.replace("Z", "+00:00")).date()
        except ValueError:
            return None
    return None


_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
#: A publication date known to the month or year only: accepted, but no day to resolve relative dates (W002).
_PARTIAL_DATE = re.compile(r"\d{4}(?:-(?:0[1-9]|1[0-2]))?")
_ISO_DATETIME = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,6})?)?(?:Z|[+-]\d{2}:?\d{2})?")


def read_article(path: Path, entry: dict[str, object] | None, *, max_bytes: int) -> CorpusItem:
    item = CorpusItem(path)
    name = str(path)
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise ArticleError(name, f"too large ({size:,} bytes; the limit is {max_bytes:,})", code="E034")
        data = path.read_bytes()
        if not data.strip():
            raise ArticleError(name, "empty file", code="E031")
        if b"\x00" in data:
            raise ArticleError(name, "binary file (contains NUL bytes), not a text article", code="E032")
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise ArticleError(name, f"not valid UTF-8 (byte {exc.start}: {exc.reason})", code="E033") from None
        if text.startswith("\ufeff"):
            text = text[1:]
    except ArticleError as exc:
        item.error = exc
        return item
    except OSError as exc:
        item.error = ArticleError(name, f"cannot read: {exc.strerror}", code="E035")
        return item
    entry = entry or {}
    if not entry:
        item.warnings.append(warning("W001", path=name))
    published = parse_published(entry.get("published"))
    if published is None:
        item.warnings.append(warning("W002", path=name))
    meta = ArticleMeta(
        file_name=path.name,
        title=str(entry["title"]) if entry.get("title") else None,
        publisher=str(entry["publisher"]) if entry.get("publisher") else None,
        published=published,
        date_basis=str(entry["date_basis"]) if entry.get("date_basis") else None,
        url=str(entry["url"]) if entry.get("url") else None,
        published_month=str(entry["published"]) if isinstance(entry.get("published"), str)
        and re.fullmatch(r"(?:19|20)\d\d-(?:0[1-9]|1[0-2])", str(entry["published"])) else None,
    )
    item.article = Article(text=text, meta=meta)
    return item


def read_corpus(folder: Path, *, max_bytes: int) -> Iterator[CorpusItem]:
    """Every article file of ``folder`` in name order."""
    if not folder.is_dir():
        raise ArticleError(str(folder), "not a folder of articles", code="E036")
    metadata, notes = read_metadata(folder, max_bytes=max_bytes)
    files = sorted(p for p in folder.iterdir() if p.is_file() and p.suffix.lower() in ARTICLE_SUFFIXES)
    for i, path in enumerate(files):
        item = read_article(path, metadata.get(path.name), max_bytes=max_bytes)
        if i == 0:
            item.warnings = notes + item.warnings
        yield item
    names = {p.name for p in files}
    for missing in sorted(set(metadata) - names):
        yield CorpusItem(folder / missing, warnings=[warning("W004", path=str(folder / missing))])
