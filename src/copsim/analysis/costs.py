"""What a community costs in dollars, from a run's summary and loaded annual costs per FTE.

Costs never change a simulation: they turn the FTE-years a run records into dollars afterwards,
so the same ensemble can be priced at any rates.

A run's cost is the sum of three parts, each FTE-years times a loaded annual cost per FTE:

* **coordinators**: ``coordinator_fte_years`` (team size x FTE each x years, recorded by the run);
* **support team**: this community's share of the team's staff (``staff / communities_served``)
  for the years simulated, when the team is on (and the community exists);
* **the sponsor's own time**: ``sponsor_level_years`` (sponsorship in force summed over years,
  0-1 each year, recorded by the run) times the sponsor's share of a full-time job at full
  sponsorship (:attr:`CostRates.sponsor_fte_at_full`, a guess the user can change).

The defaults are 2024 federal pay for the Washington-Baltimore-Arlington locality (OPM salary
table 2024-DCB: base pay plus 33.26 % locality pay), loaded with the civilian full fringe benefit
factor of 36.25 % of OMB Circular A-76 (revised 2003, Attachment C). They are illustrative rates
for a federal program office, all editable.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

WEEKS_PER_YEAR = 52.0
#: OMB Circular A-76 (2003), civilian position full fringe benefit cost factor
BENEFITS_FACTOR = 0.3625
#: OPM 2024-DCB annual rates, step 1: GS-13 (a program coordinator), GS-12 (support staff),
#: GS-15 (an executive sponsor below the Senior Executive Service)
GS13_STEP1_DCB_2024 = 117_962
GS12_STEP1_DCB_2024 = 99_200
GS15_STEP1_DCB_2024 = 163_964
#: the cost columns a run gains when costs are given (runs.parquet, summary.csv): part -> column
COST_COLUMNS = {
    "coordinators": "cost_coordinators_usd",
    "support": "cost_support_usd",
    "sponsor": "cost_sponsor_usd",
    "total": "cost_total_usd",
}
#: the smallest gain (adopter-years, or weeks of time-to-talent) a cost is divided by, in every run
MIN_GAIN = 1.0


def loaded(annual_pay: float) -> float:
    """Annual pay plus benefits at :data:`BENEFITS_FACTOR`, rounded to dollars."""
    return float(round(annual_pay * (1 + BENEFITS_FACTOR)))


@dataclass(frozen=True)
class CostRates:
    """Loaded annual cost per FTE (US dollars) of each kind of time, and the sponsor's time share."""

    coordinator: float = loaded(GS13_STEP1_DCB_2024)
    support_staff: float = loaded(GS12_STEP1_DCB_2024)
    sponsor: float = loaded(GS15_STEP1_DCB_2024)
    sponsor_fte_at_full: float = 0.05  # guess: about two hours a week of an executive at full sponsorship

    def check(self) -> CostRates:
        """Every rate finite and not negative, the sponsor's share 0-1; ValueError naming any that is not."""
        for name in ("coordinator", "support_staff", "sponsor"):
            value = getattr(self, name)
            if not math.isfinite(value) or value < 0:
                raise ValueError(f"{name}: {value!r} is out of range; a cost per FTE-year of 0 or more")
        if not 0 <= self.sponsor_fte_at_full <= 1:
            raise ValueError(f"sponsor_fte_at_full: {self.sponsor_fte_at_full!r} is out of range; 0 to 1")
        return self


def support_fte_years(config, horizon_weeks: int | None = None) -> float:
    """This community's share of the support team's FTE-years (0 without a team or a community)."""
    team = config.support_team
    if not (team.enabled and config.community.enabled):
        return 0.0
    weeks = config.horizon_weeks if horizon_weeks is None else horizon_weeks
    return team.staff / team.communities_served * weeks / WEEKS_PER_YEAR


def run_costs(summary, config, rates: CostRates) -> dict[str, np.ndarray]:
    """Dollars per run: ``coordinators``, ``support``, ``sponsor`` and their ``total``.

    ``summary`` is an ensemble's summary table (one row per run) of ``config``; the sponsor's
    time is counted only where a community exists (the baseline has no sponsor of a community).
    """
    rates.check()
    coordinators = np.asarray(summary["coordinator_fte_years"], float) * rates.coordinator
    n = coordinators.size
    support = np.full(n, support_fte_years(config) * rates.support_staff)
    sponsor_years = (
        np.asarray(summary["sponsor_level_years"], float) if config.community.enabled else np.zeros(n)
    )
    sponsor = sponsor_years * rates.sponsor_fte_at_full * rates.sponsor
    return {"coordinators": coordinators, "support": support, "sponsor": sponsor,
            "total": coordinators + support + sponsor}  # fmt: skip


def with_costs(summary, config, rates: CostRates):
    """An ensemble's summary table with the :data:`COST_COLUMNS` added (dollars per run)."""
    dollars = run_costs(summary, config, rates)
    return summary.assign(**{column: dollars[part] for part, column in COST_COLUMNS.items()})


def cost_per_gain(total: np.ndarray, gain: np.ndarray, min_gain: float) -> np.ndarray | None:
    """Dollars per unit of gain, run by run; None when any run's gain is below ``min_gain``
    (a ratio over a gain near zero swings without bound and would mislead)."""
    gain = np.asarray(gain, float)
    if gain.size == 0 or np.isnan(gain).any() or (gain < min_gain).any():
        return None
    return np.asarray(total, float) / gain
