"""The model's only compiled code: loops over ties that numpy cannot express without sorting.

Two loops, compiled with Numba (``njit``, cached on disk beside this module; the first run after
installing compiles them in a few seconds). Neither draws random numbers nor holds a model
constant: the rules that use them (:mod:`copsim.model.ties`, :mod:`copsim.model.mechanisms.interaction`)
pass in every number they need. ``tests/test_kernels.py`` checks each against a plain-Python
or numpy version of the same computation.

* :func:`adjacency` lists each practitioner's ties (a counting sort, linear in the ties; numpy's
  ``argsort`` would be ``n log n`` each week).
* :func:`draw_by_weight` picks an entry of each chooser's tie list in proportion to a weight, by
  inverse CDF within the chooser's own list (a numpy version needs one cumulative sum across all
  choosers, whose rounding would let one replicate's ties shift another's choices).
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
        for end, other in ((a[e], b[e]), (b[e], a[e])):
            tie[fill[end]] = e
            neighbour[fill[end]] = other
            fill[end] += 1
    return indptr, tie, neighbour


@kernel
def draw_by_weight(
    indptr: np.ndarray, weight: np.ndarray, who: np.ndarray, u: np.ndarray
) -> np.ndarray:
    """For each chooser ``who[s]``, the entry of its row chosen with probability proportional to
    ``weight`` (inverse CDF at the uniform ``u[s]``); -1 where its weights add up to zero.

    Args:
        indptr: compressed rows (from :func:`adjacency`).
        weight: a non-negative weight per entry.
        who, u: the choosers and one uniform in [0, 1) each.
    """
    chosen = np.full(who.size, -1, np.int64)
    for s in range(who.size):
        first, last = indptr[who[s]], indptr[who[s] + 1]
        total = 0.0
        for k in range(first, last):
            total += weight[k]
        if total <= 0.0:
            continue
        target = u[s] * total
        running = 0.0
        for k in range(first, last):
            if weight[k] > 0.0:
                chosen[s] = k  # the last positive entry, should rounding leave target unreached
                running += weight[k]
                if running > target:
                    break
    return chosen
