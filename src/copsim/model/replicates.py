"""Replicates side by side: several independent worlds of one condition in one set of arrays.

A batch of R replicates lays their worlds end to end: replicate *r*'s practitioners are the
slots ``person_start[r]`` to ``person_start[r + 1]``, its organizations the ids
``unit_start[r]`` to ``unit_start[r + 1]``, and no tie joins two replicates. Each practitioner
and organization carries its replicate's index (``person_rep``, ``unit_rep``), and every
community-level quantity (vitality, sponsorship, repertoire, ...) holds one value per replicate,
which a rule reads for a practitioner as ``quantity[person_rep]``. A single run is a batch of one.

Replicate *r*'s numbers must not depend on its batch. Its random numbers come from its own
streams (:mod:`copsim.model.streams`), and every total over a replicate is taken with
:func:`total_by`, which adds each replicate's values in their own order (``np.bincount``), never
with a sum over the whole batch, whose rounding would mix replicates.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np


def total_by(group: np.ndarray, values: np.ndarray | None, n_groups: int) -> np.ndarray:
    """Per group, the total of ``values`` (or the count of members when ``values`` is None),
    each group's values added in array order."""
    return np.bincount(group, weights=values, minlength=n_groups)[:n_groups]


def offsets(counts: np.ndarray) -> np.ndarray:
    """Start offsets of consecutive blocks of the given sizes, with the end appended."""
    start = np.zeros(len(counts) + 1, np.int64)
    np.cumsum(counts, out=start[1:])
    return start


@dataclass(frozen=True)
class Layout:
    """Where each replicate's practitioners and organizations sit in the batch's arrays."""

    person_start: np.ndarray  # int64, R + 1 offsets
    unit_start: np.ndarray  # int64, R + 1 offsets (organizations)

    @property
    def n_replicates(self) -> int:
        return self.person_start.size - 1

    @property
    def people(self) -> np.ndarray:
        """Practitioners per replicate."""
        return np.diff(self.person_start)

    @property
    def units(self) -> np.ndarray:
        """Organizations per replicate."""
        return np.diff(self.unit_start)

    @property
    def person_rep(self) -> np.ndarray:
        """Each practitioner's replicate."""
        return np.repeat(np.arange(self.n_replicates), self.people)

    @property
    def unit_rep(self) -> np.ndarray:
        """Each organization's replicate."""
        return np.repeat(np.arange(self.n_replicates), self.units)


def quantile_of_blocks(values: np.ndarray, start: np.ndarray, q: float) -> np.ndarray:
    """The ``q`` quantile of each block ``values[start[r]:start[r + 1]]``, exactly as
    ``np.quantile(block, q)`` computes it (linear interpolation); NaN for an empty block.

    Each block is sorted on its own and the interpolation is done for all blocks at once:
    ``np.quantile``'s fixed cost, paid once per replicate, is what stepping replicates together is
    meant to save (and one ``np.lexsort`` of the whole batch by block and value is ten times
    slower than a sort per block).
    """
    n = np.diff(start)
    ordered = np.concatenate([np.sort(values[a:b]) for a, b in itertools.pairwise(start)])
    virtual = (n - 1) * q  # numpy's virtual index for its linear method
    below = np.floor(virtual)
    gamma = virtual - below
    last = np.maximum(n - 1, 0)
    at = np.minimum(start[:-1] + np.clip(below.astype(np.int64), 0, last), max(values.size - 1, 0))
    a = ordered[at] if values.size else np.zeros(n.size)
    b = ordered[np.minimum(at + (below < last), max(values.size - 1, 0))] if values.size else a
    step = b - a
    # numpy's lerp: from the nearer end, so that the result stays within [a, b]
    result = np.where(gamma >= 0.5, b - step * (1 - gamma), a + step * gamma)
    return np.where(n > 0, result, np.nan)
