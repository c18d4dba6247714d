"""The extraction pipeline: named ``doc -> doc`` components run in order.

Components register with :func:`component`, declaring what they ``requires`` and
``assigns`` (attributes of :class:`~conflictkg.extract.doc.Doc`). :func:`analyse` reports a
``requires`` no earlier component assigns; :class:`Pipeline` refuses such an order.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from ..errors import ConflictKGError
from .doc import Doc

__all__ = ["Component", "component", "REGISTRY", "DEFAULT_PIPELINE", "Pipeline", "analyse"]


@dataclass(frozen=True)
class Component:
    name: str
    func: Callable[[Doc], Doc]
    requires: tuple[str, ...]
    assigns: tuple[str, ...]

    def __call__(self, doc: Doc) -> Doc:
        out = self.func(doc)
        if not isinstance(out, Doc):
            raise ConflictKGError(f"component {self.name!r} returned {type(out).__name__}, not a Doc", code="E080")
        return out


REGISTRY: dict[str, Component] = {}

#: The order of the default pipeline.
DEFAULT_PIPELINE = ("clean", "sentences", "mentions", "places", "dates", "figures", "attribution", "claims", "events",
                    "populations")


def component(name: str, *, requires: Sequence[str] = (), assigns: Sequence[str] = ()) -> Callable[[Callable[[Doc], Doc]], Callable[[Doc], Doc]]:
    def register(func: Callable[[Doc], Doc]) -> Callable[[Doc], Doc]:
        REGISTRY[name] = Component(name, func, tuple(requires), tuple(assigns))
        return func

    return register


def analyse(names: Sequence[str]) -> list[str]:
    """Problems with a pipeline order: unknown components and unmet ``requires``."""
    problems, assigned = [], {"article", "resources"}
    for name in names:
        comp = REGISTRY.get(name)
        if comp is None:
            problems.append(f"unknown component {name!r}")
            continue
        problems += [f"{name} requires {r!r}, which no earlier component assigns" for r in comp.requires if r not in assigned]
        assigned.update(comp.assigns)
    return problems


class Pipeline:
    def __init__(self, names: Sequence[str] = DEFAULT_PIPELINE) -> None:
        from . import components  # noqa: F401  (registers the components)

        problems = analyse(names)
        if problems:
            raise ConflictKGError("bad pipeline: " + "; ".join(problems), code="E081")
        self.components = [REGISTRY[n] for n in names]

    def __call__(self, doc: Doc) -> Doc:
        for comp in self.components:
            doc = comp(doc)
        return doc
