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
    seekers = np.repeat(members, rng.poisson(rate))
    u = rng.random((2, seekers.size))
    partners = members[(u[0] * members.size).astype(np.int64)]
    back = u[1] < revisit
    known = ties.trusted_partner(seekers[back], u[0][back], is_member)
    partners[back] = np.where(known >= 0, known, partners[back])
    keep = seekers != partners
    return seekers[keep], partners[keep]


def brokered_pairs(
    rng: np.random.Generator, members: np.ndarray, org: np.ndarray, expected: float
) -> tuple[np.ndarray, np.ndarray]:
    """Introductions between members of different organizations (Poisson ``expected``)."""
    if members.size < 2 or expected <= 0:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    n = rng.poisson(expected)
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


def formal_contacts(rng: np.random.Generator, n: int, rate: float) -> tuple[np.ndarray, np.ndarray]:
    """Who seeks out a formal colleague this week, with a uniform to choose which one.

    Draws a fixed shape (two uniforms per practitioner) so the stream stays aligned.
    """
    u = rng.random((2, n))
    who = np.flatnonzero(u[0] < rate)
    return who, u[1, who]
