"""The contradictions and revisions the graph stores meet the gold floors (issue 14).

Each corpus is built alone; its pairs come from ``conflictkg contradictions`` (the CLI, as an
analyst runs it) and are scored by ``../shared/eval/score_claims.py --contradictions``.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from conflictkg.cli import main

from conftest import SHARED, SCORER

FLOOR = 0.90
CORPORA = {"seeds": (SHARED / "corpus", SHARED / "gold" / "seeds.yaml"),
           "dev2": (SHARED / "corpus-dev2", SHARED / "gold" / "dev2.yaml")}


def _scores(name: str, tmp: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, object]:
    corpus, gold = CORPORA[name]
    if not corpus.is_dir() or not SCORER.exists():
        pytest.skip(f"the {name} corpus or the scorer is not in ../shared")
    monkeypatch.setenv("CONFLICTKG_STORE", str(tmp / "store"))
    monkeypatch.setenv("CONFLICTKG_TURTLE_DIR", str(tmp / "turtle"))
    assert main(["build", str(corpus)]) == 0
    assert main(["claims", "--format", "jsonl", "-o", str(tmp / "claims.jsonl")]) == 0
    assert main(["contradictions", "--format", "jsonl", "-o", str(tmp / "pairs.jsonl")]) == 0
    done = subprocess.run([sys.executable, str(SCORER), "--gold", str(gold), "--corpus", str(corpus), "--pred",
                           str(tmp / "claims.jsonl"), "--contradictions", str(tmp / "pairs.jsonl"), "--json"],
                          capture_output=True, text=True, check=True)
    return json.loads(done.stdout)  # type: ignore[no-any-return]


def _low(scores: dict[str, object], kinds: tuple[str, ...]) -> dict[str, object]:
    keys = [f"{k}_{m}" for k in kinds for m in ("precision", "recall")]
    return {k: scores[k] for k in keys if not isinstance(scores[k], float | int) or scores[k] < FLOOR}  # type: ignore[operator]


def test_seed_contradictions_meet_the_floors(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    scores = _scores("seeds", tmp_path, monkeypatch)
    assert scores["gold_revisions"] == 0  # the seeds hold no revision: only contradictions are scored
    assert _low(scores, ("contradiction",)) == {}, scores


def test_dev2_contradictions_and_revisions_meet_the_floors(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    scores = _scores("dev2", tmp_path, monkeypatch)
    assert _low(scores, ("contradiction", "revision")) == {}, scores
