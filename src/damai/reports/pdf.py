"""A report's document as PDF with fpdf2 (pure Python: no system library to install). The charts
are the HTML's SVG, drawn by fpdf2's SVG renderer; text uses the PDF's built-in Helvetica, which
covers Latin-1 (every Indonesian letter), so other characters (an emoji in a narrative title) are
replaced by ``?``.
"""

from __future__ import annotations

import io

from fpdf import FPDF

from damai.reports.document import Document

__all__ = ["to_pdf"]

_WIDTH = 180  # mm of an A4 page inside the margins
_PLAIN = str.maketrans({"–": "-", "—": "-", "‘": "'", "’": "'", "“": '"', "”": '"',
                        "…": "...", "·": "-"})


def _latin(text: str) -> str:
    return text.translate(_PLAIN).encode("latin-1", "replace").decode("latin-1")


def _heading(pdf: FPDF, text: str, size: int) -> None:
    pdf.set_font("helvetica", "B", size)
    pdf.multi_cell(_WIDTH, size * 0.5, _latin(text), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(1)


def _para(pdf: FPDF, text: str, size: int = 9) -> None:
    pdf.set_font("helvetica", "", size)
    pdf.multi_cell(_WIDTH, size * 0.5, _latin(text), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(1)


def _table(pdf: FPDF, rows: tuple[tuple[str, ...], ...]) -> None:
    pdf.set_font("helvetica", "", 9)
    with pdf.table(width=_WIDTH, text_align="LEFT", line_height=5) as table:
        for row in rows:
            cells = table.row()
            for cell in row:
                cells.cell(_latin(cell))
    pdf.ln(2)


def to_pdf(doc: Document, no_data: str, generated: str) -> bytes:
    """The document as PDF bytes (A4, every section in order)."""
    pdf = FPDF(format="A4")
    pdf.set_title(_latin(f"{doc.title} {doc.period}"))
    pdf.set_creator("Damai")
    pdf.add_page()
    _heading(pdf, doc.title, 16)
    _para(pdf, doc.period, 11)
    _para(pdf, f"{generated}: {doc.generated}", 8)
    for note in doc.notes:
        _para(pdf, note, 8)
    if doc.empty:
        _heading(pdf, no_data, 12)
    for section in doc.sections:
        _heading(pdf, section.title, 12)
        if section.help:
            _para(pdf, section.help)
        for chart in section.charts:
            pdf.image(io.BytesIO(_latin(chart).encode()), w=_WIDTH)
            pdf.ln(2)
        if section.table:
            _table(pdf, section.table)
    return bytes(pdf.output())
