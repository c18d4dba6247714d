"""Event coreference on the development corpora, each built alone and scored by ../shared/eval:
the floors of issue 13 (event_coref_f1 >= 0.85, event_linked >= 0.90)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from conflictkg.config import Settings
from conflictkg.service import GraphService

from conftest import SCORER, SHARED

FLOORS = {"event_coref_f1": 0.85, "event_linked": 0.90}
CORPORA = [("corpus", "seeds.yaml"), ("corpus-dev2", "dev2.yaml")]


@pytest.mark.parametrize("corpus, gold", CORPORA, ids=[c for c, _ in CORPORA])
def test_event_floors(corpus: str, gold: str, tmp_path: Path) -> None:
    folder, gold_file = SHARED / corpus, SHARED / "gold" / gold
    if not (folder.is_dir() and gold_file.exists() and SCORER.exists()):
        pytest.skip(f"{folder}, {gold_file} or the scorer is missing")
    with GraphService(settings=Settings.from_env().with_(store=None, turtle_dir=None)) as service:
        assert service.builder.build(folder).ok
        out = tmp_path / "claims.jsonl"
        with out.open("w", encoding="utf-8") as f:
            service.claims.write(f, fmt="jsonl")
    done = subprocess.run([sys.executable, str(SCORER), "--gold", str(gold_file), "--corpus", str(folder),
                           "--pred", str(out), "--json"], capture_output=True, text=True, check=True)
    scores = json.loads(done.stdout)
    low = {k: scores[k] for k, floor in FLOORS.items() if scores[k] is None or scores[k] < floor}
    assert low == {}, scores
