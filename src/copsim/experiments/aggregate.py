"""Pure functions that turn a sweep's ``runs`` table into per-condition statistics.

Nothing here reads or writes files: the results store (:mod:`copsim.experiments.store`) and the
analysis layer both call these on a ``runs`` DataFrame (the schema of ``runs.parquet``, see
``docs/EXPERIMENTS.md``): one row per replicate with ``condition_id``, the condition keys
(``scenario`` and dotted config keys such as ``coordinator.fte``), ``replicate``, ``seed`` and the
summary outcomes of :func:`copsim.outcomes.summarize`.

Pairing (common random numbers). Replicate *r* of every condition with the same root seed has
the same seed, so a condition and its dissemination-only baseline form pairs by (scenario,
replicate). The baseline of a condition is found by :func:`find_baselines`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
import pandas as pd

from ..analysis.costs import MIN_GAIN, cost_per_gain
from ..analysis.stats import mean_ci
from .plan import is_lever

#: identifier columns of ``runs.parquet`` that are neither condition keys nor outcomes
ID_COLUMNS = ("condition_id", "condition", "label", "replicate", "seed")


#: the condition table's derived outcomes when runs carry costs: paired extra dollars per unit of
#: gain against the condition's dissemination-only baseline; name -> (outcome, sign of a gain in
#: the paired difference): extra adopter-years, and weeks of time-to-talent saved (CompanyCommand)
COST_PER_GAIN = {
    "cost_per_extra_adopter_year_usd": ("adopter_years", 1.0),
    "cost_per_week_to_talent_saved_usd": ("time_to_talent_weeks", -1.0),
}

#: condition-key columns without a dot: the top-level config keys (``seed`` swept is ``root_seed``)
TOP_LEVEL_KEYS = ("scenario", "root_seed", "horizon_weeks")


def condition_keys(runs: pd.DataFrame) -> list[str]:
    """The condition-key columns of a runs table: top-level keys and every dotted config key."""
    return [c for c in runs.columns if c in TOP_LEVEL_KEYS or "." in c]


def censor_flag(outcome: str, columns: Iterable[str]) -> str | None:
    """The boolean column that marks ``outcome`` as censored, if any.

    ``t50_weeks`` and ``t50_years`` -> ``t50_censored``; ``time_to_talent_weeks`` ->
    ``time_to_talent_censored``.
    """
    columns = set(columns)
    for suffix in ("_weeks", "_years"):
        if outcome.endswith(suffix):
            flag = outcome[: -len(suffix)] + "_censored"
            return flag if flag in columns else None
    return None


def outcome_columns(runs: pd.DataFrame, keys: Sequence[str] | None = None) -> list[str]:
    """Numeric summary outcomes of a runs table (booleans such as censoring flags excluded)."""
    keys = set(condition_keys(runs) if keys is None else keys)
    return [
        c
        for c in runs.columns
        if c not in keys
        and c not in ID_COLUMNS
        and pd.api.types.is_numeric_dtype(runs[c])
        and not pd.api.types.is_bool_dtype(runs[c])
    ]


def _same(a: Any, b: Any) -> bool:
    return bool(a == b) or (a != a and b != b)  # NaN equals NaN here


def find_baselines(conditions: pd.DataFrame, keys: Sequence[str] | None = None) -> dict[str, str | None]:
    """Map each condition to its dissemination-only baseline condition (or None).

    ``conditions`` has one row per condition: ``condition_id`` and the condition keys, which must
    include ``scenario`` and ``community.enabled``. The baseline of a condition with the
    community on is the condition with ``community.enabled`` false, the same ``scenario`` and the
    same value of every non-lever key (keys outside the community, coordinator, sponsor and
    support-team groups, e.g. ``demography.wave`` or ``seed``); among several, the one that also
    agrees on the most lever keys (the very same condition with the community off when it is in
    the sweep), the first in table order on a tie. Baselines themselves map to None, as does a
    condition without a matching baseline.
    """
    keys = list(condition_keys(conditions) if keys is None else keys)
    if "community.enabled" not in conditions.columns:
        return dict.fromkeys(conditions["condition_id"])
    rows = conditions.drop_duplicates("condition_id").to_dict("records")
    fixed = [k for k in keys if not is_lever(k)]
    levers = [k for k in keys if is_lever(k) and k != "community.enabled"]
    baselines = [r for r in rows if not bool(r["community.enabled"])]
    out: dict[str, str | None] = {}
    for row in rows:
        if not bool(row["community.enabled"]):
            out[row["condition_id"]] = None
            continue
        best, best_score = None, -1
        for cand in baselines:
            if all(_same(row[k], cand[k]) for k in fixed):
                score = sum(_same(row[k], cand[k]) for k in levers)
                if score > best_score:
                    best, best_score = cand["condition_id"], score
        out[row["condition_id"]] = best
    return out


def paired_differences(
    runs: pd.DataFrame,
    keys: Sequence[str] | None = None,
    outcomes: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Per-replicate differences condition minus baseline, paired by replicate.

    Returns one row per (condition, replicate) for every condition that has a baseline:
    ``condition_id``, ``baseline_id``, ``replicate``, ``seed`` and each outcome as the difference
    (NaN where either side is censored, and for every outcome where the two seeds differ, which
    happens only when the root seeds differ and the runs are therefore not paired).
    """
    keys = list(condition_keys(runs) if keys is None else keys)
    outcomes = list(outcome_columns(runs, keys) if outcomes is None else outcomes)
    table = runs[["condition_id", *keys]].drop_duplicates("condition_id")
    baseline_of = find_baselines(table, keys)
    groups = {cid: g.set_index("replicate") for cid, g in runs.groupby("condition_id", sort=False)}
    frames = []
    for cid, bid in baseline_of.items():
        if bid is None:
            continue
        a, b = groups[cid], groups[bid]
        common = a.index.intersection(b.index)
        diff = a.loc[common, outcomes].astype(float) - b.loc[common, outcomes].astype(float)
        diff[(a.loc[common, "seed"] != b.loc[common, "seed"]).to_numpy()] = np.nan
        diff.insert(0, "seed", a.loc[common, "seed"].to_numpy())
        diff.insert(0, "replicate", common.to_numpy())
        diff.insert(0, "baseline_id", bid)
        diff.insert(0, "condition_id", cid)
        frames.append(diff.reset_index(drop=True))
    if not frames:
        return pd.DataFrame(columns=["condition_id", "baseline_id", "replicate", "seed", *outcomes])
    return pd.concat(frames, ignore_index=True)


