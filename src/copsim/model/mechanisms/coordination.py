"""Coordinator time and the community's vitality.

A coordination team has ``fte * team_size * 40`` hours a week, split across organizing
activities, brokering introductions, Q&A and referral, recruitment and curation
(``coordinator.share_*``). Activities and curation act with diminishing returns,
``h / (h + half_saturation_hours)``; brokering, referral and recruitment produce counts per hour.
Each use is scaled by the competence it needs (the source article: time, technical and
interpersonal competence, and connections to decision makers all matter).

Vitality v in [0, 1] is how alive the community is: it grows with organized activity and decays
without it, ``dv = gain * activity * (1 - v) - decay * v`` per week, so an uncoordinated
community decays (Wenger, McDermott & Snyder 2002).

Hours and competences come as one value per replicate.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..config import CoordinatorConfig

HOURS_PER_FTE_WEEK = 40.0


@dataclass(frozen=True)
class Coordination:
    """What the coordination team's week produces, per replicate."""

    hours: np.ndarray  # hours worked this week
    activity: np.ndarray  # 0-1, saturating effect of organized activities
    introductions: np.ndarray  # expected brokered cross-organization introductions
    referrals: np.ndarray  # expected questions routed to experts
    recruits: np.ndarray  # expected practitioners made aware
    curation: np.ndarray  # 0-1, saturating effect of curating the repertoire


def team_hours(c: CoordinatorConfig, community: bool, n_replicates: int) -> np.ndarray:
    """Coordination hours a week per replicate; none without a community."""
    hours = c.fte * HOURS_PER_FTE_WEEK * c.team_size if community else 0.0
    return np.full(n_replicates, hours)


def saturating(hours: np.ndarray, half: float) -> np.ndarray:
    """Diminishing returns: 0 at no hours, 1/2 at ``half`` hours, toward 1."""
    return hours / (hours + half)


def allocate(
    hours: np.ndarray, technical: np.ndarray, interpersonal: np.ndarray, c: CoordinatorConfig
) -> Coordination:
    """Split each replicate's ``hours`` by the shares in ``c`` and work out their yields."""
    half = c.half_saturation_hours
    return Coordination(
        hours=hours,
        activity=saturating(hours * c.share_activities * interpersonal, half),
        introductions=hours
        * c.share_brokering
        * c.introductions_per_hour
        * interpersonal
        * (0.5 + 0.5 * c.connections),
        referrals=hours * c.share_qa * c.referrals_per_hour * technical,
        recruits=hours * c.share_recruitment * c.recruits_per_hour * interpersonal,
        curation=saturating(hours * c.share_curation * technical, half),
    )


def next_vitality(vitality: np.ndarray, activity: np.ndarray, gain: float, decay: float) -> np.ndarray:
    """Vitality next week: grows with activity, decays without it; stays in [0, 1]."""
    return np.clip(vitality + gain * activity * (1.0 - vitality) - decay * vitality, 0.0, 1.0)
