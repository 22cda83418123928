"""Demography: who leaves (experienced people first), alumni, hires and time-to-talent.

Each practitioner has years of experience; knowledge rises with it, and so does the hazard of
leaving: the most experienced leave ``e^retirement_experience`` times as fast as the newest, the
hazard averaging ``retirement_per_year`` over a workforce spread evenly over a career. A
retirement wave (the source article: nearly half of federal employees could retire by 2010)
adds a hazard that takes ``wave_share`` of the workforce over ``wave_years``, again the
experienced first, so knowledge walks out of the door. Where roles are tours (CompanyCommand's
two-year command), everyone also leaves after ``tour_weeks``.

A leaver's position is filled at once by a hire with low knowledge and no experience, so the
workforce keeps its size. Departing community members may stay on as alumni who answer
questions, and alumni drift away at their own rate. Time-to-talent is the number of weeks a
hire takes to reach the competence threshold.
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


def career_position(experience_weeks: np.ndarray, d: DemographyConfig) -> np.ndarray:
    """How far into a career each practitioner is, 0 (new) to 1 (a full career or more)."""
    return np.clip(experience_weeks / (d.career_years * WEEKS_PER_YEAR), 0.0, 1.0)


def experience_hazard(experience_weeks: np.ndarray, d: DemographyConfig) -> np.ndarray:
    """Each practitioner's hazard of leaving relative to the average: ``exp(b * (x - 1/2))``
    at career position ``x``, scaled to average 1 over a workforce spread evenly over a career
    (``b = retirement_experience``)."""
    b = d.retirement_experience
    scale = b / (2.0 * math.sinh(b / 2.0)) if b > 0 else 1.0
    return scale * np.exp(b * (career_position(experience_weeks, d) - 0.5))


def leaving_probability(week: int, experience_weeks: np.ndarray, d: DemographyConfig) -> np.ndarray:
    """Each practitioner's probability of leaving this week: the retirement hazard (with the
    wave's, during a wave) times its :func:`experience_hazard`; 1 at the end of a tour."""
    probability = -np.expm1(-experience_hazard(experience_weeks, d) * _weekly_hazard(week, d))
    if d.tour_weeks > 0:
        probability = np.where(experience_weeks >= d.tour_weeks, 1.0, probability)
    return probability


def _weekly_hazard(week: int, d: DemographyConfig) -> float:
    """The average weekly hazard of leaving at ``week`` (see :func:`retirement_probability`)."""
    return -math.log1p(-retirement_probability(week, d))


def retiring(u: np.ndarray, probability: np.ndarray) -> np.ndarray:
    """Who leaves this week: each practitioner whose uniform ``u`` is below its probability."""
    return u < probability


def initial_knowledge_mean(experience_weeks: np.ndarray, mean: float, d: DemographyConfig) -> np.ndarray:
    """Mean knowledge at the start, rising with experience: ``mean`` at mid-career, spread by
    ``experience_knowledge`` over a career."""
    return np.clip(mean + d.experience_knowledge * (career_position(experience_weeks, d) - 0.5), 0.0, 1.0)


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
