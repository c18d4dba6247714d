"""Event routes under ``/graph/events``: why an event's reports were joined, and analysts'
merges and splits (the same as ``conflictkg events``; writing needs the server's token).

- ``GET /graph/events/{event}/reports``: the event, its reports, and for each the report it was
  linked through, the features matched and the score;
- ``POST /graph/events/merge`` ``{"event", "other", "note"?}``: two events are one;
- ``POST /graph/events/{event}/split`` ``{"article", "note"?}``: an article's report is not this event.

Every call goes through ``service.events`` (:class:`conflictkg.event_curation.EventCurator`).
Unknown events answer 404 (``E125``); a merge of an event with itself or a split of a report
the event does not have answers 400 (``E126``-``E128``).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, FastAPI, Request
from pydantic import BaseModel, ConfigDict, Field

from conflictkg.service import GraphService

from .app import service_of
from .auth import write_refusal

__all__ = ["include", "router"]

router = APIRouter(prefix="/graph/events", tags=["events"])
Service = Annotated[GraphService, Depends(service_of)]


class ReportLink(BaseModel):
    report: str = Field(description="The report's id: <article key>-<n>")
    article: str = Field(description="The key of the article the report comes from")
    linked_to: str | None = Field(description="The report of another article it was linked through (none for the first)")
    features: list[str] = Field(description="What the two reports share: place:same, time:same-day, figure:killed:89:89, ...")
    score: float | None = Field(description="The evidence the features add up to")


class EventReports(BaseModel):
    event: str = Field(description="The event's IRI")
    label: str | None
    begin: str | None
    end: str | None
    place: str | None = Field(description="The IRI of the place its reports agree on")
    reports: list[ReportLink]


class MergeIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    event: str = Field(description="An event's key, node id or IRI", max_length=300)
    other: str = Field(description="The event it is the same as", max_length=300)
    note: str | None = Field(default=None, description="Why (kept with the decision)", max_length=2000)


class SplitIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    article: str = Field(description="The key of the article whose report is not this event", max_length=64)
    note: str | None = Field(default=None, description="Why (kept with the decision)", max_length=2000)


class SplitOut(BaseModel):
    split: EventReports = Field(description="The event the article's report is now")
    rest: EventReports = Field(description="The event the other reports are now")


_WRITE = {401: {"description": "No or wrong token"}, 403: {"description": "Read-only server"}}


@router.get("/{event_id:path}/reports", response_model=EventReports, summary="An event's reports and why they were linked")
def reports(event_id: str, service: Service) -> dict[str, Any]:
    return service.events.show(event_id)


@router.post("/merge", response_model=EventReports, summary="Two events are one (needs the write token)", responses=_WRITE)
def merge(body: MergeIn, request: Request, service: Service) -> Any:
    refused = write_refusal(request, service, action="event merges")
    if refused is not None:
        return refused
    return service.events.merge(body.event, body.other, by="api", note=body.note)


@router.post("/{event_id:path}/split", response_model=SplitOut,
             summary="An article's report is not this event (needs the write token)", responses=_WRITE)
def split(event_id: str, body: SplitIn, request: Request, service: Service) -> Any:
    refused = write_refusal(request, service, action="event splits")
    if refused is not None:
        return refused
    return service.events.split(event_id, body.article, by="api", note=body.note)


def include(app: FastAPI) -> None:
    """Add the ``/graph/events`` routes to ``app``."""
    app.include_router(router)
