"""Helpers shared by the benchmarks: where the evaluation data lives, table printing."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
EVAL_DATA = REPO.parent / "shared" / "eval-data"


def eval_path(*parts: str) -> Path | None:
    """Path inside ../shared/eval-data, or None (with a message) when it is absent."""
    p = EVAL_DATA.joinpath(*parts)
    if not p.exists():
        print(
            f"skipped: {p} is absent (evaluation data lives in ../shared/eval-data)",
            file=sys.stderr,
        )
        return None
    return p


def table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """A plain-text table with right-aligned numbers."""
    cells = [[_fmt(c) for c in row] for row in rows]
    widths = [
        max(len(h), *(len(r[i]) for r in cells)) if cells else len(h) for i, h in enumerate(headers)
    ]

    def line(r: Sequence[str]) -> str:
        return "  ".join(
            c.rjust(w) if i else c.ljust(w) for i, (c, w) in enumerate(zip(r, widths, strict=True))
        )

    return "\n".join(
        [line(list(headers)), line(["-" * w for w in widths]), *(line(r) for r in cells)]
    )


def _fmt(c: object) -> str:
    if isinstance(c, float):
        return f"{c:.3f}"
    return str(c)
