"""A report's document as a standalone HTML page (inline style, SVG charts, no script) and as a
PDF (:mod:`damai.reports.pdf`): what ``damai report`` writes and the dashboard serves."""

from __future__ import annotations

from functools import cache
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape

from damai.reports.document import document
from damai.reports.pdf import to_pdf
from damai.reports.text import say

__all__ = ["FORMATS", "render", "to_html"]

FORMATS: tuple[str, ...] = ("html", "pdf")


@cache
def _environment() -> Environment:
    return Environment(loader=PackageLoader("damai.reports", "templates"),
                       autoescape=select_autoescape(["html"]))


def to_html(data: dict[str, Any], lang: str = "id") -> str:
    doc = document(data, lang)
    return _environment().get_template("report.html").render(
        doc=doc, period_label=say("period", lang), generated_label=say("generated", lang),
        no_data=say("no_data", lang))


def render(data: dict[str, Any], fmt: str, lang: str = "id") -> bytes:
    """The report as ``html`` or ``pdf`` bytes."""
    if fmt == "pdf":
        return to_pdf(document(data, lang), say("no_data", lang), say("generated", lang))
    return to_html(data, lang).encode()
