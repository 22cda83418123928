"""What the page reports from its ensembles: times, averages, paired comparisons, curves, CSV.

A *comparison* is two ensembles of the same settings on the same replicate seeds: with the
community and its dissemination-only baseline (run *r* of both shares its seed: common random
numbers, so differences are paired run by run). When the levers differ from the case's own
values it also holds the case as configured (``reference``), for the participation chart.

Every number follows two rules, shared with ``copsim-report`` and ``copsim-run``:

* a time to a threshold is the time by which at least half of *all* runs got there
  (:mod:`copsim.analysis.times`; runs that never did are counted, not dropped);
* "how much runs differ" (the middle runs) and "how sure" (a 95 % interval) are two separate
  ranges, and every range stays within the values the outcome can take.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..analysis.costs import MIN_GAIN, CostRates, cost_per_gain, run_costs
from ..analysis.stats import mean_ci, middle_ranks
from ..analysis.times import (
    PairedTimes,
    TimeSummary,
    compare_paired,
    median_rank,
    ranked_curve,
    summarize_times,
)
from ..api import EnsembleResult
from ..model.config import CopConfig
from .levers import lever_values, levers_from_config

WEEKS_PER_YEAR = 52.0
#: the outcomes that are times to a threshold (NaN: not reached), in the units of their column
TIME_OUTCOMES = ("t50_years", "t90_years", "time_to_talent_weeks")
#: values an outcome can take: its ranges never leave them
BOUNDS = {
    "final_members": (0.0, math.inf),
    "core_share": (0.0, 1.0),
    "active_share": (0.0, 1.0),
    "participation_rate": (0.0, 1.0),
    "cross_boundary_trust": (0.0, 1.0),
    "final_adoption_share": (0.0, 1.0),
    "sharing_rate": (0.0, 1.0),
    "coordinator_fte_years": (0.0, math.inf),
    "adopter_years": (0.0, math.inf),
}
#: text for a time that was not reached, in the CSV (a blank cell would be skipped by averages)
NOT_REACHED = "not reached"


@dataclass(frozen=True)
class Estimate:
    """The average of an outcome over runs (95 % interval) and the range of the middle runs."""

    mean: float
    lo: float
    hi: float
    runs_lo: float
    runs_hi: float
    n_middle: int
    n: int


def estimate(values, bounds: tuple[float, float] | None = None) -> Estimate:
    """Average, its 95 % t-interval (kept within ``bounds``) and the middle runs of ``values``."""
    values = np.asarray(values, float)
    if values.size == 0 or np.isnan(values).any():
        raise ValueError("values: every run needs a value (times that may be missing use summarize_times)")
    mean, lo, hi = mean_ci(values, bounds=bounds)
    first, last = middle_ranks(values.size)
    ordered = np.sort(values)
    return Estimate(
        float(mean),
        float(lo),
        float(hi),
        float(ordered[first - 1]),
        float(ordered[last - 1]),
        last - first + 1,
        values.size,
    )


@dataclass
class Comparison:
    """A setting's ensemble with the community, its paired baseline, and the case as configured."""

    scenario: str
    overrides: list[str]
    replicates: int
    community: EnsembleResult
    baseline: EnsembleResult
    reference: EnsembleResult | None = None  # the case's own settings; None when overrides are empty
    network_replicate: int = 0  # the run drawn as the network picture

    @property
    def config(self) -> CopConfig:
        return self.community.config

    @property
    def horizon_years(self) -> float:
        return self.config.horizon_weeks / WEEKS_PER_YEAR

    def _result(self, condition: str) -> EnsembleResult:
        if condition == "reference":
            return self.reference if self.reference is not None else self.community
        return {"community": self.community, "baseline": self.baseline}[condition]

    def values(self, key: str, condition: str = "community") -> np.ndarray:
        """Per-run values of one summary outcome, in replicate order (NaN: not reached)."""
        summary = self._result(condition).summary.sort_values("replicate")
        return summary[key].to_numpy(float)

    def time(self, key: str, condition: str = "community") -> TimeSummary:
        """A time to a threshold over all runs (see :mod:`copsim.analysis.times`)."""
        if key not in TIME_OUTCOMES:
            raise KeyError(f"{key}: not a time outcome; use outcome()")
        return summarize_times(self.values(key, condition))

    def outcome(self, key: str, condition: str = "community") -> Estimate:
        """Average and ranges of an outcome that every run has (members, trust, cost)."""
        if key in TIME_OUTCOMES:
            raise KeyError(f"{key}: a time that runs may not reach; use time()")
        return estimate(self.values(key, condition), BOUNDS.get(key))

    def paired(self, key: str) -> PairedTimes:
        """Run by run, community against baseline: positive differences mean the community is sooner."""
        return compare_paired(self.values(key, "community"), self.values(key, "baseline"))

    def gained_per_fte_year(self) -> Estimate | None:
        """Extra unit-years of the practice in use per coordinator FTE-year, run by run.

        Unit-years are the area under the adopters curve (adopting units x years in use), so 1.5
        means each FTE-year of coordination bought one and a half more years of the practice in
        use in one adopting unit, against dissemination alone on the same seeds. None when no
        coordinator time is spent.
        """
        fte_years = self.values("coordinator_fte_years")
        if (fte_years <= 0).any():
            return None
        gained = (self.values("adopter_years") - self.values("adopter_years", "baseline")) / fte_years
        return estimate(gained)

    def costs(self, rates: CostRates) -> dict[str, Estimate]:
        """Dollars per run with the community: ``coordinators``, ``support``, ``sponsor``, ``total``."""
        per_run = run_costs(self.community.summary, self.config, rates)
        return {part: estimate(values, (0.0, math.inf)) for part, values in per_run.items()}

    def cost_per_gain(self, rates: CostRates, key: str) -> Estimate | None:
        """Dollars per unit of the case's gain, run by run, against dissemination alone.

        For adoption (``t50_years`` cases) the gain is extra adopter-years (unit-years of the
        practice in use); for time-to-talent it is the weeks saved in the middle hire's time.
        None when any run gains less than :data:`MIN_GAIN` (or, for time-to-talent, a run of
        either condition never gets there): a ratio over a gain near zero would mislead.
        """
        total = run_costs(self.community.summary, self.config, rates)["total"]
        if key == "time_to_talent_weeks":
            gain = self.values(key, "baseline") - self.values(key)
        else:
            gain = self.values("adopter_years") - self.values("adopter_years", "baseline")
        ratio = cost_per_gain(total, gain, MIN_GAIN)
        return None if ratio is None else estimate(ratio, (0.0, math.inf))

    def curve(self, column: str = "adoption_share") -> pd.DataFrame:
        """The middle run's curve and the middle runs' band, per condition, over years.

        Columns: ``condition`` (community/baseline), ``years``, ``middle`` (at each week the
        ``ceil(n/2)``-th highest run), ``low`` and ``high`` (the band of the middle runs). For
        the adoption share the middle curve crosses 50 % exactly at the page's time to 50 %, and
        the band's edges at the ends of its runs range (:func:`copsim.analysis.times.ranked_curve`).
        """
        frames = []
        for condition in ("community", "baseline"):
            frames.append(self._ranked(self._result(condition), column).assign(condition=condition))
        return pd.concat(frames, ignore_index=True)

    def participation(self) -> pd.DataFrame:
        """Members, active and core members over years: averages over runs, with and without the change.

        Columns ``setting`` ("with your settings" / "as in the case"), ``level`` (members, active,
        core), ``years``, ``value``. Without a change there is one setting.
        """
        settings = [("with your settings", self.community)]
        if self.reference is not None:
            settings.append(("as in the case", self.reference))
        frames = []
        for name, result in settings:
            means = result.timeseries.groupby("week")[["members", "active", "core"]].mean()
            long = means.reset_index().melt(id_vars="week", var_name="level", value_name="value")
            frames.append(long.assign(years=long["week"] / WEEKS_PER_YEAR, setting=name).drop(columns="week"))
        return pd.concat(frames, ignore_index=True)

    @staticmethod
    def _ranked(result: EnsembleResult, column: str) -> pd.DataFrame:
        wide = result.timeseries.pivot(index="week", columns="replicate", values=column).to_numpy(float)
        n = wide.shape[1]
        first, last = middle_ranks(n)
        return pd.DataFrame(
            {
                "years": np.arange(wide.shape[0]) / WEEKS_PER_YEAR,
                "middle": ranked_curve(wide, median_rank(n)),
                "high": ranked_curve(wide, first),
                "low": ranked_curve(wide, last),
            }
        )

    def summary_table(self) -> pd.DataFrame:
        """One row per run and condition (``copsim-run``'s ``summary.csv`` columns), plus the settings.

        Times not reached within the horizon are the text ``not reached`` instead of a blank
        cell (which spreadsheet averages would skip); the settings (case, runs and every lever's
        config key with its value) lead every row, so a file read alone still says what it is.
        """
        table = pd.concat(
            [
                self.community.summary.assign(condition="community"),
                self.baseline.summary.assign(condition="baseline"),
            ],
            ignore_index=True,
        )
        for key in ("t50_weeks", "t90_weeks", *TIME_OUTCOMES):
            if key in table:
                table[key] = table[key].astype(object).where(table[key].notna(), NOT_REACHED)
        settings = {
            "case": self.scenario,
            "runs": self.replicates,
            **lever_values(levers_from_config(self.config)),
        }
        for position, (key, value) in enumerate(settings.items()):
            table.insert(position, key, value)
        return table
