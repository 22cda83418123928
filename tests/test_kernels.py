"""The compiled kernels against plain-Python and numpy versions of the same computations."""

from __future__ import annotations

import numpy as np
import pytest

from copsim.model import kernels
from copsim.model.replicates import quantile_by, total_by


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
        got = list(zip(tie[indptr[x] : indptr[x + 1]].tolist(), neighbour[indptr[x] : indptr[x + 1]].tolist(), strict=True))
        assert got == expected
    assert np.diff(indptr).tolist() == np.bincount(np.concatenate([a, b]), minlength=n).tolist()


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
    indptr, _, _ = kernels.adjacency(a, b, 25)
    weight = rng.random(indptr[-1]) * (rng.random(indptr[-1]) < 0.7)  # some zero weights
    who = rng.integers(0, 25, 200)
    u = rng.random(200)
    assert kernels.draw_by_weight(indptr, weight, who, u).tolist() == _draw_by_weight_python(indptr, weight, who, u)


def test_draw_by_weight_follows_the_weights():
    indptr = np.array([0, 2])
    u = np.random.default_rng(0).random(4000)
    chosen = kernels.draw_by_weight(indptr, np.array([0.9, 0.1]), np.zeros(4000, np.int64), u)
    assert (chosen == 0).mean() == pytest.approx(0.9, abs=0.03)
    assert kernels.draw_by_weight(indptr, np.zeros(2), np.zeros(1, np.int64), u[:1]).tolist() == [-1]


def test_totals_and_quantiles_by_replicate_are_each_replicates_own():
    rng = np.random.default_rng(3)
    values, group = rng.random(300), rng.integers(0, 4, 300)
    for g in range(4):
        assert total_by(group, values, 5)[g] == pytest.approx(values[group == g].sum())
        assert quantile_by(values, group, 5, 0.75)[g] == np.quantile(values[group == g], 0.75)
    assert np.isnan(quantile_by(values, group, 5, 0.75)[4])  # an empty group
