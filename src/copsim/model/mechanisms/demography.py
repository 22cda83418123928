"""Demography: retirements (a base hazard plus an optional retirement wave), alumni and hires.

A retiring practitioner's position is filled at once by a hire with low knowledge, so the
workforce keeps its size. Departing community members may stay on as alumni who answer
questions (CompanyCommand in the source article), and alumni drift away at their own rate.
Time-to-talent is the number of weeks a hire takes to reach the competence threshold.
"""

from __future__ import annotations

import math

import numpy as np

from ..config import DemographyConfig

WEEKS_PER_YEAR = 52.0


def weekly_probability(rate_per_year: float) -> float:
    """Probability of an event within one week for a constant hazard given per year."""
    return -math.expm1(-rate_per_year / WEEKS_PER_YEAR)


def retirement_probability(week: int, d: DemographyConfig) -> float:
    """Weekly retirement probability at ``week``.

    The base hazard (``retirement_per_year``) acts always. During a wave (from
    ``wave_start_week`` for ``wave_years``) an extra weekly probability
    ``1 - (1 - wave_share) ** (1 / wave_weeks)`` makes ``wave_share`` of the workforce leave over
    the wave on top of the base rate (article: nearly half of federal employees could retire by
    2010).
    """
    base = weekly_probability(d.retirement_per_year)
    wave_weeks = d.wave_years * WEEKS_PER_YEAR
    if d.wave and d.wave_start_week <= week < d.wave_start_week + wave_weeks:
        extra = 1.0 - (1.0 - d.wave_share) ** (1.0 / wave_weeks)
        return 1.0 - (1.0 - base) * (1.0 - extra)
    return base


def retiring(u: np.ndarray, probability: float) -> np.ndarray:
    """Who retires this week: each practitioner whose uniform ``u`` is below ``probability``."""
    return u < probability


def staying_on_as_alumni(u: np.ndarray, was_member: np.ndarray, alumni_share: float) -> np.ndarray:
    """Which leavers stay on as alumni: members whose uniform ``u`` is below ``alumni_share``."""
    return was_member & (u < alumni_share)


def alumni_remaining(u: np.ndarray, leave_per_year: float) -> np.ndarray:
    """Which alumni still answer questions after this week (they drift away at
    ``leave_per_year``)."""
    return u >= weekly_probability(leave_per_year)


def newly_competent(
    knowledge: np.ndarray, hired_week: np.ndarray, competent_week: np.ndarray, threshold: float
) -> np.ndarray:
    """Hires (``hired_week > 0``) not yet competent whose knowledge reaches ``threshold`` now."""
    return (competent_week < 0) & (hired_week > 0) & (knowledge >= threshold)


def time_to_talent(hired_week: np.ndarray, competent_week: np.ndarray) -> np.ndarray:
    """Weeks each hire took to become competent; ``inf`` for one who has not (yet)."""
    return np.where(competent_week >= 0, competent_week - hired_week, np.inf).astype(float)