def _ci(values: np.ndarray, level: float) -> tuple[float, float, float, int]:
    values = values[~np.isnan(values)]
    mean, lo, hi = mean_ci(values, level=level)
    return float(mean), float(lo), float(hi), int(values.size)


def condition_table(
    runs: pd.DataFrame,
    keys: Sequence[str] | None = None,
    outcomes: Sequence[str] | None = None,
    level: float = 0.95,
) -> pd.DataFrame:
    """One row per condition: mean and ``level`` t-interval of each outcome, censoring, paired gain.

    Columns: ``condition_id``, the condition keys, ``n_replicates``, ``baseline_id``, then for each
    outcome ``O``: ``O_mean``, ``O_lo``, ``O_hi`` (over the runs where ``O`` is not missing);
    for censorable outcomes also ``O_n`` (runs not censored) and ``O_censored_share``; then
    ``O_diff_mean``, ``O_diff_lo``, ``O_diff_hi`` — the paired difference condition minus
    baseline (see :func:`paired_differences`) with its interval, and for censorable outcomes
    ``O_diff_n`` (pairs where neither run is censored). When the runs carry costs, also
    each of :data:`COST_PER_GAIN` (mean, lo, hi over the pairs). Rows keep the order of first
    appearance in ``runs``.
    """
    keys = list(condition_keys(runs) if keys is None else keys)
    outcomes = list(outcome_columns(runs, keys) if outcomes is None else outcomes)
    diffs = paired_differences(runs, keys, outcomes)
    ratios = {k: v for k, v in COST_PER_GAIN.items() if {"cost_total_usd", v[0]} <= set(outcomes)}
    diff_groups = {cid: g for cid, g in diffs.groupby("condition_id", sort=False)}
    baseline_of = find_baselines(runs[["condition_id", *keys]].drop_duplicates("condition_id"), keys)
    rows = []
    for cid, group in runs.groupby("condition_id", sort=False):
        row: dict[str, Any] = {"condition_id": cid, **group.iloc[0][keys].to_dict()}
        row["n_replicates"] = len(group)
        row["baseline_id"] = baseline_of.get(cid)
        paired = diff_groups.get(cid)
        for o in outcomes:
            flag = censor_flag(o, runs.columns)
            mean, lo, hi, n = _ci(group[o].to_numpy(float), level)
            row.update({f"{o}_mean": mean, f"{o}_lo": lo, f"{o}_hi": hi})
            if flag is not None:
                row[f"{o}_n"] = n
                row[f"{o}_censored_share"] = float(group[flag].astype(float).mean())
            if paired is None:
                dmean = dlo = dhi = np.nan
                dn = 0
            else:
                dmean, dlo, dhi, dn = _ci(paired[o].to_numpy(float), level)
            row.update({f"{o}_diff_mean": dmean, f"{o}_diff_lo": dlo, f"{o}_diff_hi": dhi})
            if flag is not None:
                row[f"{o}_diff_n"] = dn
        for name, (outcome, sign) in ratios.items():
            row.update(_cost_per_gain(name, paired, outcome, sign, level))
        rows.append(row)
    return pd.DataFrame(rows)


