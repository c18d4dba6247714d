"""The rules and dictionary files validate at load, and broken files are refused with the line."""

import json
import shutil

import pytest

from conflictkg.dictionary import load_dictionary
from conflictkg.errors import DataFileError
from conflictkg.resources import DICTIONARY_DIR, RULES_DIR
from conflictkg.rules import SCHEMAS, load_rules


def test_every_rules_file_validates():
    rules = load_rules()
    assert sorted(p.stem for p in RULES_DIR.glob("*.jsonl")) == sorted(SCHEMAS)
    assert len(rules.cues) > 10 and rules.number_values["nine"] == 9


@pytest.mark.parametrize("line,code,fragment", [
    ('{"id": "cue.x", "label": "cue", "pattern": "(said", "speaker": "left"}', "E023", "pattern does not compile"),
    ('{"id": "cue.x", "label": "cue", "pattern": "said", "speaker": "up"}', "E023", "speaker"),
    ('{"id": "cue.x", "label": "cue", "pattern": "said", "speaker": "left", "stance": "shouts"}', "E023", "not one of"),
    ('not json', "E022", "not JSON"),
    ('{"id": "cue.said", "label": "cue", "pattern": "said", "speaker": "left"}', "E024", "already used"),
])
def test_broken_rules_are_refused_with_their_line(tmp_path, line, code, fragment):
    folder = tmp_path / "rules"
    shutil.copytree(RULES_DIR, folder)
    with open(folder / "cues.jsonl", "a", encoding="utf-8") as f:
        f.write(line + "\n")
    with pytest.raises(DataFileError) as exc:
        load_rules(folder)
    assert exc.value.code == code and fragment in exc.value.message
    assert "cues.jsonl:" in exc.value.message


def test_unknown_rules_file_is_refused(tmp_path):
    folder = tmp_path / "rules"
    shutil.copytree(RULES_DIR, folder)
    (folder / "extra.jsonl").write_text(json.dumps({"id": "x", "label": "x", "pattern": "x"}) + "\n")
    with pytest.raises(DataFileError, match="unknown rules files"):
        load_rules(folder)


def test_dictionary_loads_with_hierarchy():
    d = load_dictionary()
    assert d.place_ancestors("khasham") == ["khasham", "deir-ez-zor-governorate", "eastern-syria", "syria"]
    assert d.actors["maria-zakharova"].affiliated_with == ("russian-mfa",)
    assert d.actors["russian-mfa"].affiliated_with == ("russian-government",)
    assert d.lookup("Dayr al-Zawr") == (None, "deir-ez-zor-governorate")


def test_dictionary_references_are_checked(tmp_path):
    folder = tmp_path / "dictionary"
    shutil.copytree(DICTIONARY_DIR, folder)
    with open(folder / "actors.yaml", "a", encoding="utf-8") as f:
        f.write("- id: ghost\n  label: Ghost\n  type: Person\n  affiliated_with: [nobody]\n")
    with pytest.raises(DataFileError, match="actor ghost: unknown actor 'nobody'"):
        load_dictionary(folder)


def test_a_population_mark_without_its_subset_is_refused(tmp_path):
    folder = tmp_path / "rules"
    shutil.copytree(RULES_DIR, folder)
    with open(folder / "population_terms.jsonl", "a", encoding="utf-8") as f:
        f.write('{"id": "population.mark-after.x", "label": "x", "pattern": "died here", "term": "mark-after"}\n')
    with pytest.raises(DataFileError) as exc:
        load_rules(folder)
    assert exc.value.code == "E023" and "must name the subset it marks" in exc.value.message
    assert "population_terms.jsonl:" in exc.value.message
