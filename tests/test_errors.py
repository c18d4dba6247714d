"""Error codes are unique in meaning and documented in docs/errors.md, and the docs list no dead code."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _used() -> set[str]:
    codes: set[str] = set()
    for path in [*ROOT.joinpath("src").rglob("*.py"), *ROOT.joinpath("api").rglob("*.py")]:
        text = path.read_text(encoding="utf-8")
        codes.update(re.findall(r"""code\s*=\s*["']([EW]\d{3})["']""", text))
        codes.update(re.findall(r"""["'](E\d{3})["'],\s*\d{3}""", text))  # worker error tuples ("error", "E055", 503, ...)
        codes.update(re.findall(r"""\[W(\d{3})\]""", text) and [f"W{c}" for c in re.findall(r"\[W(\d{3})\]", text)])
        codes.update(re.findall(r"""^\s*["'](W\d{3})["']\s*:""", text, flags=re.M))
    return codes


def _documented() -> list[str]:
    return re.findall(r"^\| ([EW]\d{3}) \|", (ROOT / "docs" / "errors.md").read_text(encoding="utf-8"), flags=re.M)


def test_every_code_is_documented_once():
    documented = _documented()
    assert len(documented) == len(set(documented))
    assert _used() - set(documented) == set()


def test_every_documented_code_is_used():
    assert set(_documented()) - _used() == set()
