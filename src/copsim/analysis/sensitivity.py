"""Global sensitivity analysis of the model's uncertain behavioural parameters (SALib).

Which guesses matter? ``experiments/sensitivity.yaml`` lists the uncertain parameters with the
range each may plausibly take and why, the scenario, the outcomes and the designs. Two methods:

* **Morris elementary effects** (screening; Morris 1991, Campolongo et al. 2007): ``mu*`` is the
  mean absolute effect of moving one parameter across its range (in the outcome's unit),
  ``sigma`` its spread (large when the parameter interacts or acts non-linearly).
* **Sobol indices** (Saltelli 2002 sampling, Jansen estimators as in SALib): ``S1`` is the share of
  the outcome's variance due to a parameter alone, ``ST`` including all its interactions; 95 %
  bootstrap intervals come with both.

Each sample point is one model run (or the mean of ``replicates`` runs) with the same seeds at
every point (common random numbers), so differences between points are the parameters' doing.
Censored outcomes (50 % adoption or competence never reached) are counted at the horizon (a
restricted time, stated in every figure and sentence) so that every run has a number.

Run::

    python -m copsim.analysis.sensitivity experiments/sensitivity.yaml --out results/sensitivity

It writes ``morris.csv``, ``sobol.csv``, figures (PNG + SVG), the sample runs (``morris/``,
``sobol/`` sweep-like directories) and ``sensitivity.json`` (the sentences and figure names the
report embeds).
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from SALib.analyze import morris as morris_analyze
from SALib.analyze import sobol as sobol_analyze
from SALib.sample import morris as morris_sample
from SALib.sample import sobol as sobol_sample

from ..model.config import ConfigError, load_config
from .sample_runs import format_override, run_conditions
from .spec_file import read_yaml_mapping, spec_path

#: readable names of the outcomes analysed
OUTCOME_NAMES = {
    "t50_years": "years to 50 % adoption",
    "time_to_talent_weeks": "time-to-talent (weeks)",
}
#: censored-flag column of each outcome, and how to express the horizon in its unit
CENSOR = {"t50_years": ("t50_censored", 1 / 52.0), "time_to_talent_weeks": ("time_to_talent_censored", 1.0)}


class SensitivityError(ValueError):
    """The sensitivity spec is invalid; the message names the key."""


# ------------------------------------------------------------------------------------ spec
def read_spec(path: Path) -> dict:
    """Read and check a sensitivity spec: every parameter must be a model key and its range legal."""
    spec = read_yaml_mapping(path, SensitivityError, ("parameters",))
    scenario = spec.get("scenario", "rumble_strips")
    fixed = list(spec.get("fixed", []))
    for key, entry in spec["parameters"].items():
        if not isinstance(entry, dict) or "low" not in entry or "high" not in entry:
            raise SensitivityError(f"parameters.{key}: needs 'low' and 'high'")
        if not entry["low"] < entry["high"]:
            raise SensitivityError(f"parameters.{key}: low {entry['low']} is not below high {entry['high']}")
    for bound in ("low", "high"):  # all parameters at their lows together, then at their highs
        overrides = [format_override(k, float(e[bound])) for k, e in spec["parameters"].items()]
        try:
            load_config(scenario, [*fixed, *overrides])
        except ConfigError as exc:
            raise SensitivityError(f"parameters ({bound}): {exc}") from None
    for outcome in spec.get("outcomes", ["t50_years"]):
        if outcome not in CENSOR:
            raise SensitivityError(f"outcomes: {outcome!r} is not supported; choose from {', '.join(CENSOR)}")
    return spec


def problem_of(spec: dict) -> dict:
    """The SALib problem (names and bounds) of a spec."""
    params = spec["parameters"]
    return {
        "num_vars": len(params),
        "names": list(params),
        "bounds": [[float(p["low"]), float(p["high"])] for p in params.values()],
    }


# ------------------------------------------------------------------------------------ designs
def morris_design(problem: dict, trajectories: int, levels: int = 4, seed: int = 0) -> np.ndarray:
    """Morris trajectories: ``trajectories * (num_vars + 1)`` points."""
    return morris_sample.sample(problem, N=trajectories, num_levels=levels, seed=seed)


def sobol_design(problem: dict, base_samples: int, second_order: bool = False, seed: int = 0) -> np.ndarray:
    """Saltelli's extension of a Sobol sequence: ``base_samples * (num_vars + 2)`` points
    (``2 * num_vars + 2`` with second order). ``base_samples`` should be a power of two."""
    return sobol_sample.sample(problem, base_samples, calc_second_order=second_order, seed=seed)


# ------------------------------------------------------------------------------------ analysis
def morris_indices(
    problem: dict, X: np.ndarray, Y: np.ndarray, levels: int = 4, seed: int = 0
) -> pd.DataFrame:
    """Morris ``mu_star`` (with its 95 % bootstrap half-width ``mu_star_conf``) and ``sigma`` per
    parameter, sorted by ``mu_star`` (largest first)."""
    res = morris_analyze.analyze(problem, X, Y, num_levels=levels, seed=seed, print_to_console=False)
    frame = pd.DataFrame(
        {
            "parameter": problem["names"],
            "mu_star": res["mu_star"],
            "mu_star_conf": res["mu_star_conf"],
            "sigma": res["sigma"],
            "mu": res["mu"],
        }
    )
    return frame.sort_values("mu_star", ascending=False).reset_index(drop=True)


def sobol_indices(problem: dict, Y: np.ndarray, second_order: bool = False, seed: int = 0) -> pd.DataFrame:
    """First-order ``S1`` and total ``ST`` Sobol indices with 95 % bootstrap half-widths
    (``S1_conf``, ``ST_conf``) per parameter, sorted by ``ST`` (largest first)."""
    res = sobol_analyze.analyze(
        problem, Y, calc_second_order=second_order, conf_level=0.95, seed=seed, print_to_console=False
    )
    frame = pd.DataFrame(
        {
            "parameter": problem["names"],
            "S1": res["S1"],
            "S1_conf": res["S1_conf"],
            "ST": res["ST"],
            "ST_conf": res["ST_conf"],
        }
    )
    return frame.sort_values("ST", ascending=False).reset_index(drop=True)


def outcome_values(runs: pd.DataFrame, outcome: str, horizon_weeks: int) -> np.ndarray:
    """One value per sample (mean over replicates), censored runs counted at the horizon."""
    flag, per_week = CENSOR[outcome]
    values = runs[outcome].to_numpy(float).copy()
    censored = runs[flag].astype(bool).to_numpy() if flag in runs else np.isnan(values)
    values[censored | np.isnan(values)] = horizon_weeks * per_week
    return pd.Series(values).groupby(runs["sample"].to_numpy()).mean().sort_index().to_numpy()


def _samples(problem: dict, X: np.ndarray) -> list[dict]:
    return [dict(zip(problem["names"], map(float, row), strict=True)) for row in X]


def _evaluate(
    spec: dict, problem: dict, X: np.ndarray, out: Path, workers: int, design: dict
) -> pd.DataFrame:
    from ..progress import Ticker

    with Ticker(f"copsim-sensitivity: {out.name}", "run") as progress:
        return run_conditions(
            spec.get("scenario", "rumble_strips"),
            _samples(problem, X),
            out,
            replicates=int(spec.get("replicates", 1)),
            root_seed=int(spec.get("root_seed", 0)),
            fixed=list(spec.get("fixed", [])),
            workers=workers,
            design=design,
            progress=progress,
        )


# ------------------------------------------------------------------------------------ figures
def plot_morris(tables: dict[str, pd.DataFrame], path: Path) -> Path:
    """mu* (bars with 95 % intervals) and mu* vs sigma per outcome; PNG + SVG."""
    fig, axes = plt.subplots(2, len(tables), figsize=(6 * len(tables), 8.5), squeeze=False)
    for col, (outcome, table) in enumerate(tables.items()):
        unit = OUTCOME_NAMES.get(outcome, outcome)
        ax = axes[0, col]
        order = table.iloc[::-1]
        ax.barh(order["parameter"], order["mu_star"], xerr=order["mu_star_conf"], color="#1b6ca8", capsize=3)
        ax.set(xlabel=f"μ* (mean |elementary effect|, {unit})", title=f"Morris screening: {unit}")
        ax.tick_params(axis="y", labelsize=8)
        ax = axes[1, col]
        ax.scatter(table["mu_star"], table["sigma"], color="#1b6ca8")
        for _, row in table.head(6).iterrows():
            ax.annotate(row["parameter"], (row["mu_star"], row["sigma"]), fontsize=7,
                        xytext=(3, 3), textcoords="offset points")  # fmt: skip
        top = max(table["mu_star"].max(), table["sigma"].max(), 1e-9)
        ax.plot([0, top], [0, top], color="grey", linestyle=":", linewidth=0.8, label="σ = μ*")
        ax.set(xlabel="μ* (importance)", ylabel="σ (interaction / non-linearity)", title="μ* against σ")
        ax.legend(fontsize=7, frameon=False)
    fig.text(0.01, 0.005, "censored runs counted at the horizon", fontsize=7, color="#555")
    return _save(fig, path)


def plot_sobol(tables: dict[str, pd.DataFrame], path: Path) -> Path:
    """S1 and ST per parameter with 95 % bootstrap intervals, one panel per outcome; PNG + SVG."""
    height = 0.35 * max(map(len, tables.values())) + 2
    fig, axes = plt.subplots(1, len(tables), figsize=(6 * len(tables), height), squeeze=False)
    for ax, (outcome, table) in zip(axes[0], tables.items(), strict=True):
        order = table.iloc[::-1].reset_index(drop=True)
        y = np.arange(len(order))
        ax.barh(y + 0.2, order["ST"], height=0.4, xerr=order["ST_conf"], color="#1b6ca8", capsize=2,
                label="ST (total, with interactions)")  # fmt: skip
        ax.barh(y - 0.2, order["S1"], height=0.4, xerr=order["S1_conf"], color="#f28e2b", capsize=2,
                label="S1 (first order, alone)")  # fmt: skip
        ax.set_yticks(y, order["parameter"], fontsize=8)
        ax.axvline(0, color="black", linewidth=0.6)
        ax.set(
            xlabel="share of output variance", title=f"Sobol indices: {OUTCOME_NAMES.get(outcome, outcome)}"
        )
        ax.legend(fontsize=7, frameon=False, loc="lower right")
    fig.text(
        0.01,
        0.005,
        "95 % bootstrap intervals; censored runs counted at the horizon",
        fontsize=7,
        color="#555",
    )
    return _save(fig, path)


def _save(fig: plt.Figure, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.tight_layout(rect=(0, 0.02, 1, 1))
    fig.savefig(path)
    fig.savefig(path.with_suffix(".svg"))
    plt.close(fig)
    return path


# ------------------------------------------------------------------------------------ sentences
def _plain(spec: dict | None, name: str) -> str:
    """What a parameter is, from the first clause of its ``why`` in the spec ("imitation coefficient")."""
    why = ((spec or {}).get("parameters", {}).get(name) or {}).get("why", "")
    clause = why.split(";")[0].split("(")[0].strip()
    return f"{name}, {clause}" if clause else name


def sobol_sentence(outcome: str, table: pd.DataFrame, spec: dict | None = None, cut: float = 0.05) -> str:
    """What dominates ``outcome`` according to its Sobol table, as a sentence.

    Parameters whose total index is at least 0.1 are named with their indices and 95 % intervals;
    estimates below 0 or above 1 are sampling noise of a small base sample, said as such.
    """
    name = OUTCOME_NAMES.get(outcome, outcome)
    strong = table[table["ST"] >= 0.1]
    if strong.empty:
        strong = table.head(1)
    names = [
        f"{_plain(spec, r.parameter)} (ST {r.ST:.2f} ± {r.ST_conf:.2f}, S1 {r.S1:.2f} ± {r.S1_conf:.2f})"
        for r in strong.itertuples()
    ]
    small = int((table["ST"] < cut).sum())
    noisy = bool(((table["S1"] < -0.05) | (table["ST"] > 1.05)).any())
    text = (
        f"Sobol: the variance of {name} is dominated by {'; '.join(names)}. {small} of {len(table)} "
        f"parameters have a total index below {cut:g}."
    )
    if noisy:
        text += (
            " Some estimates fall below 0 or above 1: sampling noise at this base sample size; the intervals "
            "show how wide it is, and a larger base_samples narrows them."
        )
    return text


def constant_sentence(outcome: str, method: str) -> str:
    """Said when an outcome took one value at every sample point (nothing to apportion)."""
    name = OUTCOME_NAMES.get(outcome, outcome)
    return f"{method}: {name} took the same value at every sample point (e.g. never reached); no indices."


def morris_sentence(outcome: str, table: pd.DataFrame, spec: dict | None = None) -> str:
    """The Morris ranking of ``outcome`` as a sentence (top three by μ*)."""
    name = OUTCOME_NAMES.get(outcome, outcome)
    top = table.head(3)
    parts = [f"{_plain(spec, r.parameter)} (μ* {r.mu_star:.2g}, σ {r.sigma:.2g})" for r in top.itertuples()]
    return f"Morris screening: {name} moves most with {', '.join(parts)} (outcome units across each range)."


# ------------------------------------------------------------------------------------ driver
def run(spec: dict, out: Path, methods: tuple[str, ...] = ("morris", "sobol"), workers: int = 1) -> dict:
    """Sample, run and analyse; write tables, figures and ``sensitivity.json``; return its content."""
    out = Path(out)
    problem = problem_of(spec)
    seed = int(spec.get("root_seed", 0))
    outcomes = list(spec.get("outcomes", ["t50_years"]))
    config = load_config(spec.get("scenario", "rumble_strips"), list(spec.get("fixed", [])))
    horizon = config.horizon_weeks
    result: dict = {
        "scenario": config.scenario,
        "parameters": spec["parameters"],
        "sentences": [],
        "figures": [],
    }
    settings = spec.get("methods", {})
    if "morris" in methods:
        m = settings.get("morris", {})
        levels = int(m.get("levels", 4))
        X = morris_design(problem, int(m.get("trajectories", 10)), levels, seed)
        runs = _evaluate(spec, problem, X, out / "morris", workers, {"method": "morris", **m})
        values = {o: outcome_values(runs, o, horizon) for o in outcomes}
        result["sentences"] += [constant_sentence(o, "Morris") for o in outcomes if np.ptp(values[o]) == 0]
        tables = {o: morris_indices(problem, X, y, levels, seed) for o, y in values.items() if np.ptp(y) > 0}
        if tables:
            pd.concat([t.assign(outcome=o) for o, t in tables.items()]).to_csv(
                out / "morris.csv", index=False
            )
            plot_morris(tables, out / "morris.png")
            result["figures"].append("morris.png")
        result["sentences"] += [morris_sentence(o, t, spec) for o, t in tables.items()]
        result["morris"] = {o: t.to_dict("records") for o, t in tables.items()}
    if "sobol" in methods:
        s = settings.get("sobol", {})
        second = bool(s.get("calc_second_order", False))
        X = sobol_design(problem, int(s.get("base_samples", 64)), second, seed)
        runs = _evaluate(spec, problem, X, out / "sobol", workers, {"method": "sobol", **s})
        values = {o: outcome_values(runs, o, horizon) for o in outcomes}
        result["sentences"] += [constant_sentence(o, "Sobol") for o in outcomes if np.ptp(values[o]) == 0]
        tables = {o: sobol_indices(problem, y, second, seed) for o, y in values.items() if np.ptp(y) > 0}
        if tables:
            pd.concat([t.assign(outcome=o) for o, t in tables.items()]).to_csv(out / "sobol.csv", index=False)
            plot_sobol(tables, out / "sobol.png")
            result["figures"].append("sobol.png")
        result["sentences"] += [sobol_sentence(o, t, spec) for o, t in tables.items()]
        result["sobol"] = {o: t.to_dict("records") for o, t in tables.items()}
    result["sentences"].append(
        f"Scenario {config.scenario}, horizon {horizon / 52:.0f} years; runs where the outcome was never "
        "reached count at the horizon. Ranges of the parameters and why are in experiments/sensitivity.yaml."
    )
    (out / "sensitivity.json").write_text(json.dumps(result, indent=2, default=float))
    return result


def describe(spec: dict, out: Path) -> dict:
    """Rewrite ``sensitivity.json``'s sentences from ``morris.csv``/``sobol.csv`` without rerunning
    the model (after changing how results are worded, or the ``why`` of a parameter)."""
    out = Path(out)
    try:
        result = json.loads((out / "sensitivity.json").read_text())
    except FileNotFoundError:
        raise SensitivityError(
            f"{out / 'sensitivity.json'}: missing; --describe rewords an analysis already run (run it first)"
        ) from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise SensitivityError(f"{out / 'sensitivity.json'}: cannot be read ({type(exc).__name__})") from None
    sentences = []
    for method, sentence in (("morris", morris_sentence), ("sobol", sobol_sentence)):
        path = out / f"{method}.csv"
        if path.is_file():
            frame = pd.read_csv(path)
            sentences += [
                sentence(o, t.drop(columns="outcome"), spec) for o, t in frame.groupby("outcome", sort=False)
            ]
    result["sentences"] = sentences + result["sentences"][-1:]
    (out / "sensitivity.json").write_text(json.dumps(result, indent=2, default=float))
    return result


def main(argv: list[str] | None = None) -> None:
    """``python -m copsim.analysis.sensitivity SPEC --out DIR [--method morris|sobol|both] [--workers N]``."""
    parser = argparse.ArgumentParser(prog="copsim-sensitivity", description=__doc__.splitlines()[0])
    parser.add_argument("spec", help="a sensitivity YAML, or the name of the packaged design: sensitivity")
    parser.add_argument("--out", default="results/sensitivity", help="output directory")
    parser.add_argument("--method", choices=("morris", "sobol", "both"), default="both")
    parser.add_argument("--workers", type=int, default=1, help="worker processes")
    parser.add_argument("--describe", action="store_true", help="only reword sensitivity.json from the CSVs")
    args = parser.parse_args(argv)
    logging.getLogger("MESA").setLevel(logging.WARNING)
    try:
        if args.workers < 1:
            raise SensitivityError(f"--workers: {args.workers} is out of range; allowed 1 or more")
        spec = read_spec(spec_path(args.spec, SensitivityError))
        methods = ("morris", "sobol") if args.method == "both" else (args.method,)
        if args.describe:
            result = describe(spec, Path(args.out))
        else:
            result = run(spec, Path(args.out), methods, args.workers)
    except (SensitivityError, ConfigError) as exc:
        print(f"copsim-sensitivity: error: {exc}", file=sys.stderr)
        sys.exit(2)
    except KeyboardInterrupt:
        print("copsim-sensitivity: interrupted; the runs done so far are not kept", file=sys.stderr)
        sys.exit(130)
    for sentence in result["sentences"]:
        print(sentence)
    print(f"copsim-sensitivity: wrote {Path(args.out) / 'sensitivity.json'}")


if __name__ == "__main__":
    main()
