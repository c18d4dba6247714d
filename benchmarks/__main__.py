"""``python -m benchmarks``: generate the data, run every benchmark and write ``BENCHMARKS.md``.

See :mod:`benchmarks.suite` (the code lives there so that its child processes can import it).
"""

from __future__ import annotations

from .suite import main

if __name__ == "__main__":
    raise SystemExit(main())
