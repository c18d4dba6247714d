"""A bounded schemathesis run against the app's own OpenAPI document, anonymous and with the write
token: no request schemathesis generates gets a 5xx it is not documented to give, and every answer's
status is one the document lists for its route (the real 4xx answers: 400, 401, 403, 404, 406, 413,
415, 422). Bounded: a few examples per operation, so the whole run takes seconds."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, settings
from schemathesis.checks import not_a_server_error, status_code_conformance

from conflictkg.service import GraphService

from fixtures_sparql import TOKEN, Client, make_service

#: Examples per API operation (and per token variant).
EXAMPLES = 8
#: Operations of the SPARQL service; the other routes are another module's (and its tests').
SPARQL_PATHS = ("/sparql", "/update", "/graph-store", "/queries", "/queries/{name}")

@schemathesis.serializer("application/sparql-query", "application/sparql-update", "text/turtle",
                         "application/n-triples", "application/rdf+xml")
def _as_text(ctx: schemathesis.SerializationContext, value: object) -> bytes:
    """The SPARQL and RDF bodies are text: the generated string, as UTF-8."""
    return (value if isinstance(value, str) else str(value)).encode("utf-8", "surrogatepass")


_SERVICE: GraphService = make_service(token=TOKEN, query_timeout=5.0)
schema = schemathesis.openapi.from_asgi("/openapi.json", Client(_SERVICE).app)


@pytest.fixture(scope="module", autouse=True)
def _close() -> Iterator[None]:
    yield
    _SERVICE.close()


def _documented_errors(response: object, case: schemathesis.Case) -> bool:
    """503s the document lists (time limit, busy workers) are answers, not server errors."""
    return response.status_code == 503 and "503" in case.operation.definition.raw.get("responses", {})  # type: ignore[attr-defined]


@pytest.mark.parametrize("token", [False, True], ids=["anonymous", "with-token"])
@schema.include(path_regex="^(" + "|".join(p.replace("{", r"\{").replace("}", r"\}") for p in SPARQL_PATHS) + ")$").parametrize()
@settings(max_examples=EXAMPLES, deadline=None, phases=[Phase.explicit, Phase.generate],
          suppress_health_check=list(HealthCheck))
def test_the_api_answers_as_its_openapi_document_says(case: schemathesis.Case, token: bool) -> None:
    headers = {"authorization": f"Bearer {TOKEN}"} if token else {}
    response = case.call(headers=headers)
    checks = [status_code_conformance] if _documented_errors(response, case) else \
        [not_a_server_error, status_code_conformance]
    case.validate_response(response, checks=checks)
