"""A report as a document: a title, the period, notes and sections (a heading, an explanation,
a chart, a table). The HTML (:mod:`damai.reports.render`) and the PDF (:mod:`damai.reports.pdf`)
both draw this one document, so they say the same thing in the same order.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from damai.reports.charts import Bar, Line, bar_chart, colours, line_chart
from damai.reports.text import SANTA_CLARA, say

__all__ = ["Document", "Section", "document"]


@dataclass(frozen=True, slots=True)
class Section:
    title: str
    help: str = ""
    charts: tuple[str, ...] = ()
    #: the first row is the header
    table: tuple[tuple[str, ...], ...] = ()


@dataclass(frozen=True, slots=True)
class Document:
    lang: str
    title: str
    period: str
    generated: str
    notes: tuple[str, ...]
    empty: bool
    sections: tuple[Section, ...] = field(default_factory=tuple)


def _n(value: Any) -> str:
    return f"{value:,}".replace(",", ".") if isinstance(value, int) else str(value)


def _hours(value: float | None, lang: str) -> str:
    return say("none", lang) if value is None else f"{value:.1f}"


def _label_rows(data: dict[str, Any], lang: str) -> list[tuple[str, str, int]]:
    rows = data["volume"] if data["kind"] == "weekly" else data["labels"]
    names = [r["names"][lang] for r in rows]
    return list(zip(names, colours([r["kind"] for r in rows]), range(len(rows)), strict=True))


def _volume(data: dict[str, Any], lang: str) -> Section:
    rows, labelled = data["volume"], _label_rows(data, lang)
    charts: tuple[str, ...] = ()
    if rows:
        charts = (bar_chart([Bar(name, r["total"], colour) for (name, colour, _), r
                             in zip(labelled, rows, strict=True)], say("volume", lang)),
                  line_chart(data["days"], [Line(name, r["days"], colour, r["kind"] != "harm")
                                            for (name, colour, _), r
                                            in zip(labelled, rows, strict=True)],
                             say("volume.daily", lang)))
    table = ((say("label", lang), say("flagged", lang)),
             *((name, _n(r["total"])) for (name, _, _), r in zip(labelled, rows, strict=True)))
    return Section(say("volume", lang), say("volume.help", lang), charts, table)


def _ttr_chart(ttr: dict[str, Any], lang: str) -> tuple[str, ...]:
    bars = [Bar(say(f"ttr.{kind}", lang), hours, colour, f"{hours:.1f}")
            for kind, colour in (("approval", "#E69F00"), ("publication", "#0072B2"))
            if (hours := ttr[f"{kind}_median_hours"]) is not None]
    return (bar_chart(bars, say("ttr", lang)),) if bars else ()


def _weekly(data: dict[str, Any], lang: str) -> tuple[Section, ...]:
    narratives = data["narratives"]
    responses, published = data["responses"], data["published"]
    coverage, ttr = data["coverage"], data["time_to_respond"]
    share = "–" if coverage["share"] is None else f"{coverage['share']:.0%}"
    return (
        _volume(data, lang),
        Section(say("narratives", lang), say("narratives.help", lang),
                (bar_chart([Bar(f"#{n['id']} {n['title']}", n["posts"]) for n in narratives],
                           say("narratives", lang)),) if narratives else (),
                (("#", say("narratives", lang), say("posts.n", lang)),
                 *((str(n["id"]), n["title"], _n(n["posts"])) for n in narratives))),
        Section(say("responses", lang), say("responses.help", lang), (), (
            (say("proposed", lang), say("approved", lang), say("rejected", lang)),
            tuple(_n(responses[k]) for k in ("proposed", "approved", "rejected")))),
        Section(say("published", lang), say("published.help", lang),
                (bar_chart([Bar(c, n) for c, n in sorted(published["channels"].items())],
                           say("published", lang)),) if published["channels"] else (),
                ((say("channel", lang), say("count", lang)),
                 *((c, _n(n)) for c, n in sorted(published["channels"].items())),
                 ("total", _n(published["total"])))),
        Section(say("coverage", lang), say("coverage.help", lang),
                (bar_chart([Bar(say("flagged", lang), coverage["flagged"], "#D55E00"),
                            Bar(say("covered", lang), coverage["covered"], "#0072B2",
                                f"{coverage['covered']} ({share})")],
                           say("coverage", lang)),) if coverage["flagged"] else (),
                ((say("flagged", lang), say("covered", lang), say("coverage", lang)),
                 (_n(coverage["flagged"]), _n(coverage["covered"]), share))),
        Section(say("ttr", lang), say("ttr.help", lang), _ttr_chart(ttr, lang), (
            ("", "median", "n"),
            (say("ttr.approval", lang), _hours(ttr["approval_median_hours"], lang),
             _n(ttr["approvals"])),
            (say("ttr.publication", lang), _hours(ttr["publication_median_hours"], lang),
             _n(ttr["publications"])))),
    )


def _transparency(data: dict[str, Any], lang: str) -> tuple[Section, ...]:
    labels, side = data["labels"], 0 if lang == "id" else 1
    responses, published = data["responses"], data["published"]
    bars = [Bar(name, r["flagged"] if isinstance(r["flagged"], int) else 0, colour,
                _n(r["flagged"])) for (name, colour, _), r
            in zip(_label_rows(data, lang), labels, strict=True)]
    return (
        Section(say("flags", lang), say("flags.help", lang),
                (bar_chart(bars, say("flags", lang)),) if labels else (),
                ((say("label", lang), say("flagged", lang), say("confirmed", lang),
                  say("dismissed", lang)),
                 *((r["names"][lang], _n(r["flagged"]), _n(r["confirmed"]), _n(r["dismissed"]))
                   for r in labels))),
        Section(say("responses", lang), say("responses.help", lang), (), (
            (say("proposed", lang), say("approved", lang), say("rejected", lang)),
            tuple(_n(responses[k]) for k in ("proposed", "approved", "rejected")))),
        Section(say("published", lang), say("published.help", lang), (), (
            (say("channel", lang), say("count", lang)),
            *((c, _n(n)) for c, n in published["channels"].items()),
            ("total", _n(published["total"])))),
        Section(say("alerts", lang), say("alerts.help", lang), (), (
            (say("alerts", lang),), (_n(data["alerts_published"]),))),
        Section(say("santa_clara", lang), say("santa_clara.help", lang), (), (
            (say("principle", lang), say("what_damai_does", lang)),
            *((name[side], text[side]) for name, text in SANTA_CLARA))),
    )


def document(data: dict[str, Any], lang: str = "id") -> Document:
    """The document of a weekly or transparency report's figures."""
    kind = data["kind"]
    period = data["period"]
    notes = [say("utc", lang)]
    if kind == "weekly":
        notes.append(f"{say('posts', lang)}: {_n(data['posts'])}")
    if kind == "transparency":
        small = data["small_count"]
        notes += [say("aggregates", lang), say("small", lang, n=small, n1=max(small - 1, 1))]
    sections = _weekly(data, lang) if kind == "weekly" else _transparency(data, lang)
    return Document(lang, say(f"{kind}.title", lang),
                    f"{period['name']} ({period['first_day']} – {period['last_day']})"
                    if "-W" in period["name"] else period["name"],
                    data["generated_at"], tuple(notes), bool(data["empty"]), sections)
