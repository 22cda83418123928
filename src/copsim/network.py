"""Ties between practitioners, stored as arrays, with trust on each tie.

Two kinds of tie share one store:

* **formal** ties (colleagues, official counterparts) are built once by the world builder;
  a CSR index over them (``indptr``, ``neighbour``, ``edge``) lets every practitioner pick a
  random colleague in one vectorized step;
* **community** ties are created during the run when members from different organizations
  exchange knowledge or are introduced by a coordinator.

Each undirected tie is stored once (``a < b``) with its trust in [0, 1], the floor its trust
decays toward when idle, and the organizations of its two ends (``org_a``, ``org_b``; a tie
whose ends differ crosses an organizational boundary). Keeping the ends' organizations beside
each tie lets the weekly loops over cross-boundary ties read them in tie order instead of
looking each end up in the practitioners' array (half the time of adoption's exposure at
100,000 practitioners). A sorted key array (``a * n + b``) finds ties by endpoint pair without
Python dictionaries.
"""

from __future__ import annotations

import numpy as np

from .compiled import kernel

#: an edge id not looked up yet (ids found are >= 0, -1 for no tie)
UNKNOWN = -2


@kernel
def incidence(a, b, n):  # pragma: no cover - compiled
    """CSR index of the ties ``(a[e], b[e])`` by practitioner, by counting sort.

    Practitioner ``x``'s entries are ``indptr[x]:indptr[x + 1]``: first the ties where ``x`` is
    the ``a`` end (up to ``b_start[x]``), then those where it is the ``b`` end, each in order of
    tie id (the stable order of ``concatenate([a, b])``). Returns ``(indptr, edge, neighbour,
    b_start)``: per entry the tie id and the other end (int32: half the memory traffic of
    int64, for an index rebuilt every 13 weeks and read every week).
    """
    indptr = np.zeros(n + 1, np.int64)
    a_degree = np.zeros(n, np.int64)
    for e in range(a.size):
        a_degree[a[e]] += 1
        indptr[a[e] + 1] += 1
        indptr[b[e] + 1] += 1
    for x in range(n):
        indptr[x + 1] += indptr[x]
    b_start = indptr[:-1] + a_degree
    edge = np.empty(2 * a.size, np.int32)
    neighbour = np.empty(2 * a.size, np.int32)
    fill_a, fill_b = indptr[:-1].copy(), b_start.copy()
    for e in range(a.size):  # each end goes to its own part of its segment, in tie order
        at = fill_a[a[e]]
        edge[at], neighbour[at] = e, b[e]
        fill_a[a[e]] = at + 1
        at = fill_b[b[e]]
        edge[at], neighbour[at] = e, a[e]
        fill_b[b[e]] = at + 1
    return indptr, edge, neighbour, b_start


@kernel
def _merge_sorted(keys, values, new_keys, new_values):  # pragma: no cover - compiled
    """Merge sorted ``new_keys`` (absent from ``keys``) and their values into sorted ``keys``."""
    merged_keys = np.empty(keys.size + new_keys.size, np.int64)
    merged_values = np.empty(merged_keys.size, np.int64)
    a = b = 0
    for out in range(merged_keys.size):
        if b == new_keys.size or (a < keys.size and keys[a] < new_keys[b]):
            merged_keys[out], merged_values[out] = keys[a], values[a]
            a += 1
        else:
            merged_keys[out], merged_values[out] = new_keys[b], new_values[b]
            b += 1
    return merged_keys, merged_values


@kernel
def _pair_key(i, j, n):  # pragma: no cover - compiled
    """The key ``min * n + max`` of an undirected pair."""
    return np.int64(min(i, j)) * n + max(i, j)


#: bytes of the key index's filter per key entered (two bits of one byte are set per key)
FILTER_BYTES_PER_KEY = 2


@kernel
def _filter_slot(key, size):  # pragma: no cover - compiled
    """The byte of a key filter of ``size`` bytes (a power of 2) that holds ``key``, and the
    two bits of it that mark ``key``: a multiplicative hash, in int64 without overflow (keys
    are below 2^62, so both products are)."""
    h = (key & 0xFFFFFFFF) * 0x3C6EF35F + (key >> 32) * 0x2545F491
    h ^= h >> 29
    return (h >> 8) & (size - 1), (1 << (h & 7)) | (1 << ((h >> 3) & 7))


