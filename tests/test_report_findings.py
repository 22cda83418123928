"""The report names a fastest condition only when the paired runs show it beyond chance (issue #19, item 8).

The sweeps here are written by hand (runs.parquet, conditions.csv from the experiment runner's own
aggregation, manifest.json), so each test controls exactly how far apart its conditions are.
"""

from __future__ import annotations

import json
import re

import matplotlib.axes
import numpy as np
import pandas as pd

import copsim.analysis as analysis
from copsim.analysis.comparisons import condition_time, fastest, paired_between
from copsim.analysis.figures import plot_t50_heatmap
from copsim.analysis.report import findings, write_report
from copsim.experiments.aggregate import condition_table

FTES = (0.25, 0.5, 1.0)
LEVELS = (0.5, 1.0)
REPLICATES = 8


def write_sweep(path, t50_of, seed: int = 0):
    """A rumble_strips sweep: coordinator FTE x sponsorship plus the baseline, ``REPLICATES`` runs each.

    ``t50_of(fte, level, replicate_effect, noise)`` gives each run's years to 50 % (NaN: not reached).
    Runs of the same replicate share ``replicate_effect`` (common random numbers).
    """
    rng = np.random.default_rng(seed)
    effects = rng.normal(0, 1.0, REPLICATES)
    rows = []
    conditions = [(True, f, lv) for f in FTES for lv in LEVELS] + [(False, 0.5, 0.6)]
    for i, (enabled, fte, level) in enumerate(conditions):
        for r in range(REPLICATES):
            t50 = 9.0 + effects[r] if not enabled else t50_of(fte, level, effects[r], rng.normal(0, 1))
            rows.append(
                {
                    "condition_id": f"c{i}",
                    "scenario": "rumble_strips",
                    "community.enabled": enabled,
                    "coordinator.fte": fte,
                    "sponsor.level": level,
                    "replicate": r,
                    "seed": 1000 + r,
                    "t50_years": t50,
                    "t50_censored": bool(np.isnan(t50)),
                    "final_adoption_share": 0.8 if enabled else 0.5,
                    "adopter_years": 100.0,
                }
            )
    runs = pd.DataFrame(rows)
    path.mkdir(parents=True)
    runs.to_parquet(path / "runs.parquet", index=False)
    condition_table(runs).assign(status="complete").to_csv(path / "conditions.csv", index=False)
    (path / "manifest.json").write_text(json.dumps({"status": "complete", "horizon_weeks": 520}))
    return analysis.load(path)


def test_on_a_sweep_whose_conditions_cannot_be_told_apart_no_fastest_condition_is_named(tmp_path):
    # the reference report's case: 6.8 against neighbours at 7.1-7.6, within chance of each other
    sweep = write_sweep(tmp_path / "noise", lambda fte, level, effect, noise: 7.2 + effect + 0.6 * noise)
    said = findings(sweep)
    assert not any("This is the fastest" in s or "The fastest condition is" in s for s in said), said
    verdict = [s for s in said if s.startswith("No condition is the fastest beyond chance")]
    assert len(verdict) == 1 and "with 8 runs each" in verdict[0], said
    # and no condition is said to be sooner than dissemination alone unless its interval shows it
    for sentence in said:
        if "sooner than dissemination alone beyond chance" in sentence:
            assert "sooner in 8 of 8 paired runs" in sentence  # 8 runs: the interval is the range


def test_a_condition_faster_in_every_paired_run_is_named_the_fastest(tmp_path):
    def t50(fte, level, effect, noise):
        return 7.0 + effect + 0.1 * noise - (2.5 if (fte, level) == (1.0, 1.0) else 0.0)

    sweep = write_sweep(tmp_path / "clear", t50)
    said = findings(sweep)
    named = [s for s in said if s.startswith("The fastest condition is")]
    assert len(named) == 1 and "a full-time coordinator and strong sponsorship (level 1)" in named[0], said
    assert "sooner than each of the other 5 conditions beyond chance" in named[0]
    best = sweep.conditions[
        (sweep.conditions["coordinator.fte"] == 1.0) & (sweep.conditions["sponsor.level"] == 1.0)
    ]
    group = fastest(sweep, sweep.conditions[sweep.conditions["community.enabled"]])
    assert group.alone and group.best["condition_id"] == best["condition_id"].iloc[0]


def test_times_in_findings_count_every_run_and_their_intervals_stay_positive(tmp_path):
    # half the runs of some conditions never get there: no number for those, and no negative time
    def t50(fte, level, effect, noise):
        return np.nan if fte == 0.25 and noise > 0 else max(0.05, 0.3 + 0.2 * effect + 0.5 * noise)

    sweep = write_sweep(tmp_path / "edge", t50, seed=3)
    said = findings(sweep)
    assert not any(re.search(r"(?<![\w.])[-−]\d", s) for s in said), said
    for _, row in sweep.conditions.iterrows():
        t = condition_time(sweep, row)
        assert t.median >= 0 and (not t.sure or t.lo >= 0)
    html = write_report(sweep, figures=False).read_text()
    assert "sooner than dissemination alone" in html


def test_paired_comparison_needs_the_same_seeds(tmp_path):
    sweep = write_sweep(tmp_path / "seeds", lambda fte, level, effect, noise: 7.0 + effect)
    a, b = sweep.conditions.iloc[0], sweep.conditions.iloc[1]
    assert paired_between(sweep, a, b).n == REPLICATES
    runs = sweep.runs.copy()
    runs.loc[runs["condition_id"] == b["condition_id"], "seed"] += 1  # another root seed: no pairs
    sweep.runs = runs
    assert paired_between(sweep, a, b) is None


def test_heatmap_marks_indistinguishable_cells_on_a_scale_from_zero_to_the_horizon(tmp_path, monkeypatch):
    sweep = write_sweep(tmp_path / "map", lambda fte, level, effect, noise: 7.2 + effect + 0.6 * noise)
    scales, texts = [], []
    imshow, text = matplotlib.axes.Axes.imshow, matplotlib.axes.Axes.text

    def spy_imshow(self, *args, **kwargs):
        scales.append((kwargs["vmin"], kwargs["vmax"]))
        return imshow(self, *args, **kwargs)

    def spy_text(self, x, y, s, **kwargs):
        texts.append(s)
        return text(self, x, y, s, **kwargs)

    monkeypatch.setattr(matplotlib.axes.Axes, "imshow", spy_imshow)
    monkeypatch.setattr(matplotlib.axes.Axes, "text", spy_text)
    path = plot_t50_heatmap(sweep, tmp_path / "figures")
    assert path is not None and path.is_file()
    assert scales == [(0.0, 10.0)]  # the whole range a time can take, not the noise between cells
    assert sum("≈" in t for t in texts) >= 2 and not any("★" in t for t in texts)