def _cost_per_gain(
    name: str, paired: pd.DataFrame | None, outcome: str, sign: float, level: float
) -> dict[str, float]:
    """Mean and interval of dollars per unit of gain in ``outcome``, pair by pair (NaN when any
    pair gains less than :data:`~copsim.analysis.costs.MIN_GAIN` or is censored, and for a
    condition without a baseline)."""
    ratio = None
    if paired is not None:
        gain = sign * paired[outcome].to_numpy(float)
        ratio = cost_per_gain(paired["cost_total_usd"].to_numpy(), gain, MIN_GAIN)
    mean, lo, hi = (np.nan,) * 3 if ratio is None else mean_ci(ratio, level=level, bounds=(0.0, np.inf))
    return {f"{name}_mean": mean, f"{name}_lo": lo, f"{name}_hi": hi}


#: per-outcome statistics of the condition table, in the order of the long table's columns
STATISTICS = ("mean", "lo", "hi", "n", "censored_share", "diff_mean", "diff_lo", "diff_hi", "diff_n")


def long_table(wide: pd.DataFrame, keys: Sequence[str]) -> pd.DataFrame:
    """The condition table in long form (``conditions.csv``): one row per condition and outcome.

    Columns: ``condition_id``, ``condition``, ``label``, ``status``, the condition keys,
    ``baseline_id``, ``n_replicates``, ``outcome``, ``unit``, then :data:`STATISTICS` (``n`` and
    ``censored_share`` for censorable outcomes only). A condition that is not complete has one
    row, without an outcome.
    """
    from .fields import describe

    head = [
        c
        for c in ("condition_id", "condition", "label", "status", *keys, "baseline_id", "n_replicates")
        if c in wide
    ]
    outcomes = [
        c[: -len("_mean")] for c in wide.columns if c.endswith("_mean") and not c.endswith("_diff_mean")
    ]
    rows = []
    for _, row in wide.iterrows():
        base = {c: row[c] for c in head}
        if row.get("status", "complete") != "complete" or not outcomes:
            rows.append({**base, "outcome": None})
            continue
        for o in outcomes:
            field = describe(o, "summary")
            stats = {s: row.get(f"{o}_{s}", np.nan) for s in STATISTICS}
            rows.append({**base, "outcome": o, "unit": field.unit if field else "", **stats})
    return pd.DataFrame(rows, columns=[*head, "outcome", "unit", *STATISTICS])