@kernel
def _filter_add(key_filter, keys):  # pragma: no cover - compiled
    """Enter ``keys`` in ``key_filter`` (in place)."""
    for key in keys:
        byte, bits = _filter_slot(key, key_filter.size)
        key_filter[byte] |= bits


@kernel
def _lookup(key_filter, keys, edges, recent_keys, recent_edges, key):  # pragma: no cover - compiled
    """Edge id of ``key`` in the key index, -1 where absent.

    The filter answers most absent keys (about 98 % at 2 bytes a key) with one byte read;
    the others are searched in the two sorted levels.
    """
    byte, bits = _filter_slot(key, key_filter.size)
    if (key_filter[byte] & bits) != bits:
        return -1
    at = np.searchsorted(keys, key)
    if at < keys.size and keys[at] == key:
        return edges[at]
    at = np.searchsorted(recent_keys, key)
    if at < recent_keys.size and recent_keys[at] == key:
        return recent_edges[at]
    return -1


@kernel
def find_pairs(i, j, n, *key_index):  # pragma: no cover - compiled
    """Edge ids of the pairs (i, j) in a key index (see ``Ties.key_index``), -1 where absent."""
    found = np.full(i.size, UNKNOWN)
    fill_pairs(found, i, j, n, *key_index)
    return found


@kernel
def fill_pairs(found, i, j, n, *key_index):  # pragma: no cover - compiled
    """:func:`find_pairs` in place, for the pairs whose ``found`` is ``UNKNOWN`` only."""
    for s in range(i.size):
        if found[s] == UNKNOWN:
            found[s] = _lookup(*key_index, _pair_key(i[s], j[s], n))


@kernel
def _absent_pairs(i, j, n, key_index, absent):  # pragma: no cover - compiled
    """Sorted distinct keys of the pairs (i, j) without a tie, each with its first listing
    (``absent``: the caller knows none has a tie, so none is looked up)."""
    key = np.empty(i.size, np.int64)
    for s in range(i.size):
        key[s] = _pair_key(i[s], j[s], n)
    order = np.argsort(key, kind="mergesort")  # stable: equal keys keep their listing order
    new_keys = np.empty(i.size, np.int64)
    first = np.empty(i.size, np.int64)
    m = 0
    for r in range(order.size):
        s = order[r]
        if r > 0 and key[s] == key[order[r - 1]]:
            continue
        if absent or _lookup(*key_index, key[s]) < 0:
            new_keys[m], first[m] = key[s], s
            m += 1
    return new_keys[:m], first[:m]


@kernel
def draw_by_trust(indptr, edge, neighbour, trust, eligible, who, u):  # pragma: no cover - compiled
    """Where in the CSR index each ``who[s]``'s partner is, drawn from its segment with weight
    ``trust * eligible`` (the partner is ``neighbour`` there, their tie ``edge``).

    Inverse-CDF sampling on one running sum over all the seekers' segments (as ``np.cumsum``
    over their concatenation would give): seeker ``s`` takes the last entry of its segment
    whose running sum is at most ``lo + u[s] * (hi - lo)``; -1 where its weights sum to zero.
    """
    size = 0
    for s in range(who.size):
        size += indptr[who[s] + 1] - indptr[who[s]]
    cum = np.empty(size + 1)
    cum[0] = 0.0
    k = 0
    for s in range(who.size):
        for pos in range(indptr[who[s]], indptr[who[s] + 1]):
            cum[k + 1] = cum[k] + trust[edge[pos]] * eligible[neighbour[pos]]
            k += 1
    result = np.full(who.size, -1, np.int64)
    first = 0
    for s in range(who.size):
        start = indptr[who[s]]
        last = first + indptr[who[s] + 1] - start  # segment s is cum[first:last + 1]
        lo, hi = cum[first], cum[last]
        if hi - lo > 0:
            target = lo + u[s] * (hi - lo)
            k = first
            while k + 1 < last and cum[k + 1] <= target:
                k += 1
            result[s] = start + k - first
        first = last
    return result


