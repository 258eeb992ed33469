"""Cells a spreadsheet never runs as a formula: the one helper for every CSV meant to be opened
in Excel, LibreOffice or Google Sheets (posts, corrections, the audit log).

A text cell that begins with ``=``, ``+``, ``-`` or ``@`` (or a tab or carriage return, which
some programs strip before looking) is read as a formula: ``=HYPERLINK(...)`` in a hostile post
would run on the analyst's machine. Such a cell gets a leading ``'``, which spreadsheets show as
text. Numbers are left alone (a latitude of -6.2 stays a number); only text can carry a formula.
Training data must keep exact text, so it is written as JSONL, not through this.
"""

from __future__ import annotations

from typing import Final

__all__ = ["FORMULA_STARTS", "safe_cell"]

FORMULA_STARTS: Final = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: object) -> object:
    """``value`` with a leading ``'`` when it is text a spreadsheet would run as a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value
