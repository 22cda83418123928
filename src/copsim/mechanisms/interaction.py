"""Interactions: whom members meet through community channels, and colleagues through the network.

Each member makes a Poisson number of community contacts a week, at a rate set by membership
level (``contacts_peripheral/active/core``), scaled by the channels the community runs (their
yields below) and by the community's vitality. Partners are members one already trusts (a share
``revisit``, chosen in proportion to trust) or members drawn at random. The coordinator adds
brokered introductions across organizations and routes questions to experts
(the most knowledgeable quarter of members, and alumni). Every practitioner also meets a random
formal colleague with probability ``formal_contact_rate``.

Channel yields (contacts per unit intensity) and which channels are online are guesses, ordered
after the source article's description of what each channel does.
"""

from __future__ import annotations

import numpy as np

from ..compiled import kernel
from ..network import draw_by_trust, find_pairs

#: contacts a channel yields at full intensity (relative; guess)
CHANNEL_YIELD = {
    "online_library": 0.3,
    "qa_referral": 0.3,
    "face_to_face": 0.8,
    "teleconference": 0.5,
    "conference": 0.5,
    "joint_project": 0.6,
}
#: channels whose time cost a good online platform lowers
ONLINE_CHANNELS = ("online_library", "qa_referral", "teleconference")


def channel_multiplier(channels) -> float:
    """Contact multiplier of the channel mix (sum of intensity x yield)."""
    return float(sum(getattr(channels, c) * y for c, y in CHANNEL_YIELD.items()))


def time_cost_scale(channels, platform_quality: float) -> float:
    """Relative time cost of taking part: online channels cost less on a good platform."""
    weights = {c: getattr(channels, c) for c in CHANNEL_YIELD}
    total = sum(weights.values())
    if total == 0:
        return 1.0
    online = sum(weights[c] for c in ONLINE_CHANNELS) / total
    return 1.0 - 0.5 * platform_quality * online


def community_contacts(
    rng: np.random.Generator,
    members: np.ndarray,
    rate: np.ndarray,
    ties,
    is_member: np.ndarray,
    revisit: float,
) -> tuple[np.ndarray, np.ndarray]:
    """Pairs (seeker, partner) of members meeting this week; ``rate`` is per member.

    A share ``revisit`` of contacts go back to a member one is already tied to, chosen in
    proportion to trust (people return to those they trust); the rest meet a random member.
    """
    if members.size < 2:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    contacts = rng.poisson(rate)
    u = rng.random((2, int(contacts.sum())))
    index = (ties.all_indptr, ties.all_edge, ties.all_neighbour)
    return _community_pairs(members, contacts, u[0], u[1], revisit, *index, ties.trust, is_member)


@kernel
def _community_pairs(  # pragma: no cover - compiled
    members, contacts, u_partner, u_revisit, revisit, indptr, edge, neighbour, trust, eligible
):
    """Seekers (each member repeated by its contacts) and partners, self-meetings dropped.

    A seeker whose ``u_revisit`` is below ``revisit`` goes back to a tie drawn by trust (with
    ``u_partner``), if it has an eligible one; everyone else meets the member at ``u_partner``.
    """
    seekers = np.empty(u_partner.size, np.int64)
    partners = np.empty(u_partner.size, np.int64)
    s = 0
    for m in range(members.size):
        for _ in range(contacts[m]):
            seekers[s] = members[m]
            partners[s] = members[np.int64(u_partner[s] * members.size)]
            s += 1
    back = u_revisit < revisit
    known = draw_by_trust(indptr, edge, neighbour, trust, eligible, seekers[back], u_partner[back])
    at = np.flatnonzero(back)
    for r in range(at.size):
        if known[r] >= 0:
            partners[at[r]] = known[r]
    keep = seekers != partners
    return seekers[keep], partners[keep]


def brokered_pairs(
    rng: np.random.Generator, members: np.ndarray, org: np.ndarray, expected: float
) -> tuple[np.ndarray, np.ndarray]:
    """Introductions between members of different organizations (Poisson ``expected``)."""
    if members.size < 2 or expected <= 0:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    n = rng.poisson(expected)
    if n == 0:  # (drawing no integers leaves the stream as it is)
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    i = members[rng.integers(0, members.size, n)]
    j = members[rng.integers(0, members.size, n)]
    keep = org[i] != org[j]
    return i[keep], j[keep]