@kernel
def _mean_trust_to(
    a, b, trust, eligible, default, tail_from, count, indptr, edge, neighbour, b_start, who
):  # pragma: no cover
    """Mean trust on the ties from each ``who`` (distinct) to ``eligible`` partners.

    Each practitioner's ties are summed in a fixed order: snapshot ties at its ``a`` end, newer
    ties at its ``a`` end, then the same at its ``b`` end, each in ascending tie id (the order
    of the numpy version this replaced, so its sums are bit for bit the same). Ties with id >=
    ``tail_from`` are not in the CSR snapshot.
    """
    slot = np.full(eligible.size, -1, np.int32)  # where each practitioner is in who (-1: not)
    for s in range(who.size):
        slot[who[s]] = s
    total = np.zeros(who.size)
    n_ties = np.zeros(who.size)
    for end in range(2):  # 0: ties at the practitioner's a end, 1: at its b end
        for s in range(who.size):
            x = who[s]
            first, last = (indptr[x], b_start[x]) if end == 0 else (b_start[x], indptr[x + 1])
            for pos in range(first, last):
                e, other = edge[pos], neighbour[pos]
                total[s] += trust[e] * eligible[other]
                n_ties[s] += eligible[other]
        for e in range(tail_from, count):
            node, other = (a[e], b[e]) if end == 0 else (b[e], a[e])
            s = slot[node]
            if s >= 0:
                total[s] += trust[e] * eligible[other]
                n_ties[s] += eligible[other]
    mean = np.full(who.size, default)
    for s in range(who.size):
        if n_ties[s] > 0:
            mean[s] = total[s] / n_ties[s]
    return mean


@kernel
def _append_ties(  # pragma: no cover - compiled
    i,
    j,
    trust,
    floor,
    org,
    count,
    a,
    b,
    tie_trust,
    tie_floor,
    org_a,
    org_b,
    key_index,
    absent,
):
    """Write the ties (i, j) that do not exist yet at ids ``count, count + 1, ...`` (in key
    order; capacity must suffice), enter their keys in the filter and merge them into the
    recent level of the index.

    Returns the number added and the new recent level (keys, edge ids).
    """
    n = org.size
    key_filter, _, _, recent_keys, recent_edges = key_index
    key, first = _absent_pairs(i, j, n, key_index, absent)
    ids = np.arange(count, count + key.size)
    for r in range(key.size):
        e = ids[r]
        a[e], b[e] = key[r] // n, key[r] % n
        tie_trust[e], tie_floor[e] = trust[first[r]], floor
        org_a[e], org_b[e] = org[a[e]], org[b[e]]
    if key.size == 0:
        return 0, recent_keys, recent_edges
    _filter_add(key_filter, key)
    merged_keys, merged_edges = _merge_sorted(recent_keys, recent_edges, key, ids)
    return key.size, merged_keys, merged_edges


@kernel
def _reset_trust(a, b, trust, floor, indptr, edge, tail_from, count, nodes):  # pragma: no cover
    mark = np.zeros(indptr.size - 1, np.bool_)
    mark[nodes] = True
    for x in nodes:
        for pos in range(indptr[x], indptr[x + 1]):
            trust[edge[pos]] = floor[edge[pos]]
    for e in range(tail_from, count):
        if mark[a[e]] or mark[b[e]]:
            trust[e] = floor[e]


@kernel
def _drop_lapsed(  # pragma: no cover - compiled
    n_formal, count, min_excess, a, b, trust, floor, org_a, org_b, keys, key_edge
):
    """Drop, in place, the community ties (ids ``n_formal`` to ``count``) whose trust is within
    ``min_excess`` of their floor: the kept ties move down in order, and the key index (sorted,
    with the recent level merged in) keeps its order with the kept ties' new ids.

    Returns the number of ties kept and of key index entries kept.
    """
    new_id = np.arange(count)
    kept = n_formal
    for e in range(n_formal, count):
        if trust[e] - floor[e] >= min_excess:
            a[kept], b[kept], trust[kept], floor[kept] = a[e], b[e], trust[e], floor[e]
            org_a[kept], org_b[kept] = org_a[e], org_b[e]
            new_id[e] = kept
            kept += 1
        else:
            new_id[e] = -1
    n_keys = 0
    for r in range(keys.size):
        e = new_id[key_edge[r]]
        if e >= 0:
            keys[n_keys], key_edge[n_keys] = keys[r], e
            n_keys += 1
    return kept, n_keys


