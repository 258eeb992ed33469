"""The model page: the model card (Markdown with raw HTML off), per-label thresholds and the
metrics measured by ``damai evaluate`` on held-out data (``metrics.json``)."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request, Response
from markdown_it import MarkdownIt

from damai.web.context import WebContext
from damai.web.render import render

__all__ = ["add_model_routes", "render_card"]


@cache
def render_card(folder: str) -> str:
    """The model card as HTML. Raw HTML in the Markdown is escaped, never passed through, and
    markdown-it refuses ``javascript:`` links."""
    path = Path(folder) / "MODEL_CARD.md"
    if not path.is_file():
        return ""
    parser = MarkdownIt("commonmark", {"html": False}).enable("table")
    return str(parser.render(path.read_text(encoding="utf-8")))


def _metrics(folder: Path) -> list[dict[str, Any]]:
    path = folder / "metrics.json"
    if not path.is_file():
        return []
    evaluations: list[dict[str, Any]] = json.loads(path.read_text(encoding="utf-8")).get(
        "evaluations", [])
    return evaluations


def add_model_routes(app: FastAPI, ctx: WebContext) -> None:
    @app.get("/model")
    def model_page(request: Request) -> Response:
        served = ctx.served()
        folder, model = served.folder.resolve(), served.model
        thresholds = [(label, float(value)) for label, value
                      in zip(model.labels, model.thresholds, strict=True)]
        return render(request, "model.html", {
            "version": model.version, "thresholds": thresholds, "metrics": _metrics(folder),
            "card": render_card(str(folder))})
