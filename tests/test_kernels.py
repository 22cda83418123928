"""The compiled kernels against plain-Python and numpy versions of the same computations."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from copsim.model import kernels
from copsim.model.replicates import offsets, quantile_of_blocks, total_by
from copsim.model.ties import Ties


def _ties(seed: int, n: int = 25, m: int = 80) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    a, b = rng.integers(0, n, m), rng.integers(0, n, m)
    keep = a != b
    return np.minimum(a, b)[keep], np.maximum(a, b)[keep]


@pytest.mark.parametrize("seed", range(4))
def test_adjacency_lists_each_practitioners_ties_in_ascending_tie_order(seed):
    a, b = _ties(seed)
    n = 25
    indptr, tie, neighbour = kernels.adjacency(a, b, n)
    for x in range(n):
        expected = [(e, int(b[e]) if a[e] == x else int(a[e])) for e in range(a.size) if x in (a[e], b[e])]
        got = list(
            zip(
                tie[indptr[x] : indptr[x + 1]].tolist(),
                neighbour[indptr[x] : indptr[x + 1]].tolist(),
                strict=True,
            )
        )
        assert got == expected
    assert np.diff(indptr).tolist() == np.bincount(np.concatenate([a, b]), minlength=n).tolist()


@settings(max_examples=60, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), weeks=st.integers(1, 4), prune_at=st.integers(0, 4))
def test_rows_kept_up_to_date_as_ties_are_added_are_the_rows_listed_afresh(seed, weeks, prune_at):
    """:class:`Ties` extends its rows with each week's new ties instead of listing every tie
    again (and lists them again after a prune); either way they are :func:`kernels.adjacency`'s."""
    rng = np.random.default_rng(seed)
    n = 30
    a, b = _ties(seed, n, 40)
    ties = Ties(rng.integers(0, 4, n), a, b, rng.random(a.size))
    ties.rows()
    for week in range(weeks):
        i, j = rng.integers(0, n, 12), rng.integers(0, n, 12)
        fresh = (i != j) & (ties.find(i, j) < 0)
        ties.add(i[fresh], j[fresh], rng.random(int(fresh.sum())), 0.3)
        if week == prune_at:
            ties.trust = np.where(rng.random(ties.count) < 0.3, ties.floor, ties.trust)
            ties.prune(0.02)
        for kept, afresh in zip(ties.rows(), kernels.adjacency(ties.a, ties.b, n), strict=True):
            assert kept.tolist() == afresh.tolist()


def _draw_by_weight_python(indptr, weight, who, u):
    chosen = []
    for x, v in zip(who, u, strict=True):
        cumulative = np.cumsum(weight[indptr[x] : indptr[x + 1]])
        total = cumulative[-1] if cumulative.size else 0.0
        if total <= 0:
            chosen.append(-1)
            continue
        chosen.append(int(indptr[x] + np.searchsorted(cumulative, v * total, side="right")))
    return chosen


@pytest.mark.parametrize("seed", range(4))
def test_draw_by_weight_is_the_inverse_cdf_within_each_row(seed):
    rng = np.random.default_rng(seed)
    a, b = _ties(seed)
    indptr, tie, neighbour = kernels.adjacency(a, b, 25)
    tie_weight = rng.random(a.size)
    neighbour_weight = (rng.random(25) < 0.7).astype(float)  # some zero weights
    who, u = rng.integers(0, 25, 200), rng.random(200)
    chosen = kernels.draw_by_weight(indptr, tie, neighbour, tie_weight, neighbour_weight, who, u)
    weight = tie_weight[tie] * neighbour_weight[neighbour]
    assert chosen.tolist() == _draw_by_weight_python(indptr, weight, who, u)


def test_draw_by_weight_follows_the_weights():
    indptr, tie, neighbour = np.array([0, 2, 3, 4]), np.array([0, 1, 0, 1]), np.array([1, 2, 0, 0])
    u = np.random.default_rng(0).random(4000)
    everyone = np.ones(3)
    chosen = kernels.draw_by_weight(
        indptr, tie, neighbour, np.array([0.9, 0.1]), everyone, np.zeros(4000, np.int64), u
    )
    assert (chosen == 0).mean() == pytest.approx(0.9, abs=0.03)
    only_2 = kernels.draw_by_weight(
        indptr, tie, neighbour, np.array([0.9, 0.1]), np.array([1.0, 0.0, 1.0]), np.zeros(9, np.int64), u[:9]
    )
    assert (only_2 == 1).all()
    nobody = kernels.draw_by_weight(
        indptr, tie, neighbour, np.zeros(2), everyone, np.zeros(1, np.int64), u[:1]
    )
    assert nobody.tolist() == [-1]


def test_neighbour_totals_and_largest_at_ends_match_a_direct_count():
    rng = np.random.default_rng(7)
    a, b = _ties(7)
    weight, include = rng.random(a.size), rng.random(a.size) < 0.6
    eligible, value = (rng.random(25) < 0.7).astype(float), rng.random(25)
    weighted, total = kernels.neighbour_totals(a, b, weight, include, eligible, value, 25)
    largest = kernels.largest_at_ends(a, b, weight, include, np.full(25, 0.1))
    for x in range(25):
        ends = [(e, b[e] if a[e] == x else a[e]) for e in range(a.size) if include[e] and x in (a[e], b[e])]
        counted = [(e, o) for e, o in ends if eligible[o]]
        assert weighted[x] == pytest.approx(sum(weight[e] * value[o] for e, o in counted))
        assert total[x] == pytest.approx(sum(weight[e] for e, _ in counted))
        assert largest[x] == max([0.1] + [weight[e] for e, _ in ends])


def test_totals_and_quantiles_by_replicate_are_each_replicates_own():
    rng = np.random.default_rng(3)
    values, group = rng.random(300), np.sort(rng.integers(0, 4, 300))
    start = offsets(np.bincount(group, minlength=5))
    for g in range(4):
        assert total_by(group, values, 5)[g] == pytest.approx(values[group == g].sum())
        assert quantile_of_blocks(values, start, 0.75)[g] == np.quantile(values[group == g], 0.75)
    assert np.isnan(quantile_of_blocks(values, start, 0.75)[4])  # an empty group


@given(
    sizes=st.lists(st.integers(0, 30), min_size=1, max_size=8),
    q=st.floats(0.0, 1.0),
    seed=st.integers(0, 2**32 - 1),
    ties=st.booleans(),
)
@settings(max_examples=200, deadline=None)
def test_quantiles_of_blocks_are_numpys_to_the_last_bit(sizes, q, seed, ties):
    start = np.concatenate(([0], np.cumsum(sizes)))
    rng = np.random.default_rng(seed)
    values = rng.integers(0, 4, start[-1]).astype(float) if ties else rng.random(start[-1])
    expected = [np.quantile(values[lo:hi], q) if hi > lo else np.nan for lo, hi in itertools.pairwise(start)]
    np.testing.assert_array_equal(quantile_of_blocks(values, start, q), expected)
