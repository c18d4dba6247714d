"""The README's analyst questions show their real output on the committed graph."""

import importlib.util
from pathlib import Path

from conflictkg.config import Settings
from conflictkg.service import GraphService

ROOT = Path(__file__).resolve().parents[1]


def test_readme_examples_match_the_committed_graph():
    spec = importlib.util.spec_from_file_location("readme_examples", ROOT / "scripts" / "readme_examples.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    with GraphService(settings=Settings.from_env().with_(store=None)) as service:
        service.ensure_loaded()
        section = module.render(service)
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert section in readme, "README examples are stale: run `python scripts/readme_examples.py --write`"
    assert "| 2018-02-15 | Maria Zakharova | killed | 5 | 5 | five |" in section


def test_readme_event_example_matches_the_dev_corpus():
    """"All claims about one event, across outlets": the real output on ../shared/corpus-dev2 built alone."""
    import pytest

    spec = importlib.util.spec_from_file_location("readme_examples", ROOT / "scripts" / "readme_examples.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    if not module.EVENT_CORPUS.is_dir():
        pytest.skip(f"the second development corpus is not at {module.EVENT_CORPUS}")
    with module.event_service() as service:
        section = module.render_event(service)
        rows = service.store.select((ROOT / "docs" / "examples" / module.EVENT_EXAMPLE).read_text(encoding="utf-8"))
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert section in readme, "README examples are stale: run `python scripts/readme_examples.py --write`"
    # One event, reported by three articles of three outlets.
    assert len({str(r["event"]) for r in rows}) == 1 and len({str(r["article"]) for r in rows}) == 3
