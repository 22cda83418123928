"""Ensemble statistics the page reports: means with 95 % intervals, censoring, paired differences.

A *comparison* is two ensembles of the same configuration on the same replicate seeds: with the
community and its dissemination-only baseline. Replicate *r* has the same seed in both, so
differences are paired (common random numbers). Censored times (a run that never reaches 50 %
adoption within the horizon) stay censored: they are counted, never averaged as 0 or the horizon.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..analysis.stats import mean_ci
from ..api import EnsembleResult
from ..model.config import CopConfig


@dataclass(frozen=True)
class Estimate:
    """Mean and 95 % t-interval over the runs that reached a value; ``n_reached`` of ``n`` runs."""

    mean: float
    lo: float
    hi: float
    n_reached: int
    n: int

    @property
    def all_reached(self) -> bool:
        return self.n > 0 and self.n_reached == self.n

    @property
    def none_reached(self) -> bool:
        return self.n_reached == 0


def estimate(values: np.ndarray | pd.Series) -> Estimate:
    """Estimate from per-run values where NaN marks a censored (not reached) run."""
    values = np.asarray(values, float)
    reached = values[~np.isnan(values)]
    if reached.size == 0:
        return Estimate(math.nan, math.nan, math.nan, 0, values.size)
    mean, lo, hi = mean_ci(reached)
    return Estimate(float(mean), float(lo), float(hi), int(reached.size), int(values.size))


@dataclass
class Comparison:
    """A scenario's ensemble with the community, and its paired dissemination-only baseline."""

    scenario: str
    overrides: list[str]
    replicates: int
    community: EnsembleResult
    baseline: EnsembleResult

    @property
    def config(self) -> CopConfig:
        return self.community.config

    def outcome(self, key: str, condition: str = "community") -> Estimate:
        """Estimate of one summary outcome (see :mod:`copsim.outcomes`) for one condition."""
        result = self.community if condition == "community" else self.baseline
        return estimate(result.summary[key])

    def paired_difference(self, key: str) -> Estimate:
        """Baseline minus community, per replicate, over replicates where both have a value.

        For times (``t50_years``) a positive value means the community is faster.
        """
        c = self.community.summary.set_index("replicate")[key].astype(float)
        b = self.baseline.summary.set_index("replicate")[key].astype(float)
        return estimate((b - c).to_numpy())

    def gained_per_fte_year(self) -> Estimate | None:
        """Adoption-years gained over the baseline per coordinator FTE-year, per replicate.

        Adoption-years are the area under the adopters curve (units x years), so 1.5 means each
        FTE-year of coordination bought one and a half extra years of the practice being in use
        in one adopting unit. None when no coordinator time is spent.
        """
        c = self.community.summary.set_index("replicate")
        b = self.baseline.summary.set_index("replicate")
        fte_years = c["coordinator_fte_years"].astype(float)
        if (fte_years <= 0).any():
            return None
        gained = (c["adopter_years"] - b["adopter_years"]) / fte_years
        return estimate(gained.to_numpy())

    def curve(self) -> pd.DataFrame:
        """Adoption curve per condition: years, mean share and 95 % band across replicates.

        Columns: ``condition`` (community/baseline), ``years``, ``mean``, ``lo``, ``hi``.
        """
        frames = []
        for condition, result in (("community", self.community), ("baseline", self.baseline)):
            wide = result.timeseries.pivot(index="week", columns="replicate", values="adoption_share")
            mean, lo, hi = mean_ci(wide.to_numpy(), axis=1)
            frames.append(
                pd.DataFrame(
                    {
                        "condition": condition,
                        "years": wide.index.to_numpy() / 52.0,
                        "mean": mean,
                        "lo": np.clip(lo, 0.0, 1.0),
                        "hi": np.clip(hi, 0.0, 1.0),
                    }
                )
            )
        return pd.concat(frames, ignore_index=True)

    def summary_table(self) -> pd.DataFrame:
        """One row per replicate and condition, as ``copsim-run`` writes ``summary.csv``."""
        return pd.concat(
            [
                self.community.summary.assign(condition="community"),
                self.baseline.summary.assign(condition="baseline"),
            ],
            ignore_index=True,
        )
