"""Voluntary participation: hearing of the community, then an ordered logit over membership levels.

**Awareness.** An unaware practitioner hears of the community within a week with probability
``1 - (1 - word_of_mouth * s) * (1 - r)``, where ``s`` is the share of its formal colleagues who
are members and ``r`` the coordinator's recruitment (expected practitioners made aware, spread
over the unaware). Under a mandate everyone is told.

**Membership.** Each week a share ``revision_rate`` of aware practitioners reconsiders. Their
utility of taking part is

    U = intercept + w_learning * gap + w_belonging * trust_to_members + w_interest * interest
        + w_legitimacy * legitimacy * boundary + w_vitality * vitality
        - time_cost * time_cost_scale * (1 - protected_time) - silo_cost * silo * (1 - legitimacy)

where ``gap`` is what a member could learn (``vitality * max(ceiling - knowledge, 0)``) and
``boundary`` how far one's organization is from the sponsor's (legitimacy matters most across
boundaries, as the source article argues). The level is non-member, peripheral, active or core
by an ordered logit with cuts 0, ``active_cut``, ``core_cut``: P(level >= 1) = logistic(U),
P(level >= 2) = logistic(U - active_cut), P(level = 3) = logistic(U - core_cut), decided by one
uniform per practitioner.

A **mandate** forces membership (at least peripheral) but crowds out intrinsic motivation by
``crowding_out_sd`` standard deviations (Deci, Koestner & Ryan 1999, d = -0.3 to -0.4), so
mandated members share less (:mod:`copsim.model.mechanisms.exchange`); a supportive sponsor's
recognition raises it (verbal rewards, d = +0.3).
"""

from __future__ import annotations

import numpy as np
from scipy.special import expit as logistic

from ..config import ParticipationConfig

NON_MEMBER, PERIPHERAL, ACTIVE, CORE = 0, 1, 2, 3


def hearing_probability(
    member_colleague_share: np.ndarray, word_of_mouth: float, recruit_probability: np.ndarray
) -> np.ndarray:
    """Weekly chance that an unaware practitioner hears of the community."""
    return 1.0 - (1.0 - word_of_mouth * member_colleague_share) * (1.0 - recruit_probability)


def aware_after_hearing(
    aware: np.ndarray, u: np.ndarray, hearing: np.ndarray, mandated: np.ndarray
) -> np.ndarray:
    """Awareness after this week: the aware stay aware; the others hear when their uniform ``u``
    is below their ``hearing`` probability, or are told under a mandate."""
    return aware | (u < hearing) | mandated


def utility(
    *,
    gap: np.ndarray,
    belonging: np.ndarray,
    interest: np.ndarray,
    boundary: np.ndarray,
    silo: np.ndarray,
    legitimacy: np.ndarray,
    vitality: np.ndarray,
    protected_time: np.ndarray,
    time_cost_scale: float,
    p: ParticipationConfig,
) -> np.ndarray:
    """Utility of taking part (logit scale), per reconsidering practitioner (see the module)."""
    return (
        p.intercept
        + p.w_learning * gap
        + p.w_belonging * belonging
        + p.w_interest * interest
        + p.w_legitimacy * legitimacy * boundary
        + p.w_vitality * vitality
        - p.time_cost * time_cost_scale * (1.0 - protected_time)
        - p.silo_cost * silo * (1.0 - legitimacy)
    )


def chosen_level(u: np.ndarray, util: np.ndarray, p: ParticipationConfig) -> np.ndarray:
    """Membership level 0-3 by ordered logit: how many of P(level >= 1), P(level >= 2) and
    P(level = 3) exceed the uniform ``u``."""
    return (
        (u < logistic(util)).astype(np.int8)
        + (u < logistic(util - p.active_cut))
        + (u < logistic(util - p.core_cut))
    )


def revised_membership(
    membership: np.ndarray, who: np.ndarray, levels: np.ndarray, aware: np.ndarray, mandated: np.ndarray
) -> np.ndarray:
    """New membership: the reconsidering practitioners ``who`` take ``levels``; the unaware
    cannot be members; under a mandate nobody falls below peripheral."""
    new = membership.copy()
    new[who] = levels
    new[~aware] = NON_MEMBER
    return np.where(mandated & (new < PERIPHERAL), PERIPHERAL, new).astype(np.int8)


def motivation_shift(
    mandated: np.ndarray, sponsor_level: np.ndarray, crowding_out_sd: float, recognition_sd: float
) -> np.ndarray:
    """Shift of members' motivation in SD units: crowding-out under a mandate, otherwise
    recognition in proportion to the sponsorship level (Deci, Koestner & Ryan 1999)."""
    return np.where(mandated, -crowding_out_sd, recognition_sd * sponsor_level)
