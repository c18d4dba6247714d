"""Where the project's data files live: ontology, shapes, dictionaries, rules, Turtle output.

conflictkg is installed in editable mode (``pip install -e .``, as the README says), so the
data folders the user named (``ontology/``, ``shapes/``, ``data/``) stay at the top of the
repository and are found from here.
"""

from __future__ import annotations

from pathlib import Path

__all__ = [
    "PROJECT_ROOT",
    "ONTOLOGY_FILE",
    "SHAPES_DIR",
    "DICTIONARY_DIR",
    "RULES_DIR",
    "TURTLE_DIR",
    "QUERIES_DIR",
]

PROJECT_ROOT = Path(__file__).resolve().parents[2]
ONTOLOGY_FILE = PROJECT_ROOT / "ontology" / "conflictkg.ttl"
SHAPES_DIR = PROJECT_ROOT / "shapes"
DICTIONARY_DIR = PROJECT_ROOT / "data" / "dictionary"
RULES_DIR = PROJECT_ROOT / "data" / "rules"
TURTLE_DIR = PROJECT_ROOT / "data" / "turtle"
QUERIES_DIR = PROJECT_ROOT / "api" / "queries"
