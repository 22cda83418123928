"""The executive sponsor: turnover, a sponsor board, replacement, and what sponsorship gives.

Each week a sponsor in office leaves at the scheduled ``departure_week`` or by the turnover
hazard. Without a board the initiative then loses its sponsorship until a replacement arrives
(hazard ``replacement_per_year``). A sponsor board keeps ``board_retention`` of the level in the
meantime and finds a successor faster (``board_replacement_per_year``), who restores the full
level; with the same draws a board is never worse than no board. The source article: a sponsor
gives the community protected staff time, legitimacy and resources, endorses its practice, and
a sponsor board keeps an initiative alive when leaders change.

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
    search = s.board_replacement_per_year if s.board else s.replacement_per_year
    replaced = ~in_office & (u[1] < weekly_probability(search))
    interim = s.level * s.board_retention if s.board else 0.0
    level = np.where(leaves, interim, np.where(replaced, s.level, state.level))
    present = (in_office & ~leaves) | replaced
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


def endorsing(level: np.ndarray, s: SponsorConfig) -> np.ndarray:
    """How strongly the sponsor endorses the practice itself (0-1), community or not."""
    return s.legitimacy * level if s.endorses else np.zeros_like(level)


def resources(level: np.ndarray, s: SponsorConfig) -> np.ndarray:
    """The share of the community's organized activity the sponsor's budget allows: a
    ``resource_dependence`` share of it needs the sponsorship level."""
    return 1.0 - s.resource_dependence * (1.0 - level)


def mandated(level: np.ndarray, s: SponsorConfig, community: bool) -> np.ndarray:
    """A mandate is in force where the sponsor mandates, has any level, and a community exists."""
    return (level > 0) & bool(s.mandate and community)
