"""Coordinator time allocation and the community's vitality.

A coordination team has ``fte * team_size * 40`` hours a week, split across activities,
brokering, Q&A and referral, recruitment and curation. Each use has diminishing returns:
activities and curation act through ``h / (h + half_saturation)``; brokering, referral and
recruitment produce counts per hour, scaled by the competence they need (the source article:
time, technical and interpersonal competence, and connections to decision makers all matter).

Vitality v in [0, 1] is how alive the community is: it grows with organized activity and decays
without it, ``dv = gain * activity * (1 - v) - decay * v`` per week, so an uncoordinated
community decays (Wenger, McDermott & Snyder 2002).
"""

from __future__ import annotations

from dataclasses import dataclass

HOURS_PER_FTE_WEEK = 40.0


@dataclass(frozen=True)
class Coordination:
    """What the coordination team's week produces."""

    hours: float = 0.0
    activity: float = 0.0  # 0-1, saturating effect of organized activities
    introductions: float = 0.0  # expected brokered cross-organization introductions
    referrals: float = 0.0  # expected questions routed to experts
    recruits: float = 0.0  # expected practitioners made aware
    curation: float = 0.0  # 0-1, saturating effect of curating the repertoire


def saturating(hours: float, half: float) -> float:
    """Diminishing returns: 0 at no hours, 1/2 at ``half`` hours, toward 1."""
    return hours / (hours + half) if hours > 0 else 0.0


def allocate(hours: float, technical: float, interpersonal: float, connections: float, c) -> Coordination:
    """Split ``hours`` by the shares in CoordinatorConfig ``c`` and compute their yields."""
    if hours <= 0:
        return Coordination()
    half = c.half_saturation_hours
    return Coordination(
        hours=hours,
        activity=saturating(hours * c.share_activities * interpersonal, half),
        introductions=hours
        * c.share_brokering
        * c.introductions_per_hour
        * interpersonal
        * (0.5 + 0.5 * connections),
        referrals=hours * c.share_qa * c.referrals_per_hour * technical,
        recruits=hours * c.share_recruitment * c.recruits_per_hour * interpersonal,
        curation=saturating(hours * c.share_curation * technical, half),
    )


def next_vitality(vitality: float, activity: float, gain: float, decay: float) -> float:
    """Vitality next week: grows with activity, decays without it; stays in [0, 1]."""
    v = vitality + gain * activity * (1.0 - vitality) - decay * vitality
    return min(max(v, 0.0), 1.0)
