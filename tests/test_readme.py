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
