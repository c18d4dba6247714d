"""Articles for the workbench (``service.articles``): list, read back with their claims, preview, add.

The store keeps each article's metadata and the evidence spans of its claims, not its whole
text (the committed graph never copies articles in full). To show an article with its spans
highlighted, the text is read from:

1. the folder of articles added through the page (``Settings.articles_dir``, by default
   ``articles/`` beside the store folder; kept in memory for an in-memory store), then
2. the corpus the graph was built from (``Settings.corpus_dir``, ``CONFLICTKG_CORPUS_DIR``),
   by the article's ``ckg:fileName``.

A text is used only when its SHA-256 equals the article's ``ckg:contentHash``, so offsets
always point into the very text they were computed on. Without it the page shows the
evidence spans alone, with their offsets.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rdflib import URIRef

from .config import ARTICLES_DIR_NAME
from .errors import ArticleError, BadParameter, NotFound
from .model import Article, ArticleMeta, Claim
from .rdf import article_iri, event_iri

if TYPE_CHECKING:  # pragma: no cover
    from .extract import Doc
    from .service import GraphService

__all__ = ["ArticleLibrary", "ArticleInput", "TEXT_SOURCES"]

#: Where an article's text was found: a page upload, the corpus folder, or nowhere.
TEXT_SOURCES = ("added", "corpus", None)

_ARTICLES = """
SELECT ?art ?headline ?file ?published ?publisherLabel ?url ?length ?hash (COUNT(DISTINCT ?claim) AS ?claims)
WHERE {
  ?art a ckg:Article ; ckg:fileName ?file ; ckg:contentHash ?hash ; ckg:textLength ?length .
  OPTIONAL { ?art schema:headline ?headline }
  OPTIONAL { ?art schema:datePublished ?published }
  OPTIONAL { ?art schema:publisher/skos:prefLabel ?publisherLabel }
  OPTIONAL { ?art schema:url ?url }
  OPTIONAL { ?claim ckg:sourceArticle ?art }
}
GROUP BY ?art ?headline ?file ?published ?publisherLabel ?url ?length ?hash
ORDER BY ?file ?art
"""

_LABELS = "SELECT ?s ?label WHERE { VALUES ?s { %s } ?s skos:prefLabel ?label }"
_KEY = re.compile(r"^[0-9a-f]{16}$")
_FILE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._ -]{0,200}$")
_URL = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:[^\s<>\"{}|\\^`]+$")


@dataclass(frozen=True, kw_only=True)
class ArticleInput:
    """An article as pasted into the page: its text and the metadata a corpus' metadata.json gives."""

    text: str
    title: str | None = None
    published: str | None = None
    publisher: str | None = None
    url: str | None = None
    file_name: str | None = None
    date_basis: str | None = None
    """How the publication date is known (default when ``published`` is given: given on the page)."""

    def article(self, max_bytes: int) -> Article:
        """The :class:`Article` to extract; bad input is an :class:`ArticleError` or :class:`BadParameter`."""
        text = self.text.removeprefix("\ufeff")
        name = self.file_name or "pasted article"
        if not text.strip():
            raise ArticleError(name, "empty text", code="E031")
        if "\x00" in text:
            raise ArticleError(name, "the text contains NUL characters", code="E032")
        size = len(text.encode("utf-8"))
        if size > max_bytes:
            raise ArticleError(name, f"too large ({size:,} bytes; the limit is {max_bytes:,})", code="E034")
        published = None
        if self.published:
            try:
                published = dt.date.fromisoformat(self.published)
            except ValueError:
                raise BadParameter(f"published must be a date YYYY-MM-DD; got {self.published!r}") from None
        if self.url and not _URL.match(self.url):
            raise BadParameter(f"url must be an absolute IRI without spaces; got {self.url!r}")
        key = hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]
        file_name = self.file_name or f"added_{key}.txt"
        if not _FILE_NAME.match(file_name):
            raise BadParameter("file_name must be letters, digits, '.', '_', '-' or spaces (at most 200), "
                               f"starting with a letter or digit; got {file_name!r}")
        meta = ArticleMeta(file_name=file_name, title=(self.title or "").strip() or None,
                           publisher=(self.publisher or "").strip() or None, published=published,
                           date_basis=(self.date_basis or "given on the workbench page") if published else None,
                           url=self.url or None)
        return Article(text=text, meta=meta)