class Ties:
    """Undirected weighted ties among practitioners, growable, with a CSR formal index.

    ``org`` is each practitioner's organization (its size is the number of practitioners);
    ``a``, ``b``, ``trust`` the formal ties and their starting trust (also their floor).
    """

    #: the per-tie columns, each of the store's capacity; ids below ``count`` are live
    COLUMNS = ("a", "b", "trust", "floor", "org_a", "org_b")

    def __init__(self, org: np.ndarray, a: np.ndarray, b: np.ndarray, trust: np.ndarray) -> None:
        self.org = np.asarray(org, np.int32)
        self.n = self.org.size
        lo, hi = np.minimum(a, b).astype(np.int64), np.maximum(a, b).astype(np.int64)
        keys, first = np.unique(lo * self.n + hi, return_index=True)
        count = keys.size
        capacity = max(16, 2 * count)
        self.a = np.zeros(capacity, np.int32)
        self.b = np.zeros(capacity, np.int32)
        self.trust = np.zeros(capacity, np.float64)
        self.floor = np.zeros(capacity, np.float64)
        self.org_a = np.zeros(capacity, np.int32)
        self.org_b = np.zeros(capacity, np.int32)
        self.a[:count], self.b[:count] = lo[first], hi[first]
        self.trust[:count] = trust[first]
        self.floor[:count] = trust[first]
        self.org_a[:count], self.org_b[:count] = self.org[self.a[:count]], self.org[self.b[:count]]
        self.count = count
        self.n_formal = count
        # key index in two sorted levels: the main one, and the ties added since it was last
        # merged (small, so adding ties does not copy the whole index every week)
        self._keys = keys
        self._key_edge = np.arange(count, dtype=np.int64)
        self._recent_keys = np.zeros(0, np.int64)
        self._recent_edge = np.zeros(0, np.int64)
        self._rebuild_filter()
        self._build_formal_index()
        self.rebuild_partner_index()

    # ---------------------------------------------------------------- formal CSR index
    def _build_formal_index(self) -> None:
        m = self.n_formal
        self.indptr, self.edge, self.neighbour, _ = incidence(self.a[:m], self.b[:m], self.n)

    def rebuild_partner_index(self) -> None:
        """Snapshot a CSR index over all live ties (formal and community) for partner choice."""
        index = incidence(self.view("a"), self.view("b"), self.n)
        self.all_indptr, self.all_edge, self.all_neighbour, self.all_b_start = index
        self._snapshot_count = self.count  # ties with ids >= this were added after the snapshot
        self._snapshot_valid = True  # no tie dropped (ids renumbered) since the snapshot

    def trusted_partner(self, who: np.ndarray, u: np.ndarray, eligible: np.ndarray) -> np.ndarray:
        """For each practitioner in ``who``, a tied partner drawn in proportion to trust.

        Only partners with ``eligible`` True count (e.g. members). Uses the snapshot from
        :meth:`rebuild_partner_index`; -1 where no eligible tie exists.
        """
        index = (self.all_indptr, self.all_edge, self.all_neighbour)
        at = draw_by_trust(*index, self.trust, eligible, who, u)
        return np.where(at >= 0, self.all_neighbour[at], -1)

    # ---------------------------------------------------------------- lookup and growth
    @property
    def key_index(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """The key index: its filter, then its two sorted levels (keys, edge ids, recent keys,
        their edge ids)."""
        return self._filter, self._keys, self._key_edge, self._recent_keys, self._recent_edge

    def find(self, i: np.ndarray, j: np.ndarray) -> np.ndarray:
        """Edge ids of the ties (i, j), -1 where there is none."""
        return find_pairs(i, j, self.n, *self.key_index)

    def add(
        self, i: np.ndarray, j: np.ndarray, trust: float | np.ndarray, floor: float, absent: bool = False
    ) -> None:
        """Add community ties (i, j) that do not exist yet, each with its starting trust.

        A pair listed more than once is added once, with the trust of its first listing. New
        ties get consecutive ids in the order of their keys. ``absent=True`` promises that none
        of the pairs has a tie (e.g. strangers who just met), which saves looking each one up.
        """
        if i.size == 0:
            return
        if not isinstance(trust, np.ndarray):  # one starting trust for all
            trust = np.full(i.size, float(trust))
        if self.count + i.size > self.a.size:
            self._grow(self.count + i.size)
        columns = [getattr(self, name) for name in self.COLUMNS]
        added, self._recent_keys, self._recent_edge = _append_ties(
            i, j, trust, floor, self.org, self.count, *columns, self.key_index, absent
        )
        if added:
            self.count += added
            if self._recent_keys.size > max(4096, self._keys.size // 16):
                self._merge_recent()
            self._filter_entries += added
            if self._filter_entries * FILTER_BYTES_PER_KEY > self._filter.size:  # full
                self._rebuild_filter()

    def _rebuild_filter(self) -> None:
        """A new filter in front of the key index, with every live key and room for as many again.

        It rules out most absent keys without a search. Keys of dropped ties stay in it until
        the next rebuild: they cost a search, never a wrong answer.
        """
        self._merge_recent()
        size = 1 << int(2 * FILTER_BYTES_PER_KEY * max(self._keys.size, 1024) - 1).bit_length()
        self._filter = np.zeros(size, np.uint8)
        _filter_add(self._filter, self._keys)
        self._filter_entries = self._keys.size

    def _merge_recent(self) -> None:
        """Fold the recent level of the key index into the main one."""
        if self._recent_keys.size:
            self._keys, self._key_edge = _merge_sorted(
                self._keys, self._key_edge, self._recent_keys, self._recent_edge
            )
            self._recent_keys = self._recent_keys[:0]
            self._recent_edge = self._recent_edge[:0]

    def prune(self, min_excess: float) -> int:
        """Drop community ties whose trust has decayed to within ``min_excess`` of their floor.

        A lapsed acquaintance is no longer a tie. Formal ties are never dropped, so formal edge
        ids (and the CSR index) stay valid. Returns the number of ties dropped.
        """
        columns = [getattr(self, name) for name in self.COLUMNS]
        self._merge_recent()
        kept, n_keys = _drop_lapsed(
            self.n_formal, self.count, min_excess, *columns, self._keys, self._key_edge
        )
        dropped = self.count - kept
        if dropped:
            self.count = kept
            self._snapshot_valid = False
            self._keys, self._key_edge = self._keys[:n_keys], self._key_edge[:n_keys]
        return dropped

    def _grow(self, needed: int) -> None:
        capacity = max(needed, 2 * self.a.size)
        for name in self.COLUMNS:
            old = getattr(self, name)
            new = np.zeros(capacity, old.dtype)
            new[: self.count] = old[: self.count]
            setattr(self, name, new)

    # ---------------------------------------------------------------- views
    def view(self, name: str) -> np.ndarray:
        """The live part of a per-tie column (one of :attr:`COLUMNS`)."""
        return getattr(self, name)[: self.count]

    def crossing(self) -> np.ndarray:
        """Whether each live tie joins two organizations."""
        return self.view("org_a") != self.view("org_b")

    def mean_trust_to(self, who: np.ndarray, eligible: np.ndarray, default: float) -> np.ndarray:
        """Mean trust on the ties of each practitioner in ``who`` (distinct) to ``eligible`` ones.

        ``default`` where a practitioner has no such tie. Visits only the ties touching ``who``.
        """
        indptr, edge, neighbour, b_start, tail_from = self._ties_of_index()
        ties, index = (self.a, self.b, self.trust), (indptr, edge, neighbour, b_start)
        return _mean_trust_to(*ties, eligible, default, tail_from, self.count, *index, who)

    def reset_trust(self, nodes: np.ndarray) -> None:
        """Trust on every tie of ``nodes`` back to its floor (relationships leave with a person)."""
        indptr, edge, _, _, tail_from = self._ties_of_index()
        _reset_trust(self.a, self.b, self.trust, self.floor, indptr, edge, tail_from, self.count, nodes)

    def _ties_of_index(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, int]:
        """Where to find each practitioner's ties: the partner snapshot's CSR index (indptr, tie
        ids, the other ends, where the ties at the practitioner's ``b`` end start) and the first
        tie id not in it.

        After a prune the snapshot's tie ids are stale: then an empty index, and every tie
        counts as newer than the snapshot (loops over them scan all ties).
        """
        if self._snapshot_valid:
            index = self.all_indptr, self.all_edge, self.all_neighbour, self.all_b_start
            return *index, self._snapshot_count
        none = np.zeros(0, np.int32)
        return np.zeros(self.n + 1, np.int64), none, none, np.zeros(self.n, np.int64), 0
