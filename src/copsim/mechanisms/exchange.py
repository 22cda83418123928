"""Knowledge exchange with absorptive capacity (after Cowan & Jonard 2004).

When two practitioners meet, each decides whether to share. A partner shares with probability

    P(share) = logistic(share_intercept + share_motivation * motivation + share_trust * (trust - 0.5))

rising in the partner's intrinsic motivation (SD units, shifted by a mandate's crowding-out or a
sponsor's recognition) and in the trust on their tie. A receiver who is told by a partner who
knows more gains ``alpha * (k_partner - k_receiver)``; one who knows more gains nothing.
Knowledge never rises above the receiver's ceiling, which the community's repertoire lifts
(:mod:`copsim.mechanisms.practice`), and never falls through learning.
"""

from __future__ import annotations

import numpy as np

from .participation import logistic


def share_probability(
    motivation: np.ndarray, trust: np.ndarray, intercept: float, w_motivation: float, w_trust: float
) -> np.ndarray:
    """Probability that a partner shares, given its motivation (SD) and the tie's trust."""
    return logistic(intercept + w_motivation * motivation + w_trust * (trust - 0.5))


def gain(k_receiver: np.ndarray, k_giver: np.ndarray, alpha: float) -> np.ndarray:
    """Knowledge gained from one shared exchange: alpha times the positive gap."""
    return alpha * np.maximum(k_giver - k_receiver, 0.0)


def apply_gains(
    knowledge: np.ndarray, receivers: np.ndarray, gains: np.ndarray, ceiling: np.ndarray
) -> np.ndarray:
    """Add summed gains per receiver (all computed from last week's knowledge), capped.

    A receiver's knowledge stays at most ``max(ceiling, current)``: learning never lowers it.
    """
    total = np.bincount(receivers, weights=gains, minlength=knowledge.size)
    return np.minimum(knowledge + total, np.maximum(ceiling, knowledge))


def drift_toward(knowledge: np.ndarray, target: np.ndarray, rate: np.ndarray | float) -> np.ndarray:
    """Learn ``rate`` of the gap to ``target`` (on-the-job learning, the online library)."""
    return knowledge + rate * np.maximum(target - knowledge, 0.0)
