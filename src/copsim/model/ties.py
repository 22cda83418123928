"""Ties between practitioners: one sorted store of undirected ties, each with its trust.

Two kinds of tie share the store:

* **formal** ties (colleagues, official counterparts), built once by the world builder; their
  trust decays toward the trust they started with, and they are never dropped;
* **community** ties, made during the run when strangers exchange knowledge; their trust decays
  toward the baseline, and a tie whose trust has fallen back to it lapses (:meth:`Ties.prune`).

Each tie is stored once, as its two ends ``a < b`` (practitioner slots), sorted by the key
``a * n + b``: a pair's tie is found by binary search (:meth:`Ties.find`), and ties added or
dropped keep the order. Replicates stepped together never share a tie, and their slots are
contiguous, so each replicate's ties keep the relative order they have in a run of their own.
A tie crosses a boundary when its ends work in different organizations.
"""

from __future__ import annotations

import numpy as np

from . import kernels


class Ties:
    """Undirected weighted ties among ``org.size`` practitioners, sorted by ``a * n + b``.

    Args:
        org: each practitioner's organization.
        a, b, trust: the formal ties and their starting trust (also the floor their trust
            decays toward); a pair listed twice is kept once, with its first trust.
    """

    def __init__(self, org: np.ndarray, a: np.ndarray, b: np.ndarray, trust: np.ndarray) -> None:
        self.org = np.asarray(org)
        self.n = self.org.size
        lo, hi = np.minimum(a, b).astype(np.int64), np.maximum(a, b).astype(np.int64)
        self.key, first = np.unique(lo * self.n + hi, return_index=True)
        self.a, self.b = self.key // self.n, self.key % self.n
        self.trust = np.asarray(trust, float)[first]
        self.floor = self.trust.copy()
        self.formal = np.ones(self.key.size, bool)
        # formal colleagues never change: their rows are built once
        self.formal_indptr, _, self.formal_neighbour = kernels.adjacency(self.a, self.b, self.n)
        self._rows: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None

    @property
    def count(self) -> int:
        return self.key.size

    def crossing(self) -> np.ndarray:
        """Whether each tie joins two organizations."""
        return self.org[self.a] != self.org[self.b]

    def rows(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Every practitioner's ties as compressed rows ``(indptr, tie, neighbour)``
        (:func:`copsim.model.kernels.adjacency`), rebuilt after ties were added or dropped."""
        if self._rows is None:
            self._rows = kernels.adjacency(self.a, self.b, self.n)
        return self._rows

    def find(self, i: np.ndarray, j: np.ndarray) -> np.ndarray:
        """Position of the tie of each pair (i, j), -1 where they have none."""
        key = np.minimum(i, j).astype(np.int64) * self.n + np.maximum(i, j)
        at = np.searchsorted(self.key, key)
        found = at < self.key.size
        found[found] = self.key[at[found]] == key[found]
        return np.where(found, at, -1)

    def trust_at(self, at: np.ndarray, default: float) -> np.ndarray:
        """Trust of the ties at positions ``at`` (from :meth:`find`); ``default`` where -1."""
        trust = np.full(at.size, default)
        found = at >= 0
        trust[found] = self.trust[at[found]]
        return trust

    def add(self, i: np.ndarray, j: np.ndarray, trust: np.ndarray, floor: float) -> None:
        """Add community ties between the pairs (i, j), none of which has a tie yet; a pair
        listed twice is added once, with the trust of its first listing."""
        if i.size == 0:
            return
        key, first = np.unique(np.minimum(i, j).astype(np.int64) * self.n + np.maximum(i, j), return_index=True)
        at = np.searchsorted(self.key, key)
        self.key = np.insert(self.key, at, key)
        self.a, self.b = np.insert(self.a, at, key // self.n), np.insert(self.b, at, key % self.n)
        self.trust = np.insert(self.trust, at, trust[first])
        self.floor = np.insert(self.floor, at, floor)
        self.formal = np.insert(self.formal, at, False)
        self._rows = None

    def prune(self, margin: float) -> int:
        """Drop the community ties whose trust is within ``margin`` of their floor (a lapsed
        acquaintance is no longer a tie); formal ties stay. Returns how many were dropped."""
        keep = self.formal | (self.trust - self.floor >= margin)
        dropped = int(keep.size - np.count_nonzero(keep))
        if dropped:
            for name in ("key", "a", "b", "trust", "floor", "formal"):
                setattr(self, name, getattr(self, name)[keep])
            self._rows = None
        return dropped

    def reset_trust(self, leaving: np.ndarray) -> None:
        """Trust on every tie of the practitioners flagged in ``leaving`` back to its floor:
        relationships leave with a person."""
        touched = leaving[self.a] | leaving[self.b]
        self.trust[touched] = self.floor[touched]

    def mean_trust_to(self, who: np.ndarray, eligible: np.ndarray, default: float) -> np.ndarray:
        """Mean trust on the ties of each practitioner in ``who`` to ``eligible`` practitioners;
        ``default`` where it has none."""
        indptr, tie, neighbour = self.rows()
        entry, owner = row_entries(indptr, who)
        partner_counts = eligible[neighbour[entry]]
        total = np.bincount(owner, self.trust[tie[entry]] * partner_counts, minlength=who.size)
        n_ties = np.bincount(owner, partner_counts, minlength=who.size)
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(n_ties > 0, total / n_ties, default)


def row_entries(indptr: np.ndarray, who: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The entries of the rows of ``who`` (compressed rows ``indptr``), row after row, and for
    each entry the position in ``who`` of its row."""
    length = indptr[who + 1] - indptr[who]
    owner = np.repeat(np.arange(who.size), length)
    row_start = np.repeat(indptr[who] - (np.cumsum(length) - length), length)
    return row_start + np.arange(owner.size), owner
