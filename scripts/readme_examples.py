"""Render the README's "Three questions" section from docs/examples/*.rq and their real output.

    python scripts/readme_examples.py          # print the section
    python scripts/readme_examples.py --write  # replace it in README.md

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


def _cell(value: object) -> str:
    return "" if value is None else str(value).replace("|", "\\|").replace("\n", " ")


def render(service: GraphService) -> str:
    parts = [BEGIN]
    for name in EXAMPLES:
        query = (ROOT / "docs" / "examples" / name).read_text(encoding="utf-8")
        title = query.splitlines()[0].lstrip("# ").strip()
        rows = service.store.select(query)
        head = list(rows[0]) if rows else []
        parts += [f"### {title}", "", f"`docs/examples/{name}`:", "", "```sparql", query.rstrip(), "```", "",
                  f"Output ({len(rows)} rows):", "", "| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
        parts += ["| " + " | ".join(_cell(r[h]) for h in head) + " |" for r in rows]
        parts.append("")
    parts.append(END)
    return "\n".join(parts)


def main() -> None:
    with GraphService(settings=Settings.from_env().with_(store=None)) as service:
        service.ensure_loaded()
        section = render(service)
    if "--write" in sys.argv:
        readme = (ROOT / "README.md").read_text(encoding="utf-8")
        start, end = readme.index(BEGIN), readme.index(END) + len(END)
        (ROOT / "README.md").write_text(readme[:start] + section + readme[end:], encoding="utf-8")
    else:
        print(section)


if __name__ == "__main__":
    main()
