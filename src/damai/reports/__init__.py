"""Reports (issue #14 part 6): the weekly report (volume by label, top narratives, responses,
publications, coverage, time to respond) and the transparency report (aggregates only, small
counts masked, the Santa Clara Principles), as JSON figures, HTML with SVG charts, and PDF.

- :mod:`damai.reports.period`: the period a report covers (an ISO week, or two dates);
- :mod:`damai.reports.figures`: the numbers, read through ``store.tallies``;
- :mod:`damai.reports.document`: the numbers as a document of sections, charts and tables;
- :mod:`damai.reports.render` and :mod:`damai.reports.pdf`: that document as HTML and PDF.
"""

from __future__ import annotations

from typing import Any

from damai import settings
from damai.reports.figures import NO_DATA, transparency, weekly
from damai.reports.period import Period, chosen, last_days, last_week
from damai.reports.render import FORMATS, render, stylesheet, to_html
from damai.storage import Store

__all__ = ["FORMATS", "NO_DATA", "TRANSPARENCY_DAYS", "Period", "chosen", "last_days",
           "last_week", "render", "stylesheet", "to_html", "transparency_report",
           "weekly_report"]

#: the period of a transparency report when none is given: the 90 days before today
TRANSPARENCY_DAYS = 90


def weekly_report(store: Store, period: Period | None = None) -> dict[str, Any]:
    """The weekly report's figures; by default of the last full ISO week."""
    return weekly(store, period or last_week())


def transparency_report(store: Store, period: Period | None = None,
                        small: int | None = None) -> dict[str, Any]:
    """The transparency report's aggregates; by default of the last :data:`TRANSPARENCY_DAYS`
    days, counts below ``DAMAI_REPORT_SMALL_COUNT`` masked."""
    threshold = settings.get_int("report_small_count") if small is None else small
    return transparency(store, period or last_days(TRANSPARENCY_DAYS), max(threshold, 1))
