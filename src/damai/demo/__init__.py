"""The bundled demo set: Indonesian posts written for Damai, in real platform formats."""

from __future__ import annotations

from pathlib import Path

__all__ = ["DEMO_DIR", "demo_paths"]

DEMO_DIR = Path(__file__).parent / "data"


def demo_paths() -> list[Path]:
    """The demo files, in name order."""
    return sorted(p for p in DEMO_DIR.iterdir() if p.is_file() and not p.name.startswith("."))
