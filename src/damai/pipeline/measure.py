"""Measurement (issue #12 part 7): reach and engagement rate per message, campaign, ambassador,
theme and province, the A/B comparison of campaign variants, and the past performance the
recommender ranks with. Pure functions over the latest sample of each post
(:meth:`~damai.storage.engagement.EngagementRepository.observations`); docs/measurement.md
states every choice below.

- **Engagements** of a post: likes + reposts + replies + quotes (a quote is a repost with a
  comment), as the ambassador tallies count them.
- **Reach**: views where the platform gives them (X's impressions); else, as a stated lower
  bound, the post's engagements (everyone who liked, reposted, replied or quoted saw it).
  ``posts_with_views`` says how much of a reach is measured views.
- **Engagement rate**: engagements / views over the posts that have views; when none of a
  group's posts has views, engagements per post (``rate_kind`` ``per_post``).
- **A/B**: a two-proportion z-test on engagements out of views of variant A against variant B
  of one campaign message (two-sided, pooled standard error), with the 95% confidence interval
  of the difference (unpooled). A winner is named only when p < 0.05 *and* each variant has at
  least ``DAMAI_MEASURE_MIN_VIEWS`` views; otherwise "belum cukup data / not enough data yet",
  or, with enough views and p >= 0.05, "no clear difference".
- **Past performance** of a library entry, for the recommender: engagements per post, shrunk
  toward 0 by :data:`PRIOR_POSTS` posts with none (so one lucky post does not top the ranking),
  divided by the best entry's value: a share in [0, 1], the best measured entry 1.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from damai import settings
from damai.storage import Store
from damai.storage.engagement import Observation

__all__ = ["GROUPINGS", "ABResult", "Figures", "Grouping", "Totals", "ab_results", "compare",
           "figures", "measure", "performance", "totals"]

Grouping = Literal["campaign", "message", "ambassador", "theme", "province"]
GROUPINGS: tuple[str, ...] = ("campaign", "message", "ambassador", "theme", "province")
#: two-sided significance level of the A/B test, and its 95% interval's z
ALPHA = 0.05
Z95 = 1.959963984540054
#: posts with no engagement each entry's past performance is shrunk with
PRIOR_POSTS = 2
NOT_ENOUGH = "belum cukup data / not enough data yet"
NO_DIFFERENCE = "tidak ada beda yang nyata / no clear difference"


def engagements(counts: dict[str, int | None]) -> int:
    return sum(counts.get(k) or 0 for k in ("likes", "reposts", "replies", "quotes"))


@dataclass
class Totals:
    """Counts of a set of posts added up."""

    posts: int = 0
    engagements: int = 0
    #: views, and the engagements of the posts that have views
    views: int = 0
    viewed_engagements: int = 0
    posts_with_views: int = 0

    def add(self, counts: dict[str, int | None]) -> None:
        done = engagements(counts)
        self.posts += 1
        self.engagements += done
        if counts.get("views") is not None:
            self.views += int(counts["views"] or 0)
            self.viewed_engagements += done
            self.posts_with_views += 1

    @property
    def reach(self) -> int:
        """Views, plus the engagements of posts without views (the fallback, a lower bound)."""
        return self.views + self.engagements - self.viewed_engagements

    @property
    def rate_kind(self) -> str:
        return "per_view" if self.views > 0 else "per_post"

    @property
    def view_rate(self) -> float | None:
        """Engagements per view, over the posts that have views."""
        return self.viewed_engagements / self.views if self.views > 0 else None

    @property
    def rate(self) -> float | None:
        if self.views > 0:
            return self.viewed_engagements / self.views
        return self.engagements / self.posts if self.posts else None


def totals(observations: Iterable[Observation]) -> Totals:
    found = Totals()
    for o in observations:
        found.add(o.counts)
    return found


@dataclass(frozen=True, slots=True)
class Figures:
    """Reach and engagement rate of one group (a campaign, a message, ...)."""

    key: str
    label: str
    totals: Totals

    def to_dict(self) -> dict[str, Any]:
        t = self.totals
        return {"key": self.key, "label": self.label, "posts": t.posts,
                "engagements": t.engagements, "views": t.views,
                "posts_with_views": t.posts_with_views, "reach": t.reach, "rate": t.rate,
                "rate_kind": t.rate_kind}


def _keys(o: Observation, by: Grouping) -> list[tuple[str, str]]:
    """The groups a post counts in (a post of several themes counts in each)."""
    if by == "campaign":
        return ([(o.campaign_id, o.campaign_name or o.campaign_id)]
                if o.campaign_id else [])
    if by == "message":
        return [(o.message, o.message)] if o.message else []
    if by == "ambassador":
        return ([(str(o.ambassador_id), o.ambassador_name or str(o.ambassador_id))]
                if o.ambassador_id is not None else [])
    if by == "theme":
        return [(t, t) for t in o.themes]
    return [(o.province, o.province)] if o.province else []


def figures(observations: Iterable[Observation], by: Grouping) -> list[Figures]:
    """Figures per group, the largest reach first; posts with no value of ``by`` (a
    publication has no ambassador or province) are left out of that grouping."""
    groups: dict[str, tuple[str, Totals]] = {}
    for o in observations:
        for key, label in _keys(o, by):
            groups.setdefault(key, (label, Totals()))[1].add(o.counts)
    found = [Figures(k, label, t) for k, (label, t) in groups.items()]
    return sorted(found, key=lambda f: (-f.totals.reach, f.key))


# -- A/B ------------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class ABResult:
    """The two-proportion z-test of variant A against variant B (the module doc)."""

    campaign_id: str
    campaign_name: str
    position: str
    a: Totals
    b: Totals
    p_a: float | None
    p_b: float | None
    z: float | None
    p_value: float | None
    #: 95% confidence interval of p_a - p_b
    low: float | None
    high: float | None
    winner: str | None
    verdict: str

    def to_dict(self) -> dict[str, Any]:
        return {"campaign_id": self.campaign_id, "campaign_name": self.campaign_name,
                "position": self.position,
                "a": {"views": self.a.views, "engagements": self.a.viewed_engagements,
                      "posts": self.a.posts, "rate": self.p_a},
                "b": {"views": self.b.views, "engagements": self.b.viewed_engagements,
                      "posts": self.b.posts, "rate": self.p_b},
                "test": "two-proportion z-test", "z": self.z, "p_value": self.p_value,
                "ci95": [self.low, self.high] if self.low is not None else None,
                "winner": self.winner, "verdict": self.verdict}


def compare(e_a: int, n_a: int, e_b: int, n_b: int
            ) -> tuple[float, float, float, float] | None:
    """The two-proportion z-test of ``e_a`` of ``n_a`` against ``e_b`` of ``n_b``: ``(z,
    two-sided p, low, high)`` of the 95% interval of the difference; ``None`` when a side has
    no trials or the pooled proportion is 0 or 1 (no variance to test)."""
    if n_a <= 0 or n_b <= 0:
        return None
    e_a, e_b = min(e_a, n_a), min(e_b, n_b)
    p_a, p_b = e_a / n_a, e_b / n_b
    pooled = (e_a + e_b) / (n_a + n_b)
    se = math.sqrt(pooled * (1 - pooled) * (1 / n_a + 1 / n_b))
    if se == 0:
        return None
    z = (p_a - p_b) / se
    p_value = math.erfc(abs(z) / math.sqrt(2))
    spread = Z95 * math.sqrt(p_a * (1 - p_a) / n_a + p_b * (1 - p_b) / n_b)
    return z, p_value, p_a - p_b - spread, p_a - p_b + spread


def _verdict(a: Totals, b: Totals, tested: tuple[float, float, float, float] | None,
             min_views: int) -> tuple[str | None, str]:
    if tested is None or min(a.views, b.views) < min_views:
        return None, NOT_ENOUGH
    z, p_value = tested[0], tested[1]
    if p_value >= ALPHA:
        return None, NO_DIFFERENCE
    winner = "A" if z > 0 else "B"
    return winner, f"varian {winner} lebih baik / variant {winner} does better"


def ab_results(observations: Iterable[Observation], min_views: int) -> list[ABResult]:
    """One result per campaign message with variants A and B that were measured."""
    cells: dict[tuple[str, str], dict[str, Totals]] = {}
    names: dict[str, str] = {}
    for o in observations:
        if o.campaign_id is None or o.variant is None:
            continue
        position, _, variant = o.variant.partition(":")
        names[o.campaign_id] = o.campaign_name or o.campaign_id
        cells.setdefault((o.campaign_id, position), {}).setdefault(variant, Totals()).add(
            o.counts)
    found = []
    for (campaign, position), variants in sorted(cells.items()):
        if "A" not in variants or "B" not in variants:
            continue
        a, b = variants["A"], variants["B"]
        tested = compare(a.viewed_engagements, a.views, b.viewed_engagements, b.views)
        winner, verdict = _verdict(a, b, tested, min_views)
        z, p_value, low, high = tested if tested is not None else (None, None, None, None)
        found.append(ABResult(campaign, names[campaign], position, a, b, a.view_rate,
                              b.view_rate, z, p_value, low, high, winner, verdict))
    return found


# -- past performance -----------------------------------------------------------------------------
def performance(observations: Iterable[Observation]) -> dict[str, float]:
    """Library entry id → past performance in [0, 1] (the module doc)."""
    per_entry: dict[str, Totals] = {}
    for o in observations:
        if o.entry_id:
            per_entry.setdefault(o.entry_id, Totals()).add(o.counts)
    shrunk = {e: t.engagements / (t.posts + PRIOR_POSTS) for e, t in per_entry.items()}
    best = max(shrunk.values(), default=0.0)
    return {e: v / best for e, v in shrunk.items()} if best > 0 else {}


def measure(store: Store, by: Sequence[Grouping] = ("campaign",)) -> dict[str, Any]:
    """What ``damai measure``, ``GET /api/v1/measure`` and the measure page show. Figures per
    ambassador are a ranking of people: empty while an admin keeps the leaderboard off."""
    observed = store.engagement.observations()
    leaderboard = bool(store.settings.get("leaderboard"))
    return {"posts": len(observed), "leaderboard": leaderboard,
            "totals": Figures("all", "semua / all", totals(observed)).to_dict(),
            "groups": {g: [f.to_dict() for f in figures(observed, g)]
                       if g != "ambassador" or leaderboard else [] for g in by},
            "ab": [r.to_dict() for r in ab_results(
                observed, settings.get_int("measure_min_views"))],
            "min_views": settings.get_int("measure_min_views")}
