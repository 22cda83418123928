"""Knowledge exchange with absorptive capacity (after Cowan & Jonard 2004), and learning.

When two practitioners meet, each decides whether to share. A partner shares with probability

    P(share) = logistic(share_intercept + share_motivation * motivation + share_trust * (trust - 0.5))

rising in the partner's intrinsic motivation (SD units; a member's is shifted by a mandate's
crowding-out or a sponsor's recognition, :func:`copsim.model.mechanisms.participation.motivation_shift`)
and in the trust on their tie (stranger trust without one). A receiver told by a partner who
knows more gains ``alpha * (k_partner - k_receiver)``; one who knows more gains nothing. All
gains of a week are worked out from last week's knowledge and added up. Exchange never lifts a
receiver above its ceiling (members' ceiling rises with the community's repertoire,
:mod:`copsim.model.mechanisms.practice`) and learning never lowers knowledge. On top of exchange
everyone learns on the job (a share of the gap to the base ceiling) and members read the
community's online library (a share of the gap to their ceiling, by membership level).
"""

from __future__ import annotations

import numpy as np
from scipy.special import expit as logistic

from ..config import ExchangeConfig


def share_probability(motivation: np.ndarray, trust: np.ndarray, ex: ExchangeConfig) -> np.ndarray:
    """Probability that a partner shares, given its motivation (SD) and the tie's trust."""
    return logistic(ex.share_intercept + ex.share_motivation * motivation + ex.share_trust * (trust - 0.5))


def sharing(
    u: np.ndarray,
    i: np.ndarray,
    j: np.ndarray,
    tie_trust: np.ndarray,
    motivation: np.ndarray,
    ex: ExchangeConfig,
) -> np.ndarray:
    """Who shares in each meeting: row 0 whether ``j`` tells ``i``, row 1 whether ``i`` tells
    ``j``, each decided by its uniform in ``u`` (same shape).

    Args:
        tie_trust: trust on each meeting's tie (stranger trust where they have none).
        motivation: each practitioner's motivation as it acts this week (SD units).
    """
    givers = np.stack((j, i))
    return u < share_probability(motivation[givers], tie_trust, ex)


def library_rate(
    ex: ExchangeConfig, online_library: float, platform_quality: float, vitality: np.ndarray
) -> np.ndarray:
    """Weekly library learning of a core member (share of its gap to the ceiling), per
    replicate: the library channel's intensity times the platform's quality times vitality."""
    return ex.library_rate * online_library * platform_quality * vitality


def learned(
    knowledge: np.ndarray,
    gains: np.ndarray,
    ceiling: np.ndarray,
    membership: np.ndarray,
    library: np.ndarray,
    ex: ExchangeConfig,
) -> np.ndarray:
    """Knowledge after this week's exchange ``gains`` (capped by the ``ceiling``, never
    lowering knowledge), on-the-job learning toward ``base_ceiling`` and library reading
    (``library`` per practitioner, a third of it per membership level); at most 1."""
    k = np.minimum(knowledge + gains, np.maximum(ceiling, knowledge))
    k = k + ex.on_the_job_rate * np.maximum(ex.base_ceiling - k, 0.0)
    k = k + library * membership / 3.0 * np.maximum(ceiling - k, 0.0)
    return np.minimum(k, 1.0)


def gains(
    knowledge: np.ndarray,
    i: np.ndarray,
    j: np.ndarray,
    shares: np.ndarray,
    askers: np.ndarray,
    answers: np.ndarray,
    alpha: float,
) -> np.ndarray:
    """Each practitioner's knowledge gain from this week's exchanges: ``alpha`` times the gap
    to every partner who told it and knew more, and to every alumnus who answered its question
    (``answers``: the alumnus' knowledge, per asker)."""
    told_i, told_j = shares
    receivers = np.concatenate((i[told_i], j[told_j], askers))
    givers_knowledge = np.concatenate((knowledge[j[told_i]], knowledge[i[told_j]], answers))
    gain = alpha * np.maximum(givers_knowledge - knowledge[receivers], 0.0)
    return np.bincount(receivers, gain, minlength=knowledge.size)


def contributions(
    i: np.ndarray, j: np.ndarray, shares: np.ndarray, community: np.ndarray, n: int
) -> np.ndarray:
    """Acts of sharing in the community's meetings this week, credited to each giver."""
    told_i, told_j = shares & community
    return np.bincount(np.concatenate((j[told_i], i[told_j])), minlength=n)
