"""What the page exports so an analyst can reproduce its numbers exactly.

* :func:`command_line`: the ``copsim-run`` command (same scenario, overrides, replicates and
  root seed; ``copsim-run`` also runs the paired dissemination-only baseline and writes
  ``summary.csv`` with one row per replicate and a ``condition`` column community/baseline);
* :func:`experiment_yaml`: the same choice as a Hydra experiment file;
* :func:`results_csv`: the page's results in the layout of ``copsim-run``'s ``summary.csv``.
"""

from __future__ import annotations

import dataclasses
import re
import shlex

from omegaconf import OmegaConf

from ..analysis.costs import CostRates
from .levers import Request
from .results import Comparison


def command_line(
    scenario: str,
    overrides: list[str],
    replicates: int,
    out: str | None = None,
    rates: CostRates | None = None,
) -> str:
    """``copsim-run scenario=NAME key=value ... replicates=N`` (shell-quoted, one line); with
    ``rates``, the ``costs.*`` options that price its runs as the page does."""
    args = ["copsim-run", f"scenario={scenario}", *overrides, f"replicates={int(replicates)}"]
    if rates is not None:
        args += cost_options(rates)
    if out is not None:
        args.append(f"out={out}")
    return shlex.join(args)


def cost_options(rates: CostRates) -> list[str]:
    """``costs.enabled=true`` and each rate that differs from its default, as run options."""
    default = CostRates()
    changed = [
        f"costs.{f.name}={getattr(rates, f.name):g}"
        for f in dataclasses.fields(CostRates)
        if getattr(rates, f.name) != getattr(default, f.name)
    ]
    return ["costs.enabled=true", *changed]


def experiment_yaml(scenario: str, overrides: list[str], replicates: int, title: str = "") -> str:
    """A Hydra experiment file for the same choice: the scenario, the changed keys, replicates.

    Saved as ``~/.config/copsim/experiments/NAME.yaml`` it runs as ``copsim-run +experiment=NAME -m``
    (saved elsewhere: ``copsim-run +experiment=path/to/NAME.yaml -m``; the
    experiment runner adds the baseline and writes ``runs.parquet``); the same
    settings also run directly with :func:`command_line`.
    """
    body = OmegaConf.from_dotlist([*overrides, f"replicates={int(replicates)}"])
    header = [
        "# @package _global_",
        f"# What-if from the copsim dashboard{': ' + title if title else ''}.",
        "# Save as ~/.config/copsim/experiments/NAME.yaml and run `copsim-run +experiment=NAME -m`",
        "# (or +experiment=path/to/NAME.yaml), or run the same",
        f"# settings directly: {command_line(scenario, overrides, replicates)}",
        "defaults:",
        f"  - override /scenario: {scenario}",
    ]
    return "\n".join(header) + "\n" + OmegaConf.to_yaml(body)


def results_csv(comparison: Comparison) -> str:
    """Per-replicate results of both conditions as CSV text: the settings, then ``copsim-run``'s
    summary.csv columns, with ``not reached`` for times not reached within the horizon."""
    return comparison.summary_table().to_csv(index=False)


#: short names of the levers in file names
FILE_NAMES = {
    "coordinator.fte": "fte",
    "coordinator.team_size": "team",
    "coordinator.technical_competence": "knowledge",
    "coordinator.interpersonal_competence": "skills",
    "sponsor.level": "sponsor",
    "sponsor.mandate": "mandate",
    "sponsor.board": "board",
    "sponsor.departure_week": "leaves-week",
    "support_team.enabled": "support",
    "demography.wave": "wave",
}


def file_stem(request: Request) -> str:
    """A download's file name (without extension) naming the case and the settings.

    ``whatif-safecities-fte0.5-board-true-10runs``: each changed lever by a short name and its
    value, so two downloads of different settings never share a name.
    """
    parts = ["whatif", request.scenario]
    for item in request.overrides:
        key, _, value = item.partition("=")
        name = FILE_NAMES.get(key, key)
        parts.append(f"{name}-{value}" if value in ("true", "false") else f"{name}{value}")
    parts.append(f"{request.replicates}runs")
    return re.sub(r"[^A-Za-z0-9._-]+", "_", "-".join(parts))
