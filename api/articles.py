"""JSON routes of the analyst's workbench under ``/api``: claims, facets, articles, extraction preview, add.

* ``GET /api/claims``: the claims explorer, filtered (event, claimant, side, measure, date
  range, stance, article, text) and paged; ``GET /api/facets``: the values the filters offer.
* ``GET /api/articles`` and ``GET /api/articles/{key}``: articles, one with its text (when
  the corpus or the page's upload folder has it) and its claims with their evidence spans.
* ``POST /api/extract``: what extraction finds in a pasted article (text, or a chosen text or
  HTML file); nothing is committed.
* ``POST /api/articles``: commit an article through the SHACL gate (needs the write token;
  a refusal is 422 with the validation report).
* ``POST /api/fetch``: read a web address (a page or an RSS/Atom feed) and show what it holds;
  nothing is committed. ``POST /api/add``: add the page, or the feed's new items. Both need
  the write token; the server fetches public addresses only unless started with
  ``--fetch-private``, within a size and a time limit.
* ``POST /api/labels``: labels of IRIs (the query view shows labels, with the IRI on hover).
* ``GET /api/examples``: the named analyst queries with their SPARQL text, for the editor.

Routes only call ``service.explorer``, ``service.articles`` and ``service.sparql``.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, FastAPI, Query, Request
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from conflictkg.articles import ArticleInput
from conflictkg.config import DEFAULT_PAGE_SIZE, MAX_LABELS
from conflictkg.adding import add_address_report, preview_address
from conflictkg.explorer import SORT_KEYS, ClaimFilters
from conflictkg.sources import article_from_upload
from conflictkg.service import GraphService

from .app import service_of
from .auth import write_refusal

__all__ = ["include", "router"]

router = APIRouter(prefix="/api", tags=["workbench"])
Service = Annotated[GraphService, Depends(service_of)]


# --- models -------------------------------------------------------------------------------


class Ref(BaseModel):
    iri: str
    label: str


class FigureRow(BaseModel):
    measure: str = Field(description="killed, wounded, killed_or_wounded, attackers, missing or captured")
    low: int | None = Field(description="Inclusive lower bound; null = open")
    high: int | None = Field(description="Inclusive upper bound; null = open")
    qualifier: str
    surface: str = Field(description="The figure as written")
    group: str | None = Field(description="Who is counted")


class EvidenceSpan(BaseModel):
    start: int = Field(description="Offset of the first character (Unicode code points)")
    end: int = Field(description="Offset after the last character")
    exact: str = Field(description="The text between the offsets")


class ClaimRow(BaseModel):
    claim: str
    article_key: str
    article_file: str
    article_headline: str | None
    claimant: Ref
    on_behalf_of: Ref | None
    side: Ref | None = Field(description="The party of the conflict the claimant speaks for (a government, "
                                         "coalition, armed force or armed group), or null: media, monitors, "
                                         "activists and experts have none unless the dictionary states one")
    side_chain: list[Ref] = Field(description="The claimant, then what it is affiliated with, up to its side "
                                              "(empty when it has no side)")
    allies: list[Ref] = Field(description="Actors that back, or are backed by, a member of the side chain")
    date: str | None
    date_basis: str | None
    events: list[Ref]
    stance: str = Field(description="asserts, denies, accuses, claims_responsibility or confirms")
    certainty: str
    hedges: list[str]
    channel: str | None
    reported_via: str | None
    figures: list[FigureRow]
    spans: list[EvidenceSpan]
    rules: list[str]


class ClaimPage(BaseModel):
    total: int = Field(description="Claims that pass the filters")
    offset: int
    limit: int
    sort: str
    rows: list[ClaimRow]


class Count(BaseModel):
    iri: str
    label: str
    count: int
    node: str = Field(description="The node's id in the graph API and exports (GET /graph/...)")


class ValueCount(BaseModel):
    value: str
    count: int


class Facets(BaseModel):
    total: int
    events: list[Count]
    claimants: list[Count]
    sides: list[Count]
    measures: list[ValueCount]
    stances: list[ValueCount]
    date_min: str | None
    date_max: str | None


class ArticleSummary(BaseModel):
    key: str = Field(description="First 16 hex digits of the SHA-256 of the text")
    iri: str
    headline: str | None
    file_name: str
    published: str | None
    publisher: str | None
    url: str | None
    text_length: int
    content_hash: str
    claim_count: int


class ArticleDetail(ArticleSummary):
    text: str | None = Field(description="The full text when a copy with the same hash is at hand; else null")
    text_source: str | None = Field(description="added (through the page), corpus, or null")
    claims: list[ClaimRow]


class ArticleIn(BaseModel):
    text: str = Field(default="", description="The article text exactly as published (or give file_base64)")
    title: str | None = None
    published: str | None = Field(default=None, description="Publication date YYYY-MM-DD")
    publisher: str | None = None
    url: str | None = None
    file_name: str | None = Field(default=None, description="Name to record (default added_<key>.txt); with "
                                                            "file_base64, its suffix (.txt, .html) says how to read it")
    date_basis: str | None = Field(default=None, description="How the publication date is known")
    file_base64: str | None = Field(default=None, description="A text or HTML file instead of text, base64: its "
                                                              "main text, title, site name and date are read from it; "
                                                              "the fields given here override them")

    def given(self, max_bytes: int) -> ArticleInput:
        fields = {"title": self.title, "published": self.published, "publisher": self.publisher,
                  "url": self.url, "date_basis": self.date_basis}
        if self.file_base64 is not None:
            return article_from_upload(self.file_name, self.file_base64, max_bytes=max_bytes, **fields)
        return ArticleInput(text=self.text, file_name=self.file_name or None,
                            **{k: v or None for k, v in fields.items()})


class AddressIn(BaseModel):
    url: str = Field(description="An http(s) address: a web page or an RSS/Atom feed")


class LabelsIn(BaseModel):
    iris: list[str] = Field(description=f"IRIs to name (at most {MAX_LABELS})", max_length=MAX_LABELS)


class ExtractedClaim(BaseModel):
    claimant: Ref
    on_behalf_of: Ref | None
    start: int
    end: int
    evidence: str
    date: str | None
    stance: str
    certainty: str
    hedges: list[str]
    events: list[Ref]
    figures: list[FigureRow]


class Extraction(BaseModel):
    key: str
    title: str
    text_length: int
    claims: list[ExtractedClaim]
    events: list[Ref]
    warnings: list[str]
    text: str = Field(description="The text the offsets refer to (for a file: its extracted main text)")
    article: dict[str, str | None] = Field(description="The metadata the article would be stored with")


class FetchedItem(BaseModel):
    url: str
    title: str | None
    published: str | None
    in_store: bool


class Fetched(BaseModel):
    kind: str = Field(description="page or feed")
    source: str
    article: dict[str, str | None] | None = Field(description="For a page: text and metadata, as POST /api/articles takes them")
    in_store: bool | None = Field(description="For a page: whether its address or text is already in the store")
    title: str | None = Field(description="For a feed: its title")
    items: list[FetchedItem] | None = Field(description="For a feed: its items")
    warnings: list[str]


class AddOutcomeOut(BaseModel):
    source: str
    status: str = Field(description="added, skipped (already in the store) or failed")
    key: str | None
    title: str | None
    claims: int
    events: int
    message: str | None
    warnings: list[str]


class AddReport(BaseModel):
    added: int
    skipped: int
    failed: int
    outcomes: list[AddOutcomeOut]


class Added(BaseModel):
    key: str
    graph: str | None
    claims: int
    events: int
    file_name: str
    warnings: list[str]


class ExampleParam(BaseModel):
    name: str
    type: str
    required: bool
    description: str


class Example(BaseModel):
    name: str
    title: str
    description: str
    params: list[ExampleParam]
    text: str = Field(description="The SPARQL text")


# --- routes -------------------------------------------------------------------------------


@router.get("/claims", response_model=ClaimPage, summary="Claims, filtered and paged")
def claims(
    service: Service,
    event: Annotated[str | None, Query(description="Event IRI")] = None,
    claimant: Annotated[str | None, Query(description="Claimant IRI")] = None,
    side: Annotated[str | None, Query(description="Actor IRI in the claim's side chain")] = None,
    allies: Annotated[bool, Query(description="With side: also match the side's backers and those it backs")] = False,
    measure: Annotated[str | None, Query(description="Only claims with a figure of this measure")] = None,
    date_from: Annotated[str | None, Query(alias="from", description="Claim date on or after (YYYY-MM[-DD])")] = None,
    date_to: Annotated[str | None, Query(alias="to", description="Claim date on or before (YYYY-MM[-DD])")] = None,
    stance: Annotated[str | None, Query(description="asserts, denies, accuses, claims_responsibility, confirms")] = None,
    article: Annotated[str | None, Query(description="Article key")] = None,
    q: Annotated[str | None, Query(description="Words in the claimant's name or the evidence")] = None,
    sort: Annotated[str, Query(description=f"One of: {', '.join(SORT_KEYS)}")] = "article",
    offset: int = 0,
    limit: int = DEFAULT_PAGE_SIZE,
) -> dict[str, Any]:
    filters = ClaimFilters(event=event or None, claimant=claimant or None, side=side or None, allies=allies,
                           measure=measure or None, date_from=date_from or None, date_to=date_to or None,
                           stance=stance or None, article=article or None, text=q or None)
    return service.explorer.page(filters, offset=offset, limit=limit, sort=sort)


@router.get("/facets", response_model=Facets, summary="The values the claim filters offer, with counts")
def facets(service: Service) -> dict[str, Any]:
    return service.explorer.facets()


@router.get("/articles", response_model=list[ArticleSummary], summary="Every article in the store")
def articles(service: Service) -> list[dict[str, Any]]:
    return service.articles.list()


@router.get("/articles/{key}", response_model=ArticleDetail, summary="One article: text and claims")
def article(key: str, service: Service) -> dict[str, Any]:
    return service.articles.get(key)


@router.post("/extract", response_model=Extraction, summary="Preview what extraction finds (nothing is committed)")
async def extract(body: ArticleIn, service: Service) -> dict[str, Any]:
    return await run_in_threadpool(lambda: service.articles.preview(body.given(service.settings.max_page_bytes)))


@router.post("/articles", response_model=Added, status_code=201,
             summary="Add an article through the SHACL gate (needs the write token)",
             responses={401: {"description": "No or wrong token"}, 403: {"description": "Read-only server"},
                        422: {"description": "Refused: the validation report"}})
async def add_article(body: ArticleIn, request: Request, service: Service) -> Any:
    refusal = write_refusal(request, service, action="new articles")
    if refusal is not None:
        return refusal
    return await run_in_threadpool(lambda: service.articles.add(body.given(service.settings.max_page_bytes)))


@router.post("/fetch", response_model=Fetched, summary="Read a web page or feed and show what it holds (needs the "
                                                       "write token; nothing is committed)",
             responses={401: {"description": "No or wrong token"}, 403: {"description": "Read-only server"},
                        400: {"description": "The address cannot be read (E115-E118, E031-E033)"}})
async def fetch(body: AddressIn, request: Request, service: Service) -> Any:
    refusal = write_refusal(request, service, action="fetching addresses")
    if refusal is not None:
        return refusal
    return await run_in_threadpool(preview_address, service, body.url)


@router.post("/add", response_model=AddReport, summary="Add a web page, or a feed's new items (needs the write token)",
             responses={401: {"description": "No or wrong token"}, 403: {"description": "Read-only server"},
                        400: {"description": "The page cannot be read or added (E115-E118, E031-E034)"},
                        422: {"description": "Refused by the shapes: the validation report"}})
async def add_address(body: AddressIn, request: Request, service: Service) -> Any:
    refusal = write_refusal(request, service, action="new articles")
    if refusal is not None:
        return refusal
    return await run_in_threadpool(add_address_report, service, body.url)


@router.post("/labels", response_model=dict[str, str], summary="Labels of IRIs (those without one are left out)")
def labels(body: LabelsIn, service: Service) -> dict[str, str]:
    return service.explorer.labels(body.iris)


@router.get("/examples", response_model=list[Example], summary="The named analyst queries with their text")
def examples(service: Service) -> list[dict[str, Any]]:
    return [{**q.to_dict(), "text": q.text} for q in service.sparql.named_queries().values()]


def include(app: FastAPI) -> None:
    """Add the ``/api`` routes to ``app``."""
    app.include_router(router)
