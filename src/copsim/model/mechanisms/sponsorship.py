"""The executive sponsor: turnover, a sponsor board, replacement, and what sponsorship gives.

Each week a sponsor in office leaves at the scheduled ``departure_week`` or by the turnover
hazard. A sponsor board keeps ``board_retention`` of the sponsorship level; without a board the
initiative loses its sponsor until a replacement arrives (hazard ``replacement_per_year``). The
source article: a sponsor gives legitimacy and protected time, and a board of sponsors keeps an
initiative alive when leaders change.

Every function works on one value per replicate.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..config import SponsorConfig
from .demography import weekly_probability


@dataclass
class SponsorState:
    """Per replicate: the sponsorship level in force (0-1), whether a sponsor is in office,
    weeks since the last change, and how many sponsors have left."""

    level: np.ndarray
    present: np.ndarray
    tenure_weeks: np.ndarray
    departures: np.ndarray

    @classmethod
    def initial(cls, s: SponsorConfig, n_replicates: int) -> SponsorState:
        return cls(
            level=np.full(n_replicates, s.level),
            present=np.ones(n_replicates, bool),
            tenure_weeks=np.zeros(n_replicates, np.int64),
            departures=np.zeros(n_replicates, np.int64),
        )


def sponsor_week(state: SponsorState, u: np.ndarray, week: int, s: SponsorConfig) -> SponsorState:
    """The sponsor after this week, from two uniforms per replicate (``u[0]`` turnover,
    ``u[1]`` replacement), drawn whatever happens so the stream stays aligned."""
    in_office = state.present
    leaves = in_office & ((week == s.departure_week) | (u[0] < weekly_probability(s.turnover_per_year)))
    replaced = ~in_office & (u[1] < weekly_probability(s.replacement_per_year))
    if s.board:
        level_after_departure, present_after_departure = s.level * s.board_retention, True
    else:
        level_after_departure, present_after_departure = 0.0, False
    level = np.where(leaves, level_after_departure, np.where(replaced, s.level, state.level))
    present = np.where(leaves, present_after_departure, in_office | replaced)
    changed = leaves | replaced
    return SponsorState(
        level=level,
        present=present,
        tenure_weeks=np.where(changed, 0, state.tenure_weeks + 1),
        departures=state.departures + leaves,
    )


def protected_time(level: np.ndarray, s: SponsorConfig) -> np.ndarray:
    """Share of members' time cost the sponsor protects."""
    return level * s.protected_time_max


def legitimacy(level: np.ndarray, s: SponsorConfig, community: bool) -> np.ndarray:
    """Legitimacy the sponsor lends the community this week (0-1; none without a community)."""
    return s.legitimacy * level if community else np.zeros_like(level)


def mandated(level: np.ndarray, s: SponsorConfig, community: bool) -> np.ndarray:
    """A mandate is in force where the sponsor mandates, has any level, and a community exists."""
    return (level > 0) & bool(s.mandate and community)
