"""Times to a threshold over all runs, censoring included (copsim.analysis.times and .stats)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from copsim.analysis.stats import mean_ci, median_ci_ranks, middle_ranks
from copsim.analysis.times import compare_paired, median_rank, ranked_curve, summarize_times

NAN = math.nan


def kaplan_meier_median(times: np.ndarray, horizon: float) -> float:
    """The textbook product-limit estimate's median, every unfinished run censored at ``horizon``."""
    events = np.sort(times[~np.isnan(times)])
    at_risk, survival = len(times), 1.0
    for t in np.unique(events):
        d = int((events == t).sum())
        survival *= 1 - d / at_risk
        at_risk -= d
        if survival <= 0.5 + 1e-12:
            return float(t)
    return math.inf


runs = st.lists(st.one_of(st.none(), st.integers(0, 520)), min_size=1, max_size=40).map(
    lambda xs: np.array([NAN if x is None else x / 52 for x in xs])
)


@given(runs)
@settings(max_examples=200, deadline=None)
def test_the_time_over_all_runs_is_the_kaplan_meier_median(times):
    assert summarize_times(times).median == kaplan_meier_median(times, horizon=10.0)


def test_runs_that_never_got_there_count_as_later_than_any_that_did():
    # 3 of 5 reached: the median is the 3rd smallest, not the mean of the three that got there
    summary = summarize_times([2.0, NAN, 4.0, NAN, 3.0])
    assert summary.median == 4.0 and summary.reached
    assert (summary.n_reached, summary.n_not_reached, summary.n) == (3, 2, 5)
    # 2 of 5 reached: fewer than half, so not reached, whatever the two say
    assert summarize_times([1.0, NAN, NAN, 2.0, NAN]).median == math.inf
    # the E-Regulation case of issue #19: 5 of 10 runs at 8 years is not "8.0 years"
    half = summarize_times([8.0] * 5 + [NAN] * 5)
    assert half.median == 8.0  # exactly half got there by year 8 (Kaplan–Meier: S(8) = 0.5)
    assert summarize_times([8.0] * 4 + [NAN] * 6).median == math.inf


def test_the_two_ranges_are_named_apart_and_stay_within_the_runs():
    times = np.array([5.0, 5.5, 6.0, 6.2, 6.4, 6.9, 7.1, 8.0, 9.0, 9.9])
    s = summarize_times(times)
    assert (s.runs_lo, s.runs_hi, s.n_middle) == (5.5, 9.0, 8)  # 8 of 10 runs
    assert (s.lo, s.hi) == (5.5, 9.0)  # ranks 2 and 9 for 10 runs
    assert s.confidence == pytest.approx(1 - 2 * 11 / 1024)
    assert times.min() <= s.lo <= s.median <= s.hi <= times.max()
    # too few runs for a 95 % interval: said, not invented
    few = summarize_times([3.0, 4.0])
    assert not few.sure and math.isnan(few.lo) and few.median == 3.0
    assert (few.runs_lo, few.runs_hi, few.n_middle) == (3.0, 4.0, 2)


def test_an_interval_reaching_past_the_horizon_says_not_reached_instead_of_a_number():
    s = summarize_times([4.0, 5.0, 5.5, 6.0, 7.0, 7.5, NAN, NAN, NAN, 8.0])
    assert s.median == 7.0 and s.hi == math.inf and s.lo == 5.0  # ranks 5, 2 and 9 of 10
    assert s.runs_hi == math.inf


@pytest.mark.parametrize(("n", "expected"), [(5, None), (6, (1, 6)), (10, (2, 9)), (30, (10, 21))])
def test_order_statistic_interval_ranks(n, expected):
    ranks = median_ci_ranks(n)
    if expected is None:
        assert ranks is None
    else:
        assert ranks[:2] == expected and ranks[2] >= 0.95


def test_the_median_interval_covers_the_true_median_at_least_95_percent_of_the_time():
    rng = np.random.default_rng(7)
    true_median = math.log(2)  # exponential(1)
    covered = 0
    trials = 2000
    for _ in range(trials):
        s = summarize_times(rng.exponential(1.0, 10))
        covered += s.lo <= true_median <= s.hi
    assert covered / trials >= 0.95


def test_middle_ranks():
    assert middle_ranks(10) == (2, 9) and middle_ranks(2) == (1, 2) and middle_ranks(30) == (4, 27)
    assert median_rank(10) == 5 and median_rank(9) == 5 and median_rank(1) == 1
    with pytest.raises(ValueError, match="n: 0"):
        middle_ranks(0)


@given(st.lists(st.lists(st.floats(0, 0.2), min_size=30, max_size=30), min_size=1, max_size=12))
@settings(max_examples=100, deadline=None)
def test_the_ranked_curve_crosses_a_threshold_at_the_ensembles_time(steps):
    # rising curves (an adoption share over weeks), one column per run
    curves = np.minimum(np.cumsum(np.array(steps).T, axis=0), 1.0)
    n = curves.shape[1]
    for level in (0.5, 0.9):
        per_run = [np.flatnonzero(curves[:, r] >= level) for r in range(n)]
        times = np.array([hit[0] if hit.size else NAN for hit in per_run], float)
        s = summarize_times(times)
        middle = ranked_curve(curves, median_rank(n))
        crossing = np.flatnonzero(middle >= level)
        assert (crossing[0] if crossing.size else math.inf) == s.median
        first, last = middle_ranks(n)
        early = np.flatnonzero(ranked_curve(curves, first) >= level)
        late = np.flatnonzero(ranked_curve(curves, last) >= level)
        assert (early[0] if early.size else math.inf) == s.runs_lo
        assert (late[0] if late.size else math.inf) == s.runs_hi


def test_paired_comparison_counts_each_way_and_keeps_one_sided_pairs():
    community = np.array([3.0, 4.0, 5.0, NAN, 6.0, NAN])
    baseline = np.array([5.0, 4.0, 7.5, 9.0, NAN, NAN])
    paired = compare_paired(community, baseline)
    assert (paired.first_sooner, paired.first_later, paired.same, paired.neither) == (3, 1, 1, 1)
    assert paired.differences == (-math.inf, 0.0, 2.0, 2.5, math.inf)
    assert paired.median == 2.0 and paired.n == 6 and paired.n_informative == 5
    assert paired.sooner_by_at_least(2.5) == 2
    assert not paired.told_apart  # 5 informative pairs are too few for a 95 % interval


def test_a_condition_is_sooner_only_when_the_interval_excludes_zero():
    rng = np.random.default_rng(3)
    base = rng.uniform(6, 9, 10)
    clearly = compare_paired(base - 1.0 - rng.uniform(0, 0.5, 10), base)
    assert clearly.first_surely_sooner and clearly.told_apart and clearly.lo > 0
    noise = compare_paired(base + rng.normal(0, 0.3, 10), base)
    assert not noise.told_apart
    assert compare_paired(base, base + 1).first_surely_sooner
    assert compare_paired(base + 1, base).first_surely_later


def test_mean_interval_stays_within_the_outcomes_bounds():
    mean, lo, hi = mean_ci(np.array([4.0, 54.0]), bounds=(0, math.inf))
    assert mean == 29.0 and lo == 0.0 and hi > 54
    _, lo, hi = mean_ci(np.array([0.9, 1.0]), bounds=(0.0, 1.0))
    assert hi == 1.0 and lo < 0.9
