"""The support team: coaching coordinators and running the online platform.

A support team (the source article: FHWA's Knowledge Management office, the GSA team, NPR's
support team) serves several communities at once. Its coaching capacity per community is
``staff / communities_served`` FTE; each week coaching raises the coordinators' technical and
interpersonal competence by ``min(1, coaching_rate * coaching_fte)`` of the gap to full
competence. Its platform replaces the community's own (``platform_quality``).
"""

from __future__ import annotations

import numpy as np

from ..config import SupportTeamConfig


def coaching_gain(t: SupportTeamConfig) -> float:
    """Share of the gap to full competence that a week of coaching closes."""
    return min(1.0, t.coaching_rate * t.staff / t.communities_served)


def coached(competence: np.ndarray, gain: float) -> np.ndarray:
    """Competence after a week of coaching."""
    return competence + gain * (1.0 - competence)
