"""Coordinator time against the work there is, and the community's vitality.

A coordination team has ``fte * team_size * 40`` hours a week, split by ``coordinator.share_*``
across five tasks (the coordinator's roles in the source article and in Wenger, McDermott &
Snyder 2002: orchestrating activities, connecting members across organizations, following up
and referring questions, recruiting, curating the repertoire). Each task has a **demand** in
hours a week that grows with the community:

==============  ======================================================================
organizing      ``event_hours_per_member`` x members x the channels' time cost
brokering       ``brokering_hours_per_organization`` x organizations with members
follow-up, Q&A  ``qa_hours_per_member`` x members
recruitment     ``recruiting_hours_per_practitioner`` x practitioners not yet aware
curation        ``curation_hours_per_item`` x repertoire items
==============  ======================================================================

each at least ``minimum_task_hours``. Hours beyond the demand do less and less: of ``h`` hours
on a task with demand ``D``, ``D * (1 - exp(-h / D))`` do useful work (all of them while the
work is plentiful, at most ``D``). So the effect of a coordinator's time depends on the time
relative to the community's size, and a large community needs more of it. Organizing and
curation give effects in [0, 1] (the share of their demand met); brokering, follow-up and
recruitment give counts (introductions, routed questions, people made aware) per useful hour.
Each is scaled by the competence it needs (interpersonal for organizing, brokering and
recruiting, with connections for brokering; technical for follow-up and curation), and
organized activity needs the sponsor's budget (``sponsor.resource_dependence``).

Vitality v in [0, 1] is how alive the community is: it grows with organized activity and decays
without it, ``dv = gain * activity * (1 - v) - decay * v`` per week, so an uncoordinated
community decays (Wenger, McDermott & Snyder 2002).

Everything is one value per replicate.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..config import CoordinatorConfig

HOURS_PER_FTE_WEEK = 40.0


@dataclass(frozen=True)
class Demand:
    """Hours a week each task needs, per replicate."""

    events: np.ndarray
    brokering: np.ndarray
    qa: np.ndarray
    recruiting: np.ndarray
    curation: np.ndarray

    @property
    def total(self) -> np.ndarray:
        return self.events + self.brokering + self.qa + self.recruiting + self.curation


@dataclass(frozen=True)
class Coordination:
    """What the coordination team's week produces, per replicate."""

    hours: np.ndarray  # hours worked this week
    activity: np.ndarray  # 0-1, organized activity (share of its demand met, times competence)
    introductions: np.ndarray  # expected brokered cross-organization introductions
    referrals: np.ndarray  # expected questions routed to experts
    recruits: np.ndarray  # expected practitioners made aware
    curation: np.ndarray  # 0-1, share of curation's demand met, times competence


def team_hours(c: CoordinatorConfig, community: bool, n_replicates: int) -> np.ndarray:
    """Coordination hours a week per replicate; none without a community."""
    hours = c.fte * HOURS_PER_FTE_WEEK * c.team_size if community else 0.0
    return np.full(n_replicates, hours)


def demand(
    members: np.ndarray,
    organizations: np.ndarray,
    unaware: np.ndarray,
    repertoire: np.ndarray,
    time_cost_scale: float,
    c: CoordinatorConfig,
) -> Demand:
    """Each task's demand (hours a week) for communities of this size (see the module)."""

    def at_least(hours: np.ndarray) -> np.ndarray:
        return np.maximum(hours, c.minimum_task_hours)

    return Demand(
        events=at_least(c.event_hours_per_member * members * time_cost_scale),
        brokering=at_least(c.brokering_hours_per_organization * organizations),
        qa=at_least(c.qa_hours_per_member * members),
        recruiting=at_least(c.recruiting_hours_per_practitioner * unaware),
        curation=at_least(c.curation_hours_per_item * repertoire),
    )


def useful_hours(hours: np.ndarray, needed: np.ndarray) -> np.ndarray:
    """Of ``hours`` spent on a task that needs ``needed`` hours, those that do useful work:
    ``needed * (1 - exp(-hours / needed))``."""
    return -needed * np.expm1(-hours / needed)


def allocate(
    hours: np.ndarray,
    technical: np.ndarray,
    interpersonal: np.ndarray,
    needed: Demand,
    resources: np.ndarray,
    c: CoordinatorConfig,
) -> Coordination:
    """Split each replicate's ``hours`` by the shares in ``c`` and work out their yields.

    Args:
        resources: the share of organized activity the sponsor's budget allows (0-1).
    """
    events = useful_hours(hours * c.share_activities, needed.events)
    brokering = useful_hours(hours * c.share_brokering, needed.brokering)
    qa = useful_hours(hours * c.share_qa, needed.qa)
    recruiting = useful_hours(hours * c.share_recruitment, needed.recruiting)
    curation = useful_hours(hours * c.share_curation, needed.curation)
    return Coordination(
        hours=hours,
        activity=events / needed.events * interpersonal * resources,
        introductions=c.introductions_per_hour * brokering * interpersonal * (0.5 + 0.5 * c.connections),
        referrals=c.referrals_per_hour * qa * technical,
        recruits=c.recruits_per_hour * recruiting * interpersonal,
        curation=curation / needed.curation * technical,
    )


def next_vitality(vitality: np.ndarray, activity: np.ndarray, gain: float, decay: float) -> np.ndarray:
    """Vitality next week: grows with activity, decays without it; stays in [0, 1]."""
    return np.clip(vitality + gain * activity * (1.0 - vitality) - decay * vitality, 0.0, 1.0)
