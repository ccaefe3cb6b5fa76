"""Sample articles shipped with newsdistill for ``newsdistill demo`` (fictional, written for
this project: see samples/README.md)."""

from __future__ import annotations

from pathlib import Path


def samples_dir() -> Path:
    """The folder holding the sample articles."""
    return Path(__file__).resolve().parent / "samples"
