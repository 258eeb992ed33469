"""Issue #14 part 6: the reports' stated rules as tables: the small-count mask, totals of masked
parts, ISO weeks and date periods, and the chart colours (harm warm, information cool)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from damai.errors import InputError
from damai.reports.charts import PALETTES, colours
from damai.reports.figures import _masked_total, masked
from damai.reports.period import between, chosen, week


@pytest.mark.parametrize(("n", "small", "shown"), [
    (0, 5, 0), (1, 5, "< 5"), (4, 5, "< 5"), (5, 5, 5), (123, 5, 123), (1, 1, 1), (2, 3, "< 3")])
def test_a_count_below_the_threshold_is_masked(n: int, small: int, shown: int | str) -> None:
    assert masked(n, small) == shown


@pytest.mark.parametrize(("parts", "shown"), [
    ([], 0), ([6, 7], 13), ([6, 2], "7–10"), ([2, 3], "2–8"), ([1], "< 5"), ([0, 0], 0),
    ([10, 1, 1], "12–18"), ([2, 2, 2], "3–12")])
def test_a_total_never_gives_a_masked_part_away(parts: list[int], shown: int | str) -> None:
    assert _masked_total(parts, 5) == shown


def test_a_week_is_monday_to_monday_in_utc() -> None:
    period = week("2026-W01")  # ISO: the week of 1 January 2026 begins on 29 December 2025
    assert period.since == datetime(2025, 12, 29, tzinfo=UTC)
    assert period.until == datetime(2026, 1, 5, tzinfo=UTC)
    assert period.days[0] == "2025-12-29" and period.last_day == "2026-01-04"
    both = between("2026-11-01", "2026-11-01")
    assert (both.until - both.since).days == 1 and both.days == ["2026-11-01"]
    assert chosen(None, None, None, default=both) is both


@pytest.mark.parametrize("spec", ["2026-W00", "2026-W54", "2026-w48", "26-W48", "9999-W52",
                                  "2026-W48\x00", ""])
def test_a_bad_week_is_refused(spec: str) -> None:
    with pytest.raises(InputError):
        chosen(spec or None, None, "2026-11-01" if not spec else None,
               default=between("2026-11-01", "2026-11-02"))


def test_colours_walk_each_kind_palette() -> None:
    found = colours(["harm", "harm", "info", "signal", "harm"])
    assert found[:2] == list(PALETTES["harm"][:2]) and found[2] == PALETTES["info"][0]
    assert found[3] == PALETTES["signal"][0] and found[4] == PALETTES["harm"][2]
    assert not set(PALETTES["harm"]) & set(PALETTES["info"])
