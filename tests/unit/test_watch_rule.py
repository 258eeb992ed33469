"""Issue #14 part 5: the spike rule of watchlists and the query they are saved with.

The rule: a spike when the last window holds at least ``min_count`` posts and the chance of that
many under Poisson(baseline mean) is below ``alpha``."""

from __future__ import annotations

from datetime import timedelta

import numpy as np
import pytest
from scipy.stats import poisson

from damai.errors import InputError
from damai.pipeline.watchlists import BASELINE_FLOOR, Rule, judge, parse
from damai.storage.watchlists import WatchSpec

RULE = Rule(timedelta(hours=1), 24, 5, 0.001)
LABELS = ["hoax", "radicalism", "sara"]


def test_baseline_noise_raises_no_spike() -> None:
    """Windows drawn from the baseline's own law: at alpha 0.001, 2,000 of them raise at most a
    handful of spikes (the expected number is 2 at most)."""
    rng = np.random.default_rng(14)
    spikes = 0
    for _ in range(2000):
        baseline = rng.poisson(6.0, size=24).tolist()
        spikes += judge(int(rng.poisson(6.0)), baseline, RULE).spike
    assert spikes <= 5


def test_a_real_jump_is_a_spike_with_its_tail_probability() -> None:
    baseline = [3, 4, 2, 5, 3, 4] * 4  # mean 3.5
    verdict = judge(15, baseline, RULE)
    assert verdict.spike and verdict.baseline == pytest.approx(3.5)
    assert verdict.p_value == pytest.approx(poisson.sf(14, 3.5))
    assert not judge(8, baseline, RULE).spike  # P(X ≥ 8 | 3.5) ≈ 0.027: ordinary


def test_the_minimum_count_holds_however_quiet_the_baseline() -> None:
    quiet = [0] * 24
    four, five = judge(4, quiet, RULE), judge(5, quiet, RULE)
    assert four.p_value < RULE.alpha and not four.spike  # rare, but fewer than the minimum
    assert five.spike and five.baseline == BASELINE_FLOOR
    assert not judge(0, quiet, RULE).spike and judge(0, quiet, RULE).p_value == 1.0


@pytest.mark.parametrize(("query", "spec"), [
    ("banjir bandang", WatchSpec("banjir bandang")),
    ('label:hoax provinsi:"jawa barat"', WatchSpec(None, ("hoax",), ("Jawa Barat",))),
    ("gempa label:hoax,sara province:Aceh provinsi:Bali label:hoax",
     WatchSpec("gempa", ("hoax", "sara"), ("Aceh", "Bali"))),
])
def test_queries_parse(query: str, spec: WatchSpec) -> None:
    assert parse(query, LABELS) == spec


@pytest.mark.parametrize(("query", "reason"), [
    ('banjir "bandang', "quote is not closed"),
    ("warna:merah", "unknown field 'warna'"),
    ("label:", "has no value"),
    ("label:bukan_label", "unknown label 'bukan_label'"),
    ("provinsi:Jawa Barat", "unknown province 'Jawa'"),
    ('provinsi:"Jawa Barta"', "did you mean 'Jawa Barat'"),
    ("   ", "empty query"),
    ("banjir\x00", "control characters"),  # a NUL would break the full-text search
    ("x " * 300, "too long"),
    (" ".join(f"w{i}" for i in range(21)), "too many parts"),
])
def test_queries_that_cannot_run_are_refused_with_the_reason(query: str, reason: str) -> None:
    with pytest.raises(InputError, match=reason) as refused:
        parse(query, LABELS)
    assert " / " in refused.value.message  # Indonesian first, then English
