"""Issue #12 part 7: the measurement statistics on known values (pipeline.measure)."""

from __future__ import annotations

import math
from datetime import UTC, datetime

import pytest

from damai.pipeline.measure import (
    NO_DIFFERENCE,
    NOT_ENOUGH,
    Totals,
    ab_results,
    compare,
    figures,
    performance,
)
from damai.storage.engagement import Observation

AT = datetime(2026, 12, 1, tzinfo=UTC)


def obs(key: str, likes: int, views: int | None = None, **context: object) -> Observation:
    counts: dict[str, int | None] = {"likes": likes, "reposts": 0, "replies": 0, "quotes": 0,
                                     "views": views}
    return Observation(key, "x", AT, counts, **context)  # type: ignore[arg-type]


def test_the_z_test_gives_the_textbook_values() -> None:
    # 120/1000 against 80/1000: pooled 0.10, SE sqrt(0.1*0.9*0.002) = 0.013416
    z, p, low, high = compare(120, 1000, 80, 1000) or (0, 0, 0, 0)
    assert z == pytest.approx(2.98142, abs=1e-5)
    assert p == pytest.approx(0.0028688, abs=1e-6)
    spread = 1.959964 * math.sqrt(0.12 * 0.88 / 1000 + 0.08 * 0.92 / 1000)
    assert (low, high) == (pytest.approx(0.04 - spread), pytest.approx(0.04 + spread))
    assert (low, high) == (pytest.approx(0.013763, abs=1e-5), pytest.approx(0.066237, abs=1e-5))


def test_the_z_test_refuses_what_has_no_variance() -> None:
    assert compare(0, 0, 5, 100) is None
    assert compare(0, 100, 0, 100) is None
    # engagements above views (counts read at different moments) are capped at the views
    assert compare(150, 100, 50, 100) == compare(100, 100, 50, 100)


def test_reach_falls_back_to_engagements_and_the_rate_says_its_kind() -> None:
    t = Totals()
    t.add({"likes": 10, "reposts": 5, "replies": 3, "quotes": 2, "views": 1000})
    t.add({"likes": 4, "reposts": 0, "replies": 0, "quotes": 0, "views": None})
    assert (t.posts, t.engagements, t.views, t.reach) == (2, 24, 1000, 1004)
    assert (t.rate, t.rate_kind) == (0.02, "per_view")
    no_views = Totals()
    no_views.add({"likes": 3, "reposts": 1, "replies": None, "quotes": None, "views": None})
    no_views.add({"likes": 1, "reposts": 1, "replies": 0, "quotes": 0, "views": None})
    assert (no_views.reach, no_views.rate, no_views.rate_kind) == (6, 3.0, "per_post")


def test_figures_group_and_leave_out_posts_without_the_dimension() -> None:
    rows = [obs("publication:1", 5, 100, themes=("tolerance", "peace"), message="entry:a"),
            obs("post:2", 7, None, ambassador_id=3, ambassador_name="Siti", province="Aceh"),
            obs("publication:3", 1, 50, themes=("peace",), message="entry:b")]
    by_theme = {f.key: f.to_dict() for f in figures(rows, "theme")}
    assert by_theme["peace"]["posts"] == 2 and by_theme["peace"]["reach"] == 150
    assert by_theme["peace"]["rate"] == pytest.approx(6 / 150)
    assert by_theme["tolerance"]["posts"] == 1
    [aceh] = figures(rows, "province")
    assert (aceh.key, aceh.totals.reach, aceh.totals.rate_kind) == ("Aceh", 7, "per_post")
    assert [f.key for f in figures(rows, "ambassador")] == ["3"]


def variants(e_a: int, n_a: int, e_b: int, n_b: int) -> list[Observation]:
    ctx = {"campaign_id": "1", "campaign_name": "Desember damai"}
    return [obs("publication:1", e_a, n_a, variant="0:A", **ctx),
            obs("publication:2", e_b, n_b, variant="0:B", **ctx)]


def test_a_winner_needs_significance_and_enough_views() -> None:
    [clear] = ab_results(variants(120, 1000, 80, 1000), min_views=1000)
    assert (clear.winner, clear.p_value) == ("A", pytest.approx(0.0028688, abs=1e-6))
    # the same rates on a tenth of the views: p = 0.35, no winner
    [small] = ab_results(variants(12, 100, 8, 100), min_views=100)
    assert (small.winner, small.verdict) == (None, NO_DIFFERENCE)
    # significant, but under the minimum of views: not called
    [early] = ab_results(variants(120, 1000, 80, 1000), min_views=5000)
    assert (early.winner, early.verdict) == (None, NOT_ENOUGH)
    [reverse] = ab_results(variants(80, 1000, 120, 1000), min_views=1000)
    assert reverse.winner == "B"


def test_a_message_without_views_has_no_test() -> None:
    [none] = ab_results(variants(12, None, 8, None), min_views=0)  # type: ignore[arg-type]
    assert (none.winner, none.verdict, none.p_value) == (None, NOT_ENOUGH, None)


def test_past_performance_is_a_shrunk_share_of_the_best_entry() -> None:
    rows = [obs("publication:1", 10, entry_id="a"), obs("publication:2", 10, entry_id="a"),
            obs("publication:3", 30, entry_id="b"), obs("publication:4", 0, entry_id="c")]
    # a: 20 / (2 + 2) = 5; b: 30 / (1 + 2) = 10; c: 0
    assert performance(rows) == {"a": 0.5, "b": 1.0, "c": 0.0}
    assert performance([obs("publication:5", 0, entry_id="a")]) == {}
