"""The community's lifecycle stage (Wenger, McDermott & Snyder 2002), read from its vitality.

Potential, coalescing, maturing and stewardship follow rising vitality (thresholds 0.35, 0.6 and
0.8; guesses); a community whose vitality has fallen below 0.5 and which has lost half of its
peak membership is in transformation (fading away or turning into something else).
"""

from __future__ import annotations

import numpy as np

#: lifecycle stages of a community, in code order ("none": no community)
STAGES = ("none", "potential", "coalescing", "maturing", "stewardship", "transformation")
#: vitality at which the community enters coalescing, maturing and stewardship (guesses)
VITALITY_THRESHOLDS = (0.35, 0.6, 0.8)


def stage(vitality: np.ndarray, members: np.ndarray, peak_members: np.ndarray, community: bool) -> np.ndarray:
    """Stage code (index into :data:`STAGES`) of each replicate's community."""
    if not community:
        return np.zeros(vitality.size, np.int64)
    growing = 1 + np.searchsorted(VITALITY_THRESHOLDS, vitality, side="right")
    fading = (vitality < 0.5) & (members < 0.5 * peak_members)
    return np.where(fading, STAGES.index("transformation"), growing)
