"""Interactions: whom members meet through community channels, and colleagues through the network.

Each week, in this order within each replicate:

1. **Contacts.** Each member makes a Poisson number of community contacts, at a rate set by its
   membership level (``exchange.contacts_peripheral/active/core``) times the channel mix's
   contact multiplier (:func:`channel_multiplier`) times the community's vitality. A contact goes
   back to a tie with probability ``revisit`` — a member it is tied to, drawn in proportion to
   trust (people return to those they trust) — and otherwise to a member drawn at random.
2. **Introductions.** The coordinator introduces a Poisson number of random pairs of members;
   those from different organizations meet (brokering across boundaries).
3. **Questions.** A Poisson number of members' questions are routed to experts: the most
   knowledgeable quarter of members and the alumni. Questions to alumni are answered but are
   not meetings.
4. **Colleagues.** Every practitioner with formal colleagues meets a random one of them with
   probability ``formal_contact_rate``.

All draws come from the contacts stream, replicate by replicate. Channel yields (contacts per
unit intensity) and which channels are online are guesses, ordered after the source article's
description of what each channel does.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..config import ChannelsConfig
from ..kernels import draw_by_weight
from ..replicates import offsets, quantile_of_blocks, total_by
from ..streams import Stream

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
#: share of members, by knowledge, who answer routed questions (the top quarter; guess)
EXPERT_QUANTILE = 0.75


def channel_multiplier(channels: ChannelsConfig) -> float:
    """Contact multiplier of the channel mix (sum of intensity x yield)."""
    return float(sum(getattr(channels, c) * y for c, y in CHANNEL_YIELD.items()))


def time_cost_scale(channels: ChannelsConfig, platform_quality: float) -> float:
    """Relative time cost of taking part: online channels cost up to half as much on a good
    platform (guess)."""
    weights = {c: getattr(channels, c) for c in CHANNEL_YIELD}
    total = sum(weights.values())
    if total == 0:
        return 1.0
    online = sum(weights[c] for c in ONLINE_CHANNELS) / total
    return 1.0 - 0.5 * platform_quality * online


def question_rate(referrals: np.ndarray, channels: ChannelsConfig) -> np.ndarray:
    """Questions routed a week: the coordinator's referrals, doubled by a full Q&A channel
    (half of them happen without one; guess)."""
    return referrals * (0.5 + 0.5 * channels.qa_referral)


@dataclass
class Members:
    """This week's members, replicate by replicate, with where each replicate's start."""

    ids: np.ndarray  # ascending
    rep: np.ndarray
    start: np.ndarray  # R + 1 offsets into ids
    count: np.ndarray  # per replicate

    @classmethod
    def of(cls, is_member: np.ndarray, person_rep: np.ndarray, n_replicates: int) -> Members:
        ids = np.flatnonzero(is_member)
        rep = person_rep[ids]
        count = total_by(rep, None, n_replicates).astype(np.int64)
        return cls(ids, rep, offsets(count), count)

    def pick(self, rep: np.ndarray, u: np.ndarray) -> np.ndarray:
        """A member of replicate ``rep`` drawn uniformly by the uniform ``u``, per entry."""
        return self.ids[self.start[rep] + (u * self.count[rep]).astype(np.int64)]


@dataclass
class Meetings:
    """This week's meetings, replicate by replicate: who met whom, and which were the
    community's (not colleagues)."""

    i: np.ndarray
    j: np.ndarray
    community: np.ndarray  # bool
    rep: np.ndarray


