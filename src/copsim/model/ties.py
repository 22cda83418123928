"""Ties between practitioners: one store of undirected ties, each with its trust.

Two kinds of tie share the store:

* **formal** ties (colleagues, official counterparts), built once by the world builder; their
  trust decays toward the trust they started with, and they are never dropped;
* **community** ties, made during the run when strangers exchange knowledge; their trust decays
  toward the baseline, and a tie whose trust has fallen back to it lapses (:meth:`Ties.prune`).

Each tie is stored once, as its two ends ``a < b`` (practitioner slots), with the organizations
of its ends beside it (a tie whose ends work in different organizations crosses a boundary).
New ties are appended; a sorted index of the keys ``a * n + b`` finds a pair's tie by binary
search (:meth:`Ties.find`). Replicates stepped together never share a tie, and each week's new
ties are appended replicate by replicate, so each replicate's ties keep the relative order they
have in a run of their own.
"""

from __future__ import annotations

import numpy as np

from . import kernels
from .replicates import offsets


class _Column:
    """A per-tie column: a view of the live part of a buffer with room to grow, so that adding
    ties appends in place instead of copying every column each week."""

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    def __get__(self, ties: Ties, owner: type | None = None) -> np.ndarray:
        return ties._buffers[self.name][: ties.count]

    def __set__(self, ties: Ties, values: np.ndarray) -> None:
        ties._buffers[self.name][: ties.count] = values


class Ties:
    """Undirected weighted ties among ``org.size`` practitioners.

    Args:
        org: each practitioner's organization.
        a, b, trust: the formal ties and their starting trust (also the floor their trust
            decays toward); a pair listed twice is kept once, with its first trust.
    """

    a = _Column()  # one end (the lower slot)
    b = _Column()  # the other end
    org_a = _Column()  # the ends' organizations
    org_b = _Column()
    cross = _Column()  # the tie joins two organizations
    trust = _Column()
    floor = _Column()  # what its trust decays toward
    formal = _Column()  # formal tie (never dropped) or community tie

    def __init__(self, org: np.ndarray, a: np.ndarray, b: np.ndarray, trust: np.ndarray) -> None:
        self.org = np.asarray(org)
        self.n = self.org.size
        lo, hi = np.minimum(a, b).astype(np.int64), np.maximum(a, b).astype(np.int64)
        key, first = np.unique(lo * self.n + hi, return_index=True)
        self.count = 0
        self._buffers: dict[str, np.ndarray] = {}
        start = np.asarray(trust, float)[first]
        self._append(key, start, start, formal=True)  # formal ties decay toward their start
        self._index(key)
        # formal colleagues never change: their rows are built once
        self.formal_indptr, _, self.formal_neighbour = kernels.adjacency(self.a, self.b, self.n)
        self._rows: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None

    def _index(self, key: np.ndarray) -> None:
        """The sorted key index: every tie's key, ascending, and the tie's position."""
        order = np.argsort(key, kind="stable")
        self.sorted_key, self.sorted_tie = key[order], order

    def _append(self, key: np.ndarray, trust: np.ndarray, floor: np.ndarray | float, formal: bool) -> None:
        """Append the ties with keys ``key`` (in that order), growing the buffers when full."""
        a, b = key // self.n, key % self.n
        org_a, org_b = self.org[a], self.org[b]
        new = {"a": a, "b": b, "org_a": org_a, "org_b": org_b, "cross": org_a != org_b}
        new |= {"trust": trust, "floor": floor, "formal": formal}
        end = self.count + key.size
        for name, values in new.items():
            buffer = self._buffers.get(name)
            if buffer is None or buffer.size < end:
                grown = np.empty(max(2 * end, 1024), np.asarray(values).dtype)
                if buffer is not None:
                    grown[: self.count] = buffer[: self.count]
                self._buffers[name] = buffer = grown
            buffer[self.count : end] = values
        self.count = end

    def rows(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Every practitioner's ties as compressed rows ``(indptr, tie, neighbour)``
        (:func:`copsim.model.kernels.adjacency`), rebuilt after ties were added or dropped."""
        if self._rows is None:
            self._rows = kernels.adjacency(self.a, self.b, self.n)
        return self._rows

    def _keys(self, i: np.ndarray, j: np.ndarray) -> np.ndarray:
        return np.minimum(i, j).astype(np.int64) * self.n + np.maximum(i, j)

    def find(self, i: np.ndarray, j: np.ndarray) -> np.ndarray:
        """Position of the tie of each pair (i, j), -1 where they have none."""
        key = self._keys(i, j)
        at = np.minimum(np.searchsorted(self.sorted_key, key), max(self.count - 1, 0))
        found = self.sorted_key[at] == key if self.count else np.zeros(key.size, bool)
        return np.where(found, self.sorted_tie[at] if self.count else -1, -1)

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
        key, first = np.unique(self._keys(i, j), return_index=True)
        at = np.searchsorted(self.sorted_key, key)
        start = self.count
        self.sorted_key = np.insert(self.sorted_key, at, key)
        self.sorted_tie = np.insert(self.sorted_tie, at, start + np.arange(key.size))
        self._append(key, trust[first], floor, formal=False)
        if self._rows is not None:
            self._rows = rows_with_new_ties(self._rows, self.a[start:], self.b[start:], start)

    def prune(self, margin: float) -> int:
        """Drop the community ties whose trust is within ``margin`` of their floor (a lapsed
        acquaintance is no longer a tie); formal ties stay. Returns how many were dropped."""
        keep = self.formal | (self.trust - self.floor >= margin)
        kept = int(np.count_nonzero(keep))
        dropped = self.count - kept
        if dropped:
            for buffer in self._buffers.values():
                buffer[:kept] = buffer[: self.count][keep]
            self.count = kept
            self._index(self._keys(self.a, self.b))
            self._rows = None
        return dropped

    def reset_trust(self, leaving: np.ndarray) -> None:
        """Trust on every tie of the practitioners ``leaving`` back to its floor: relationships
        leave with a person."""
        indptr, tie, _ = self.rows()
        entry, _ = row_entries(indptr, leaving)
        touched = tie[entry]
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


def rows_with_new_ties(
    rows: tuple[np.ndarray, np.ndarray, np.ndarray], a: np.ndarray, b: np.ndarray, first: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Compressed rows ``rows`` with the ties ``first, first + 1, ...`` (ends ``a``, ``b``)
    appended: exactly the rows :func:`copsim.model.kernels.adjacency` lists for all the ties.

    New ties have the highest positions, so each new entry goes at the end of its row. Inserting
    a week's few hundred entries copies the rows once; listing them all again would scatter
    every tie's two entries to random places, several times slower in a large batch.
    """
    indptr, tie, neighbour = rows
    new = first + np.arange(a.size)
    end, other, ids = np.concatenate((a, b)), np.concatenate((b, a)), np.concatenate((new, new))
    order = np.lexsort((ids, end))  # by row, and within a row by tie position
    end = end[order]
    at = indptr[end + 1]  # before the next row's first entry
    grown = offsets(np.bincount(end, minlength=indptr.size - 1))
    return indptr + grown, np.insert(tie, at, ids[order]), np.insert(neighbour, at, other[order])


def row_entries(indptr: np.ndarray, who: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The entries of the rows of ``who`` (compressed rows ``indptr``), row after row, and for
    each entry the position in ``who`` of its row."""
    length = indptr[who + 1] - indptr[who]
    owner = np.repeat(np.arange(who.size), length)
    row_start = np.repeat(indptr[who] - (np.cumsum(length) - length), length)
    return row_start + np.arange(owner.size), owner
