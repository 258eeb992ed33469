"""Server-side SVG charts for the reports: plain ``<rect>``, ``<polyline>`` and ``<text>``, so the
HTML shows them with no JavaScript and the PDF (:mod:`damai.reports.pdf`) draws the same SVG.

Colours are Okabe-Ito, as on the overview: warm ones for harmful labels (solid lines), cool ones
for informational labels (dashed), grey for signals, so people with the common colour
blindnesses tell them apart and a harm never looks like a disaster report.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

__all__ = ["PALETTES", "Bar", "Line", "bar_chart", "colours", "line_chart"]

PALETTES: dict[str, tuple[str, ...]] = {
    "harm": ("#D55E00", "#E69F00", "#CC79A7", "#882255", "#AA4499"),
    "info": ("#0072B2", "#009E73", "#56B4E9", "#332288"),
    "signal": ("#555555", "#999999"),
}
NEUTRAL = "#0072B2"
_WIDTH, _ROW, _LABEL, _FONT = 640, 22, 210, 11


@dataclass(frozen=True, slots=True)
class Bar:
    name: str
    value: float
    colour: str = NEUTRAL
    #: what the bar's end says (the value when empty)
    text: str = ""


@dataclass(frozen=True, slots=True)
class Line:
    name: str
    values: Sequence[float]
    colour: str
    dashed: bool = False


def colours(kinds: Sequence[str]) -> list[str]:
    """A colour per label of these kinds, each kind walking its own palette."""
    seen: dict[str, int] = {}
    found = []
    for kind in kinds:
        palette = PALETTES.get(kind, PALETTES["signal"])
        found.append(palette[seen.get(kind, 0) % len(palette)])
        seen[kind] = seen.get(kind, 0) + 1
    return found


def _svg(width: int, height: int, title: str, body: list[str]) -> str:
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
            f'viewBox="0 0 {width} {height}" role="img" aria-label="{escape(title)}">'
            + "".join(body) + "</svg>")


def _text(x: float, y: float, text: str, anchor: str = "start", size: int = _FONT) -> str:
    return (f'<text x="{x:.1f}" y="{y:.1f}" font-family="Helvetica, Arial, sans-serif" '
            f'font-size="{size}" fill="#222222" text-anchor="{anchor}">{escape(text)}</text>')


def bar_chart(bars: Sequence[Bar], title: str) -> str:
    """Horizontal bars, one row each, scaled to the largest value."""
    top = max((b.value for b in bars), default=0) or 1
    span = _WIDTH - _LABEL - 60
    body = []
    for i, bar in enumerate(bars):
        y = 6 + i * _ROW
        length = max(span * bar.value / top, 1 if bar.value else 0)
        body += [_text(_LABEL - 6, y + 14, bar.name[:36], "end"),
                 f'<rect x="{_LABEL}" y="{y + 3}" width="{length:.1f}" height="{_ROW - 6}" '
                 f'fill="{bar.colour}"/>',
                 _text(_LABEL + length + 4, y + 14, bar.text or f"{bar.value:g}")]
    return _svg(_WIDTH, 12 + _ROW * max(len(bars), 1), title, body)


def line_chart(days: Sequence[str], lines: Sequence[Line], title: str) -> str:
    """One line per series over the days, with a legend below."""
    height, left, bottom, top_pad = 190, 40, 150, 10
    span = _WIDTH - left - 10
    top = max((v for line in lines for v in line.values), default=0) or 1
    step = span / max(len(days) - 1, 1)
    body = [f'<line x1="{left}" y1="{bottom}" x2="{_WIDTH - 10}" y2="{bottom}" '
            'stroke="#888888" stroke-width="1"/>',
            _text(left - 4, top_pad + 8, f"{top:g}", "end"), _text(left - 4, bottom, "0", "end")]
    if days:
        body += [_text(left, bottom + 14, days[0]), _text(_WIDTH - 10, bottom + 14, days[-1],
                                                          "end")]
    for line in lines:
        points = " ".join(f"{left + i * step:.1f},{bottom - (bottom - top_pad) * v / top:.1f}"
                          for i, v in enumerate(line.values))
        dash = ' stroke-dasharray="6,4"' if line.dashed else ""
        body.append(f'<polyline points="{points}" fill="none" stroke="{line.colour}" '
                    f'stroke-width="2"{dash}/>')
    legend = [(line.name[:22], line.colour) for line in lines][:6]
    for i, (name, colour) in enumerate(legend):
        x = left + i * (span / max(len(legend), 1))
        body += [f'<rect x="{x:.1f}" y="{bottom + 24}" width="10" height="10" fill="{colour}"/>',
                 _text(x + 14, bottom + 33, name)]
    return _svg(_WIDTH, height, title, body)
