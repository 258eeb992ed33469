"""``damai watch SOURCE...``: follow live sources (filled in with damai.live)."""

from __future__ import annotations


def watch() -> None:
    """Ikuti sumber langsung. / Follow live sources."""
    raise NotImplementedError