def contacts(
    stream: Stream,
    members: Members,
    membership: np.ndarray,
    level_rate: np.ndarray,
    revisit: float,
    rows: tuple[np.ndarray, np.ndarray, np.ndarray],
    trust: np.ndarray,
    is_member: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Members' community contacts (seeker, partner); see the module, step 1.

    Args:
        level_rate: contacts a week by replicate and membership level, shape (R, 4).
        rows: every practitioner's ties, ``(indptr, tie, neighbour)``; ``trust`` per tie.
    """
    rate = np.where(members.count[members.rep] >= 2, level_rate[members.rep, membership[members.ids]], 0.0)
    n_contacts = stream.poisson(rate, members.count)
    seeker = np.repeat(members.ids, n_contacts)
    seeker_rep = np.repeat(members.rep, n_contacts)
    u = stream.uniform(total_by(members.rep, n_contacts, members.count.size).astype(np.int64), rows=2)
    partner = members.pick(seeker_rep, u[0])
    back = np.flatnonzero(u[1] < revisit)
    indptr, tie, neighbour = rows
    chosen = draw_by_weight(indptr, tie, neighbour, trust, is_member.astype(float), seeker[back], u[0][back])
    revisited = chosen >= 0
    partner[back[revisited]] = neighbour[chosen[revisited]]
    keep = seeker != partner
    return seeker[keep], partner[keep]


def introductions(
    stream: Stream, members: Members, expected: np.ndarray, org: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Coordinator introductions of members of different organizations; see step 2."""
    n = stream.poisson(np.where(members.count >= 2, expected, 0.0), np.ones_like(members.count))
    u = stream.uniform(n, rows=2)
    rep = np.repeat(np.arange(n.size), n)
    i, j = members.pick(rep, u[0]), members.pick(rep, u[1])
    keep = org[i] != org[j]
    return i[keep], j[keep]


def questions(
    stream: Stream,
    members: Members,
    expected: np.ndarray,
    knowledge: np.ndarray,
    alumni_count: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Questions routed to experts; see step 3.

    Returns:
        ``(asker, expert)``; an expert ``e >= 0`` is a member, ``e < 0`` is alumnus
        ``-1 - e`` of the alumni pool (alumni sorted by replicate; ``alumni_count`` per replicate).
    """
    n_replicates = members.count.size
    n = stream.poisson(np.where(members.count >= 1, expected, 0.0), np.ones_like(members.count))
    u = stream.uniform(n, rows=2)
    rep = np.repeat(np.arange(n_replicates), n)
    asker = members.pick(rep, u[0])
    k = knowledge[members.ids]
    is_expert = k >= quantile_of_blocks(k, members.start, EXPERT_QUANTILE)[members.rep]
    experts = members.ids[is_expert]
    expert_count = total_by(members.rep[is_expert], None, n_replicates).astype(np.int64)
    pick = (u[1] * (expert_count + alumni_count)[rep]).astype(np.int64)
    to_member = pick < expert_count[rep]
    expert = np.empty(asker.size, np.int64)
    expert[to_member] = experts[offsets(expert_count)[rep[to_member]] + pick[to_member]]
    alumnus = offsets(alumni_count)[rep[~to_member]] + pick[~to_member] - expert_count[rep[~to_member]]
    expert[~to_member] = -1 - alumnus
    keep = asker != expert
    return asker[keep], expert[keep]


def colleagues(
    u: np.ndarray, formal_indptr: np.ndarray, formal_neighbour: np.ndarray, formal_rate: float
) -> tuple[np.ndarray, np.ndarray]:
    """Practitioners who seek out a random formal colleague this week; see step 4.

    Args:
        u: two uniforms per practitioner, ``u[0]`` whether it seeks, ``u[1]`` whom.
    """
    degree = np.diff(formal_indptr)
    seeker = np.flatnonzero((u[0] < formal_rate) & (degree > 0))
    at = formal_indptr[seeker] + (u[1][seeker] * degree[seeker]).astype(np.int64)
    return seeker, formal_neighbour[at]


def in_replicate_order(blocks: list[tuple[np.ndarray, np.ndarray, bool]], person_rep: np.ndarray) -> Meetings:
    """The blocks of meetings ``(i, j, community)`` merged replicate by replicate, each
    replicate's meetings in block order (as a run of that replicate alone lists them)."""
    i = np.concatenate([b[0] for b in blocks])
    j = np.concatenate([b[1] for b in blocks])
    community = np.concatenate([np.full(b[0].size, b[2]) for b in blocks])
    order = np.argsort(person_rep[i], kind="stable")
    return Meetings(i[order], j[order], community[order], person_rep[i[order]])
