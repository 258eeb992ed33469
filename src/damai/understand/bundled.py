"""The bundled default model, trained by ``make models`` and shipped inside the package."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from damai.understand.model import TextClassifier

__all__ = ["DEFAULT_MODEL_DIR", "load_model"]

DEFAULT_MODEL_DIR = Path(__file__).resolve().parents[1] / "models" / "default"


@cache
def _load(path: str) -> TextClassifier:
    return TextClassifier.load(Path(path))


def load_model(path: Path | None = None) -> TextClassifier:
    """The model in ``path``, or the bundled default; loaded once per process."""
    return _load(str((path or DEFAULT_MODEL_DIR).resolve()))
