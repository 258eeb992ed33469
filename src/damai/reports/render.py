"""A report's document as a standalone HTML page (inline style, SVG charts, no script) and as a
PDF (:mod:`damai.reports.pdf`): what ``damai report`` writes and the dashboard serves."""

from __future__ import annotations

from functools import cache
from importlib.resources import files
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape

from damai.reports.document import document
from damai.reports.pdf import to_pdf
from damai.reports.text import say

__all__ = ["FORMATS", "render", "stylesheet", "to_html"]

FORMATS: tuple[str, ...] = ("html", "pdf")


@cache
def _environment() -> Environment:
    return Environment(loader=PackageLoader("damai.reports", "templates"),
                       autoescape=select_autoescape(["html"]))


@cache
def stylesheet() -> str:
    """The reports' CSS: inlined in a report file, served to the dashboard from its own URL."""
    return (files("damai.reports") / "templates" / "report.css").read_text(encoding="utf-8")


def to_html(data: dict[str, Any], lang: str = "id", css_url: str | None = None) -> str:
    """The report as one HTML page; its style inline, or linked from ``css_url``."""
    doc = document(data, lang)
    return _environment().get_template("report.html").render(
        doc=doc, period_label=say("period", lang), generated_label=say("generated", lang),
        no_data=say("no_data", lang), stylesheet=css_url, css=stylesheet())


def render(data: dict[str, Any], fmt: str, lang: str = "id", css_url: str | None = None) -> bytes:
    """The report as ``html`` or ``pdf`` bytes."""
    if fmt == "pdf":
        return to_pdf(document(data, lang), say("no_data", lang), say("generated", lang))
    return to_html(data, lang, css_url).encode()
