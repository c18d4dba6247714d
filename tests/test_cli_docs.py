"""Every environment variable a CLI flag reads is in the README's configuration table."""

import argparse
import re
from pathlib import Path

from conflictkg.cli import build_parser, main

ROOT = Path(__file__).resolve().parents[1]


def _env_flags(parser: argparse.ArgumentParser) -> set[str]:
    out: set[str] = set()
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for sub in action.choices.values():
                out |= _env_flags(sub)
        elif action.help and (m := re.search(r"\[env (CONFLICTKG_\w+)\]", action.help)):
            out.add(m.group(1))
    return out


def test_every_flag_variable_is_documented():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    variables = _env_flags(build_parser())
    assert {"CONFLICTKG_STORE", "CONFLICTKG_TOKEN", "CONFLICTKG_QUERY_TIMEOUT"} <= variables
    assert {v for v in variables if f"`{v}`" not in readme} == set()


def test_a_command_flag_takes_its_default_from_the_environment(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("CONFLICTKG_FORMAT", "csv")
    monkeypatch.setenv("CONFLICTKG_STORE", ":memory:")
    assert main(["claims"]) == 0  # loads the committed graph into a memory store
    assert capsys.readouterr().out.startswith("article,claim,claimant,")
    monkeypatch.setenv("CONFLICTKG_FORMAT", "xml")
    assert main(["claims"]) == 2
    assert capsys.readouterr().err == "conflictkg: [E011] --format must be jsonl or csv, not 'xml'\n"


def test_the_access_log_is_off_unless_asked_for(monkeypatch):
    from conflictkg.config import DEFAULT_ACCESS_LOG, Settings
    from conflictkg.errors import ConfigError

    assert DEFAULT_ACCESS_LOG is False and Settings().access_log is False
    parser = build_parser()
    monkeypatch.setenv("CONFLICTKG_ACCESS_LOG", "on")
    assert Settings.from_env().access_log is True
    args = parser.parse_args(["serve", "--no-access-log"])
    assert Settings.from_env(access_log=args.access_log).access_log is False
    monkeypatch.setenv("CONFLICTKG_ACCESS_LOG", "sometimes")
    try:
        Settings.from_env()
    except ConfigError as exc:
        assert str(exc) == "[E011] CONFLICTKG_ACCESS_LOG='sometimes' is not one of 1, true, yes, on, 0, false, no, off"
    else:
        raise AssertionError("an invalid CONFLICTKG_ACCESS_LOG was accepted")
