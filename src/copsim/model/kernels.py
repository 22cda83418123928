"""The model's only compiled code: loops over ties that numpy cannot express without sorting.

Four loops, compiled with Numba (``njit``, cached on disk beside this module; the first run
after installing compiles them in a few seconds). None draws random numbers or holds a model
constant: the rules that use them pass in every number they need. ``tests/test_kernels.py``
checks each against a plain-Python or numpy version of the same computation.

* :func:`adjacency` lists each practitioner's ties (a counting sort, linear in the ties; numpy's
  ``argsort`` would be ``n log n`` each week).
* :func:`draw_by_weight` picks an entry of each chooser's tie list in proportion to a weight, by
  inverse CDF within the chooser's own list (a numpy version needs one cumulative sum across all
  choosers, whose rounding would let one replicate's ties shift another's choices).
* :func:`neighbour_totals` and :func:`largest_at_ends` scatter over the ties to both their ends
  in one pass (numpy needs a gather, a mask and a ``bincount`` or ``ufunc.at`` per end and per
  quantity, a dozen passes over the largest arrays of a run).
"""

from __future__ import annotations

import numba
import numpy as np

kernel = numba.njit(cache=True, nogil=True)


@kernel
def adjacency(a: np.ndarray, b: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each practitioner's ties, as compressed rows: practitioner ``x``'s entries are
    ``indptr[x]:indptr[x + 1]``, each with its tie's position and the practitioner at its other
    end, in ascending tie position.

    Args:
        a, b: the two ends of each tie (practitioner indexes below ``n``).
        n: number of practitioners.

    Returns:
        ``(indptr, tie, neighbour)``.
    """
    indptr = np.zeros(n + 1, np.int64)
    for e in range(a.size):
        indptr[a[e] + 1] += 1
        indptr[b[e] + 1] += 1
    for x in range(n):
        indptr[x + 1] += indptr[x]
    tie = np.empty(2 * a.size, np.int64)
    neighbour = np.empty(2 * a.size, np.int64)
    fill = indptr[:-1].copy()
    for e in range(a.size):
        at = fill[a[e]]
        tie[at], neighbour[at] = e, b[e]
        fill[a[e]] = at + 1
        at = fill[b[e]]
        tie[at], neighbour[at] = e, a[e]
        fill[b[e]] = at + 1
    return indptr, tie, neighbour


@kernel
def draw_by_weight(
    indptr: np.ndarray,
    tie: np.ndarray,
    neighbour: np.ndarray,
    tie_weight: np.ndarray,
    neighbour_weight: np.ndarray,
    who: np.ndarray,
    u: np.ndarray,
) -> np.ndarray:
    """For each chooser ``who[s]``, an entry of its row chosen with probability proportional to
    ``tie_weight[tie] * neighbour_weight[neighbour]`` (inverse CDF at the uniform ``u[s]``);
    -1 where its weights add up to zero.

    Args:
        indptr, tie, neighbour: compressed rows (from :func:`adjacency`).
        tie_weight, neighbour_weight: non-negative weights per tie and per practitioner.
        who, u: the choosers and one uniform in [0, 1) each.
    """
    chosen = np.full(who.size, -1, np.int64)
    for s in range(who.size):
        first, last = indptr[who[s]], indptr[who[s] + 1]
        total = 0.0
        for k in range(first, last):
            total += tie_weight[tie[k]] * neighbour_weight[neighbour[k]]
        if total <= 0.0:
            continue
        target = u[s] * total
        running = 0.0
        for k in range(first, last):
            weight = tie_weight[tie[k]] * neighbour_weight[neighbour[k]]
            if weight > 0.0:
                chosen[s] = k  # the last positive entry, should rounding leave target unreached
                running += weight
                if running > target:
                    break
    return chosen


@kernel
def neighbour_totals(
    a: np.ndarray,
    b: np.ndarray,
    weight: np.ndarray,
    include: np.ndarray,
    eligible: np.ndarray,
    value: np.ndarray,
    n: int,
) -> tuple[np.ndarray, np.ndarray]:
    """Per node ``x``, over the included ties ``e`` that touch it, each counted as much as the
    node at its other end is ``eligible``: the total of ``weight[e] * value[other]`` and the
    total of ``weight[e]`` (a weighted mean of the neighbours' value is their ratio). Each node's
    ties are added in tie order.

    Args:
        a, b: the two ends of each tie (nodes below ``n``).
        weight, include: per tie.
        eligible, value: per node, as floats (0 and 1 for yes and no: a branch-free loop over
            floats is several times faster than one that tests booleans in random order).
    """
    weighted = np.zeros(n)
    total = np.zeros(n)
    for e in range(a.size):
        w = weight[e] * include[e]
        to_a, to_b = w * eligible[b[e]], w * eligible[a[e]]
        weighted[a[e]] += to_a * value[b[e]]
        total[a[e]] += to_a
        weighted[b[e]] += to_b * value[a[e]]
        total[b[e]] += to_b
    return weighted, total


@kernel
def largest_at_ends(
    a: np.ndarray, b: np.ndarray, value: np.ndarray, include: np.ndarray, initial: np.ndarray
) -> np.ndarray:
    """Per node, the largest ``value`` of the included ties that touch it, or its ``initial``
    value if that is larger (or it has none). Values and initial values must not be negative
    (an excluded tie counts as 0)."""
    largest = initial.copy()
    for e in range(a.size):
        v = value[e] * include[e]
        largest[a[e]] = max(largest[a[e]], v)
        largest[b[e]] = max(largest[b[e]], v)
    return largest
