"""Scenario discovery: under which ranges of the levers is a target reliably met? (PRIM)

"What does it take for half of the states to adopt within 4 years?" A Latin-hypercube sample over
the levers (coordinator FTE, sponsorship, mandate, support team, ...) and the uncertain
behavioural parameters (``experiments/lever_space.yaml``) is run, each run is classed as meeting
the target or not, and the Patient Rule Induction Method (Friedman & Fisher 1999, as implemented
in the EMA workbench, ``pip install "copsim[discovery]"``) peels the sample space down to boxes
where most runs meet it.

For a box: **density** is the share of runs inside it that meet the target (how reliably the
box delivers); **coverage** the share of all runs meeting the target that lie inside it (how
much of the success it explains); **mass** the share of all runs inside it. The box chosen on
PRIM's peeling trajectory is the one with the largest coverage among those whose density is at
least ``threshold`` (0.8 by default).
"""

from __future__ import annotations

import json
import math
import operator
import re
import warnings
from datetime import UTC, datetime
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from ..model.config import ConfigError
from .sample_runs import write_sample
from .spec_file import read_yaml_mapping
from .sweep import CENSORED_OUTCOMES, LEVER_PREFIXES, Sweep, pct, unit_noun

OPERATORS = {"<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge}
TARGET = re.compile(r"^\s*([A-Za-z_][\w.]*)\s*(<=|>=|<|>)\s*([-+]?\d*\.?\d+(?:[eE][-+]?\d+)?)\s*$")

#: how each lever reads in a sentence; ``{}`` is replaced by "at least 0.4", "between ..."
LEVER_PHRASES = {
    "coordinator.fte": "a coordinator of {} FTE",
    "coordinator.team_size": "{} coordinators",
    "sponsor.level": "sponsorship of {}",
    "sponsor.legitimacy": "sponsor legitimacy of {}",
    "support_team.staff": "a support team of {} FTE",
    "support_team.communities_served": "a support team serving {} communities",
    "adoption.q": "an imitation coefficient q of {}",
    "adoption.p": "an innovation coefficient p of {}",
}
BOOLEAN_PHRASES = {
    "sponsor.mandate": ("voluntary participation", "mandated participation"),
    "sponsor.board": ("no sponsor board", "a sponsor board"),
    "support_team.enabled": ("no support team", "a support team"),
}


class DiscoveryError(ValueError):
    """Scenario discovery cannot proceed; the message says why (target, spec, missing extra)."""


# ------------------------------------------------------------------------------------ spec
def read_spec(path: Path) -> dict:
    """Read a lever-space spec and check every range against the model's parameter schema."""
    spec = read_yaml_mapping(path, DiscoveryError, ("levers", "uncertain"))
    scenario, fixed = spec.get("scenario", "rumble_strips"), list(spec.get("fixed") or [])
    try:
        _ema().check_dimensions(scenario, fixed, dimensions(spec))
    except ConfigError as exc:
        raise DiscoveryError(f"{path}: {exc}") from None
    return spec


def dimensions(spec: dict) -> dict[str, dict]:
    """Levers and uncertain parameters together, in order (levers first)."""
    return {**(spec.get("levers") or {}), **(spec.get("uncertain") or {})}


def run_lever_space(spec: dict, out: Path, samples: int | None = None, workers: int = 1) -> pd.DataFrame:
    """Run the spec's Latin hypercube through the EMA workbench and write it as a sweep-like
    directory (``runs.parquet``, ``manifest.json``; see :mod:`.sample_runs`).

    The models are :func:`copsim.ema.replicate_models` (one per replicate, so every run is kept);
    the design is EMA's ``LHSSampler`` over the levers and over the uncertainties, seeded from
    ``root_seed`` (:func:`copsim.ema.lhs_design`), run by ``perform_experiments`` in this process
    or in ``workers`` processes. The same spec and seed give the same ``runs.parquet`` with any
    number of workers. Nothing is written unless every run finished.
    """
    ema = _ema()
    n = int(samples or spec.get("samples", 200))
    seed = int(spec.get("root_seed", 0))
    models = ema.replicate_models(**ema.spec_options(spec))
    started = datetime.now(UTC).isoformat()
    try:
        experiments, outcomes = ema.run_lhs(models, n, seed, workers)
    except ema.RunFailed as exc:  # EMA has logged the traceback
        raise DiscoveryError(f"a model run failed ({exc}); nothing written") from exc
    runs = ema.runs_frame(models, experiments, outcomes)
    manifest = {
        "scenario": spec.get("scenario", "rumble_strips"),
        "root_seed": seed,
        "replicates": int(spec.get("replicates", 1)),
        "fixed_overrides": list(spec.get("fixed") or []),
        "design": {
            "method": "latin hypercube",
            "sampler": "EMA workbench LHSSampler: levers and uncertainties sampled apart, paired point "
            "by point (combine='sample')",
            "samples": n,
            "dimensions": dimensions(spec),
            "levers": list(spec.get("levers") or {}),
            "workers": workers,
        },
        "samples": n,
        "start": started,
    }
    write_sample(out, runs, manifest)
    return runs


def _ema():
    """:mod:`copsim.ema`, or DiscoveryError naming the extra to install."""
    try:
        from .. import ema
    except ModuleNotFoundError as exc:
        raise DiscoveryError(str(exc)) from None
    return ema


# ------------------------------------------------------------------------------------ target
def parse_target(text: str) -> tuple[str, str, float]:
    """``"t50_years < 4"`` -> ``("t50_years", "<", 4.0)``; raises DiscoveryError otherwise."""
    match = TARGET.match(text or "")
    if not match:
        raise DiscoveryError(
            f'--target: {text!r} is not understood; write e.g. "t50_years < 4" (<, <=, >, >=)'
        )
    return match.group(1), match.group(2), float(match.group(3))


def target_met(runs: pd.DataFrame, target: str) -> np.ndarray:
    """Whether each run meets ``target``. A censored outcome (never reached) counts as infinitely
    late, so it fails "t50_years < 4" and meets "t50_years > 4"."""
    column, op, threshold = parse_target(target)
    if column not in runs:
        choices = ", ".join(
            c for c in runs.columns if "." not in c and pd.api.types.is_numeric_dtype(runs[c])
        )
        raise DiscoveryError(f"--target: {column!r} is not an outcome of this sweep; choose from {choices}")
    values = runs[column].to_numpy(float).copy()
    if column in CENSORED_OUTCOMES:
        values[np.isnan(values)] = np.inf
    with np.errstate(invalid="ignore"):
        return OPERATORS[op](values, threshold) & ~np.isnan(values)


def target_phrase(target: str, scenario: str) -> str:
    """The target in words: "half of the states adopt within 4 years"."""
    column, op, v = parse_target(target)
    units = unit_noun(scenario)
    below = op in ("<", "<=")
    if column == "t50_years":
        return (
            f"half of the {units} adopt within {v:g} years"
            if below
            else f"half of the {units} take over {v:g} years"
        )
    if column == "t90_years" and below:
        return f"90 % of the {units} adopt within {v:g} years"
    if column == "time_to_talent_weeks" and below:
        return f"new hires reach competence within {v:g} weeks"
    if column == "final_adoption_share" and not below:
        return f"more than {pct(v)} of the {units} adopt within the horizon"
    return f"{column} {op} {v:g}"


# ------------------------------------------------------------------------------------ PRIM
def _prim():
    _ema()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from ema_workbench.analysis import prim
    return prim


def discover(
    sweep: Sweep,
    target: str,
    threshold: float = 0.8,
    inputs: list[str] | None = None,
    max_boxes: int = 2,
) -> dict:
    """Find up to ``max_boxes`` PRIM boxes where ``target`` is met with density >= ``threshold``.

    Args:
        sweep: a sweep (typically an LHS sample) whose ``runs`` hold the inputs and the outcome.
        target: e.g. ``"t50_years < 4"``.
        threshold: the least density (share of runs in the box meeting the target) accepted.
        inputs: columns PRIM may restrict (default: every sampled dotted key that varies).
        max_boxes: boxes to look for one after another (each on the runs the previous left).

    Returns a dict with ``target``, ``runs``, ``share_met``, ``boxes`` (``limits`` of restricted
    inputs, ``coverage``, ``density``, ``mass``, ``n``), ``trajectory`` (the first box's peeling
    trajectory) and ``sentences``.
    """
    runs = sweep.runs
    y = target_met(runs, target)
    inputs = inputs or [k for k in sweep.swept if k != "community.enabled" and runs[k].nunique() > 1]
    missing = [k for k in inputs if k not in runs]
    if missing:
        raise DiscoveryError(f"--inputs: {', '.join(missing)} not in {sweep.path / 'runs.parquet'}")
    if not inputs:
        raise DiscoveryError(
            f"{sweep.path / 'runs.parquet'}: no varying inputs to restrict (is it an LHS sample?)"
        )
    x = runs[inputs].astype(float).reset_index(drop=True)
    scenario = sweep.scenarios[0]
    result: dict = {"target": target, "runs": len(y), "met": int(y.sum()), "share_met": float(y.mean()),
                    "threshold": threshold, "inputs": inputs, "boxes": [], "trajectory": []}  # fmt: skip
    phrase = target_phrase(target, scenario)
    sentences = [f"Across all {len(y)} sampled runs, {pct(y.mean())} meet the target ({phrase})."]
    if y.sum() == 0 or y.all():
        sentences.append(
            "PRIM needs runs that meet the target and runs that do not; this sample has only one kind."
        )
        result["sentences"] = sentences
        return result
    prim = _prim()
    available = np.ones(len(y), bool)
    levers = (sweep.manifest.get("design") or {}).get("levers")
    result["levers"] = levers or [k for k in inputs if k.startswith(LEVER_PREFIXES)]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        finder = prim.Prim(x, y.astype(int), peel_alpha=0.05, paste_alpha=0.05, mass_min=0.05)
        for b in range(max_boxes):
            box = finder.find_box()
            if box is None:
                break
            traj = box.peeling_trajectory
            ok = traj[traj["density"] >= threshold]
            if ok.empty:
                break
            i = int(ok.sort_values(["coverage", "density"], ascending=False).index[0])
            box.select(i)
            if b == 0:
                result["trajectory"] = traj[["coverage", "density", "mass", "res_dim"]].to_dict("records")
                result["chosen"] = i
            limits = box.box_lims[i]
            full = finder.box_init
            restricted = {
                k: [float(limits.loc[0, k]), float(limits.loc[1, k])]
                for k in inputs
                if limits.loc[0, k] > full.loc[0, k] or limits.loc[1, k] < full.loc[1, k]
            }
            restricted = prune(x, y, restricted, available, threshold)
            inside, stats = box_stats(x, y, restricted, available, total=int(y.sum()))
            available &= ~inside  # the next box is sought among the runs this one leaves
            ranges = {k: [float(full.loc[0, k]), float(full.loc[1, k])] for k in restricted}
            entry = {"limits": restricted, "ranges": ranges, **stats}
            result["boxes"].append(entry)
            sentences.append(box_sentence(entry, phrase, result["levers"]))
    if not result["boxes"]:
        sentences.append(
            f"No box reaches a density of {pct(threshold)}: no combination of the sampled ranges meets "
            "the target reliably; lower --threshold or widen the ranges."
        )
    result["sentences"] = sentences
    return result


def box_stats(
    x: pd.DataFrame, y: np.ndarray, limits: dict, available: np.ndarray, total: int
) -> tuple[np.ndarray, dict]:
    """Runs inside a box (among ``available``) and its density, coverage (of all ``total``
    successes), mass (share of all runs) and size ``n``."""
    inside = available.copy()
    for key, (lo, hi) in limits.items():
        values = x[key].to_numpy(float)
        inside &= (values >= lo) & (values <= hi)
    n = int(inside.sum())
    stats = {
        "density": float(y[inside].mean()) if n else 0.0,
        "coverage": float(y[inside].sum() / total) if total else 0.0,
        "mass": n / len(y),
        "n": n,
    }
    return inside, stats


def prune(x: pd.DataFrame, y: np.ndarray, limits: dict, available: np.ndarray, threshold: float,
          tolerance: float = 0.02) -> dict:  # fmt: skip
    """Drop restrictions that do not earn their place: repeatedly remove the one whose removal
    costs least density, while the density stays at least ``threshold`` and falls by less than
    ``tolerance``. PRIM's peeling often trims a little off inputs that do not matter; the
    pruned box says the same with fewer conditions (Bryant & Lempert 2010 on interpretability)."""
    limits = dict(limits)
    total = int(y.sum())
    while limits:
        base = box_stats(x, y, limits, available, total)[1]["density"]
        trials = {
            k: box_stats(x, y, {j: v for j, v in limits.items() if j != k}, available, total)[1]
            for k in limits
        }
        key = max(trials, key=lambda k: trials[k]["density"])
        if trials[key]["density"] < threshold or base - trials[key]["density"] >= tolerance:
            break
        del limits[key]
    return limits


def bound_phrase(lo: float, hi: float, full_lo: float, full_hi: float) -> str:
    """ "at least 0.4", "at most 0.7" or "between 0.4 and 0.7" for a restricted range."""
    if lo > full_lo and hi < full_hi:
        return f"between {lo:.2g} and {hi:.2g}"
    return f"at least {lo:.2g}" if lo > full_lo else f"at most {hi:.2g}"


def condition_phrase(key: str, lo: float, hi: float, full_lo: float, full_hi: float) -> str:
    """A restricted input in words ("a coordinator of at least 0.4 FTE", "voluntary participation")."""
    if key in BOOLEAN_PHRASES and full_lo == 0 and full_hi == 1:
        off, on = BOOLEAN_PHRASES[key]
        return on if lo > 0 else off
    bound = bound_phrase(lo, hi, full_lo, full_hi)
    return LEVER_PHRASES.get(key, key + " {}").format(bound)


def _join(parts: list[str]) -> str:
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


def box_sentence(box: dict, phrase: str, levers: list[str] | None = None) -> str:
    """One box as a sentence: "In 87 % of runs with a coordinator of at least 0.4 FTE and
    sponsorship of at least 0.5, half of the states adopt within 4 years", with restrictions on
    uncertain parameters (not levers) named as the worlds where this holds."""
    levers = levers or []
    chosen = [condition_phrase(k, *box["limits"][k], *box["ranges"][k]) for k in box["limits"] if k in levers]
    world = [
        condition_phrase(k, *box["limits"][k], *box["ranges"][k]) for k in box["limits"] if k not in levers
    ]
    where = f"runs with {_join(chosen)}" if chosen else "all sampled lever settings"
    if world:
        where += f", in worlds with {_join(world)}"
    return (
        f"In {pct(box['density'])} of {where}, {phrase} (density); this box holds {pct(box['coverage'])} of "
        f"all runs that meet the target (coverage) and {pct(box['mass'])} of all runs."
    )


# ------------------------------------------------------------------------------------ output
def plot_discovery(sweep: Sweep, result: dict, path: Path) -> Path:
    """Left: PRIM's peeling trajectory (coverage vs density), the chosen box ringed. Right: the
    runs over the first box's two restricted inputs (or the first two inputs), target met or not,
    with the box drawn."""
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(11, 4.6))
    traj = pd.DataFrame(result["trajectory"])
    if len(traj):
        sc = ax1.scatter(traj["coverage"], traj["density"], c=traj["res_dim"], cmap="viridis", s=18)
        fig.colorbar(sc, ax=ax1, label="restricted inputs")
        chosen = traj.iloc[result["chosen"]]
        ax1.scatter([chosen["coverage"]], [chosen["density"]], s=140, facecolors="none", edgecolors="red",
                    label="chosen box")  # fmt: skip
        ax1.axhline(result["threshold"], color="grey", linestyle=":", label="density threshold")
        ax1.legend(fontsize=7, frameon=False)
    ax1.set(xlabel="coverage (share of successes inside)", ylabel="density (share inside that succeed)",
            title="PRIM peeling trajectory", xlim=(0, 1.02), ylim=(0, 1.02))  # fmt: skip
    box = result["boxes"][0] if result["boxes"] else {"limits": {}}
    axes_keys = (list(box["limits"]) + [k for k in result["inputs"] if k not in box["limits"]])[:2]
    y = target_met(sweep.runs, result["target"])
    if len(axes_keys) == 2:
        kx, ky = axes_keys
        xs, ys = sweep.runs[kx].astype(float), sweep.runs[ky].astype(float)
        ax2.scatter(xs[~y], ys[~y], s=12, color="#bbbbbb", label="target not met")
        ax2.scatter(xs[y], ys[y], s=12, color="#1b6ca8", label="target met")
        lims = box["limits"]
        x0, x1 = lims.get(kx, [xs.min(), xs.max()])
        y0, y1 = lims.get(ky, [ys.min(), ys.max()])
        ax2.add_patch(plt.Rectangle((x0, y0), x1 - x0, y1 - y0, fill=False, edgecolor="red", linewidth=1.5))
        ax2.set(xlabel=kx, ylabel=ky, title=f"runs and the box: {result['target']}")
        ax2.legend(fontsize=7, frameon=False, loc="best")
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path)
    fig.savefig(path.with_suffix(".svg"))
    plt.close(fig)
    return path


def write_result(result: dict, outdir: Path, sweep: Sweep | None = None) -> Path:
    """Write ``discovery.json`` (and ``boxes.csv``, plus the figure when ``sweep`` is given)."""
    outdir.mkdir(parents=True, exist_ok=True)
    if sweep is not None and result["trajectory"]:
        plot_discovery(sweep, result, outdir / "discovery.png")
        result = {**result, "figures": ["discovery.png"]}
    rows = [
        {
            "box": i + 1,
            "input": k,
            "low": v[0],
            "high": v[1],
            "coverage": b["coverage"],
            "density": b["density"],
        }
        for i, b in enumerate(result["boxes"])
        for k, v in b["limits"].items()
    ]
    pd.DataFrame(rows, columns=["box", "input", "low", "high", "coverage", "density"]).to_csv(
        outdir / "boxes.csv", index=False
    )
    path = outdir / "discovery.json"
    path.write_text(json.dumps(result, indent=2, default=_json))
    return path


def _json(value):
    if isinstance(value, (np.generic,)):
        return value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    raise TypeError(type(value).__name__)