def referral_pairs(
    rng: np.random.Generator, members: np.ndarray, knowledge: np.ndarray, expected: float, n_alumni: int
) -> tuple[np.ndarray, np.ndarray]:
    """Questions routed to experts: (asker, expert).

    Experts are the most knowledgeable quarter of members, plus alumni; an alumnus is coded as
    ``-1 - index`` into the alumni pool.
    """
    if members.size == 0 or expected <= 0:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    n = rng.poisson(expected)
    if n == 0:  # (drawing no integers leaves the stream as it is)
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    k = knowledge[members]
    experts = members[k >= _upper_quartile(k)]
    pool = np.concatenate([experts, -1 - np.arange(n_alumni)])
    askers = members[rng.integers(0, members.size, n)]
    chosen = pool[rng.integers(0, pool.size, n)]
    keep = askers != chosen
    return askers[keep], chosen[keep]


def _upper_quartile(values: np.ndarray) -> float:
    """``np.quantile(values, 0.75)`` (linear method), bit for bit, without its Python overhead.

    Partitions around the two order statistics and interpolates as numpy's ``_lerp`` does.
    """
    m = values.size
    virtual = (m - 1) * 0.75
    below = int(np.floor(virtual))
    if below >= m - 1:
        return float(values.max())
    gamma = virtual - below
    part = np.partition(values, (below, below + 1))
    lo, hi = float(part[below]), float(part[below + 1])
    diff = hi - lo
    return hi - diff * (1 - gamma) if gamma >= 0.5 else lo + diff * gamma


def meetings(
    rng: np.random.Generator,
    ties,
    contacts: tuple[np.ndarray, np.ndarray],
    introductions: tuple[np.ndarray, np.ndarray],
    questions: tuple[np.ndarray, np.ndarray],
    formal_rate: float,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, int]:
    """Everyone who meets this week: the community's pairs, then colleagues.

    The community's pairs are its contacts, the coordinator's introductions and the questions
    routed to member experts (questions to alumni, coded ``-1 - index``, are not meetings).
    Each practitioner seeks out a random formal colleague with probability ``formal_rate``
    (two uniforms per practitioner, whoever seeks: a fixed shape keeps the stream aligned).

    Returns:
        ``(i, j, edge, n_community)``: the pairs, the community's ``n_community`` first, with
        the id of their tie (-1 for strangers).
    """
    u = rng.random((2, ties.n))
    formal = (ties.indptr, ties.neighbour, ties.edge)
    return _meetings(
        *contacts, *introductions, *questions, u[0], u[1], formal_rate, *formal, ties.n, *ties.key_index
    )


@kernel
def _meetings(  # pragma: no cover - compiled
    ci, cj, bi, bj, qi, qj, u_seek, u_which, rate, indptr, neighbour, formal_edge, n, *key_index
):
    to_members = np.flatnonzero(qj >= 0)
    n_community = ci.size + bi.size + to_members.size
    seeking = 0
    for x in range(n):
        if u_seek[x] < rate and indptr[x + 1] > indptr[x]:
            seeking += 1
    i = np.empty(n_community + seeking, np.int64)
    j = np.empty(n_community + seeking, np.int64)
    i[: ci.size], j[: ci.size] = ci, cj
    i[ci.size : ci.size + bi.size], j[ci.size : ci.size + bi.size] = bi, bj
    i[ci.size + bi.size : n_community], j[ci.size + bi.size : n_community] = qi[to_members], qj[to_members]
    edge = np.empty(i.size, np.int64)
    edge[:n_community] = find_pairs(i[:n_community], j[:n_community], n, *key_index)
    s = n_community
    for x in range(n):
        degree = indptr[x + 1] - indptr[x]
        if u_seek[x] < rate and degree > 0:
            pos = indptr[x] + np.int64(u_which[x] * degree)
            i[s], j[s], edge[s] = x, neighbour[pos], formal_edge[pos]
            s += 1
    return i, j, edge, n_community
