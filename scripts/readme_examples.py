"""Render the README's analyst questions from docs/examples/*.rq and their real output.

"Three questions" run on the committed graph (data/turtle/); "All claims about one event,
across outlets" runs on the second development corpus (../shared/corpus-dev2) built alone,
since the committed graph holds one corpus only.

    python scripts/readme_examples.py          # print the sections
    python scripts/readme_examples.py --write  # replace them in README.md

tests/test_readme.py checks that README.md holds exactly what this renders.
"""

from __future__ import annotations

import sys
from pathlib import Path

from conflictkg.config import Settings
from conflictkg.service import GraphService

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ("khasham-casualty-figures.rq", "zakharova.rq", "contradictions.rq")
BEGIN, END = "<!-- examples:begin -->", "<!-- examples:end -->"
#: The event example: its query, the corpus it runs on, its markers in README.md.
EVENT_EXAMPLE = "event-across-outlets.rq"
EVENT_CORPUS = ROOT.parent / "shared" / "corpus-dev2"
EVENT_BEGIN, EVENT_END = "<!-- event-example:begin -->", "<!-- event-example:end -->"


def _cell(value: object) -> str:
    return "" if value is None else str(value).replace("|", "\\|").replace("\n", " ")


def _example(service: GraphService, name: str) -> list[str]:
    query = (ROOT / "docs" / "examples" / name).read_text(encoding="utf-8")
    title = query.splitlines()[0].lstrip("# ").strip()
    rows = service.store.select(query)
    head = list(rows[0]) if rows else []
    parts = [f"### {title}", "", f"`docs/examples/{name}`:", "", "```sparql", query.rstrip(), "```", "",
             f"Output ({len(rows)} rows):", "", "| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    parts += ["| " + " | ".join(_cell(r[h]) for h in head) + " |" for r in rows]
    return parts + [""]


def render(service: GraphService) -> str:
    parts = [BEGIN]
    for name in EXAMPLES:
        parts += _example(service, name)
    parts.append(END)
    return "\n".join(parts)


def render_event(service: GraphService) -> str:
    """The event example, on a service whose store holds the second development corpus."""
    return "\n".join([EVENT_BEGIN, *_example(service, EVENT_EXAMPLE), EVENT_END])


def event_service() -> GraphService:
    """An in-memory service with ../shared/corpus-dev2 built into it (no Turtle written)."""
    service = GraphService(settings=Settings.from_env().with_(store=None, turtle_dir=None))
    service.builder.build(EVENT_CORPUS)
    return service


def main() -> None:
    with GraphService(settings=Settings.from_env().with_(store=None)) as service:
        service.ensure_loaded()
        section = render(service)
    with event_service() as service:
        event = render_event(service)
    if "--write" in sys.argv:
        readme = (ROOT / "README.md").read_text(encoding="utf-8")
        for begin, end, text in ((BEGIN, END, section), (EVENT_BEGIN, EVENT_END, event)):
            start, stop = readme.index(begin), readme.index(end) + len(end)
            readme = readme[:start] + text + readme[stop:]
        (ROOT / "README.md").write_text(readme, encoding="utf-8")
    else:
        print(section + "\n\n" + event)


if __name__ == "__main__":
    main()
