"""How the benchmarks write numbers: durations, ratios, sizes."""

from __future__ import annotations

__all__ = ["human", "ms", "times"]


def ms(seconds: float) -> str:
    """A duration in milliseconds, with as many digits as it deserves."""
    v = 1000 * seconds
    return f"{v:,.0f} ms" if v >= 100 else f"{v:.1f} ms" if v >= 1 else f"{v:.2f} ms"


def times(x: float) -> str:
    """A ratio, e.g. ``12x``, ``1.6x``, ``0.0044x``."""
    return f"{x:,.0f}x" if x >= 10 else f"{x:.1f}x" if x >= 0.1 else f"{x:.2g}x"


def human(n: int) -> str:
    """A size, e.g. ``10M``, ``100k``."""
    return f"{n // 1_000_000}M" if n >= 1_000_000 and n % 1_000_000 == 0 else f"{n // 1000}k" if n % 1000 == 0 else str(n)
