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

__all__ = ["CorpusItem", "read_corpus", "read_article", "read_metadata", "ARTICLE_SUFFIXES"]

ARTICLE_SUFFIXES = (".txt",)


@dataclass
class CorpusItem:
    path: Path
    article: Article | None = None
    error: ArticleError | None = None
    warnings: list[str] = field(default_factory=list)


def read_metadata(folder: Path) -> tuple[dict[str, dict[str, object]], list[str]]:
    """``metadata.json`` as {file name: entry}; a broken file is a warning, not a stop."""
    path = folder / "metadata.json"
    if not path.exists():
        return {}, []
    try:
        rows = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(rows, list):
            raise ValueError("not a list of entries")
        return {str(r["file"]): r for r in rows if isinstance(r, dict) and "file" in r}, []
    except (ValueError, UnicodeDecodeError, KeyError) as exc:
        return {}, [f"[W005] {path}: unreadable metadata ({exc}); articles are read without it"]


def _date(value: object) -> dt.date | None:
    if not isinstance(value, str):
        return None
    try:
        return dt.date.fromisoformat(value[:10])
    except ValueError:
        return None


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
    published = _date(entry.get("published"))
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
    metadata, notes = read_metadata(folder)
    files = sorted(p for p in folder.iterdir() if p.is_file() and p.suffix.lower() in ARTICLE_SUFFIXES)
    for i, path in enumerate(files):
        item = read_article(path, metadata.get(path.name), max_bytes=max_bytes)
        if i == 0:
            item.warnings = notes + item.warnings
        yield item
    names = {p.name for p in files}
    for missing in sorted(set(metadata) - names):
        yield CorpusItem(folder / missing, warnings=[warning("W004", path=str(folder / missing))])