class ArticleLibrary:
    """The workbench's view of articles."""

    def __init__(self, service: GraphService) -> None:
        self.service = service
        self._memory: dict[str, str] = {}

    # --- where texts are ----------------------------------------------------------------------

    @property
    def added_dir(self) -> Path | None:
        """Folder of texts added through the page (None: kept in memory, for an in-memory store)."""
        settings = self.service.settings
        if settings.articles_dir is not None:
            return settings.articles_dir
        if settings.store is None:
            return None
        return Path(settings.store).parent / ARTICLES_DIR_NAME

    def _text(self, key: str, file_name: str, content_hash: str) -> tuple[str | None, str | None]:
        """(text, where it was found) for an article, or (None, None) when no matching text is at hand."""
        candidates: list[tuple[str, str | None]] = []
        if key in self._memory:
            candidates.append(("added", self._memory[key]))
        added = self.added_dir
        if added is not None:
            candidates.append(("added", _read(added / f"{key}.txt")))
        corpus = self.service.settings.corpus_dir
        if corpus is not None and Path(file_name).name == file_name:
            candidates.append(("corpus", _read(Path(corpus) / file_name)))
        for source, text in candidates:
            if text is not None and hashlib.sha256(text.encode("utf-8")).hexdigest() == content_hash:
                return text, source
        return None, None

    # --- reading ------------------------------------------------------------------------------

    def list(self, *, only: str | None = None) -> list[dict[str, Any]]:
        """Every article in the store, in file-name order (or only the one with IRI ``only``)."""
        out = []
        for r in self.service.store.select(_ARTICLES, {"art": URIRef(only)} if only else None):
            iri = str(r["art"])
            out.append({
                "key": iri.rsplit("/", 1)[-1],
                "iri": iri,
                "headline": None if r["headline"] is None else str(r["headline"]),
                "file_name": str(r["file"]),
                "published": None if r["published"] is None else str(r["published"]),
                "publisher": None if r["publisherLabel"] is None else str(r["publisherLabel"]),
                "url": None if r["url"] is None else str(r["url"]),
                "text_length": int(r["length"]),  # type: ignore[call-overload]
                "content_hash": str(r["hash"]),
                "claim_count": int(r["claims"]),  # type: ignore[call-overload]
            })
        return out

    def get(self, key: str) -> dict[str, Any]:
        """One article with its text (when at hand) and its claims with their evidence spans."""
        if not _KEY.match(key):
            raise NotFound(f"no article {key!r} (article keys are 16 hex digits)", code="E063")
        found = self.list(only=str(article_iri(key)))
        if not found:
            raise NotFound(f"no article {key!r} in the store", code="E063")
        article = found[0]
        text, source = self._text(key, article["file_name"], article["content_hash"])
        return {**article, "text": text, "text_source": source, "claims": self.service.explorer.for_article(key)}

    # --- writing ------------------------------------------------------------------------------

    def preview(self, given: ArticleInput) -> dict[str, Any]:
        """What extraction finds in a pasted article, without committing anything."""
        article = given.article(self.service.settings.max_article_bytes)
        doc = self.service.builder.extract_linked(article)
        meta = article.meta
        return {**self._describe(doc), "text": article.text,
                "article": {"title": meta.title, "published": meta.published.isoformat() if meta.published else None,
                            "publisher": meta.publisher, "url": meta.url, "date_basis": meta.date_basis,
                            "file_name": meta.file_name}}

    def add(self, given: ArticleInput) -> dict[str, Any]:
        """Extract, validate (the SHACL gate) and commit an article; keep its text for the page.

        Raises :class:`~conflictkg.errors.ValidationFailed` (with the report) when the
        article's graph breaks the shapes; nothing is written then.
        """
        article = given.article(self.service.settings.max_article_bytes)
        outcome = self.service.builder.ingest(article)
        self._keep(article)
        return {"key": article.key, "graph": outcome.graph, "claims": outcome.claims, "events": outcome.events,
                "file_name": article.meta.file_name, "warnings": list(outcome.warnings)}

    def _keep(self, article: Article) -> None:
        folder = self.added_dir
        if folder is None:
            self._memory[article.key] = article.text
            return
        folder.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{article.key}.", dir=folder)
        try:
            with os.fdopen(fd, "w", encoding="utf-8", newline="") as f:
                f.write(article.text)
            os.replace(tmp, folder / f"{article.key}.txt")
        except BaseException:
            if os.path.exists(tmp):
                os.unlink(tmp)
            raise

    def _describe(self, doc: Doc) -> dict[str, Any]:
        labels = {a.iri: a.label for a in doc.actors}
        wanted = sorted({c.claimant for c in doc.claims} | {c.on_behalf_of for c in doc.claims if c.on_behalf_of}
                        - set(labels))
        if wanted:
            values = " ".join(URIRef(i).n3() for i in wanted)
            for r in self.service.store.select(_LABELS % values):
                labels.setdefault(str(r["s"]), str(r["label"]))
        events = {str(event_iri(e.key)): e.label for e in doc.events}
        text = doc.article.text
        claims = [_claim_dict(c, text, labels, events) for c in sorted(doc.claims, key=lambda c: (c.span, c.claimant))]
        return {
            "key": doc.article.key,
            "title": doc.title,
            "text_length": len(text),
            "claims": claims,
            "events": [{"iri": iri, "label": label} for iri, label in sorted(events.items())],
            "warnings": list(doc.warnings),
        }


def _label(iri: str, labels: dict[str, str]) -> dict[str, str]:
    return {"iri": iri, "label": labels.get(iri) or iri.rsplit("/", 1)[-1]}


def _claim_dict(c: Claim, text: str, labels: dict[str, str], events: dict[str, str]) -> dict[str, Any]:
    return {
        "claimant": _label(c.claimant, labels),
        "on_behalf_of": _label(c.on_behalf_of, labels) if c.on_behalf_of else None,
        "start": c.span.start,
        "end": c.span.end,
        "evidence": c.span.text(text),
        "date": c.date.iso if c.date else None,
        "stance": c.stance,
        "certainty": c.certainty,
        "hedges": list(c.hedges),
        "events": [{"iri": str(event_iri(e)), "label": events.get(str(event_iri(e)), e)} for e in c.events],
        "figures": [{"measure": f.measure, "low": f.low, "high": f.high, "qualifier": f.qualifier,
                     "surface": f.surface, "group": f.group} for f in c.figures],
    }


def _read(path: Path) -> str | None:
    try:
        data = path.read_bytes()
    except OSError:
        return None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return None
    return text.removeprefix("\ufeff")
