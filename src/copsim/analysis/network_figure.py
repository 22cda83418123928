"""A picture of the practitioners' network before and after a community of practice.

One run of a small scenario is built directly with :class:`copsim.model.CopModel`. Practitioners
are dots coloured by organization, placed in a small circle per organization around a large
circle; ties inside an organization are faint grey, ties across organizational boundaries are
dark lines whose opacity is their trust. Left: week 0 (the formal network only); right: after
the community has run ``weeks`` weeks.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.collections import LineCollection

from ..config import CopConfig, load_config
from ..model import CopModel
from .sweep import Sweep

#: the network picture stays legible up to about this many practitioners
MAX_PRACTITIONERS = 200


def _layout(org: np.ndarray, n_orgs: int) -> np.ndarray:
    """Positions: organization centres on a unit circle, members on a small circle around each."""
    angle = 2 * np.pi * np.arange(n_orgs) / n_orgs
    centres = np.column_stack([np.cos(angle), np.sin(angle)])
    pos = np.zeros((org.size, 2))
    radius = 0.9 * np.sin(np.pi / max(n_orgs, 3))
    for o in range(n_orgs):
        members = np.flatnonzero(org == o)
        if members.size == 0:
            continue
        theta = 2 * np.pi * np.arange(members.size) / members.size
        r = radius * np.sqrt((np.arange(members.size) % 3 + 1) / 3)
        pos[members] = centres[o] + np.column_stack([r * np.cos(theta), r * np.sin(theta)])
    return pos


def _draw(ax, model: CopModel, pos: np.ndarray, title: str) -> None:
    ties = model.ties
    a, b, trust, cross = ties.view("a"), ties.view("b"), ties.view("trust"), ties.crossing()
    inside = LineCollection(
        np.stack([pos[a[~cross]], pos[b[~cross]]], axis=1), colors="#cccccc", linewidths=0.3
    )
    ax.add_collection(inside)
    rgba = np.zeros((int(cross.sum()), 4))
    rgba[:, 3] = np.clip(1.2 * (trust[cross] - 0.1), 0.02, 0.9)  # faint at stranger trust, dark when trusted
    across = LineCollection(np.stack([pos[a[cross]], pos[b[cross]]], axis=1), colors=rgba, linewidths=0.4)
    ax.add_collection(across)
    org = model.people.org
    member = model.people.membership > 0
    cmap = plt.get_cmap("tab20")
    ax.scatter(pos[:, 0], pos[:, 1], c=cmap(org % 20), s=np.where(member, 22, 10),
               edgecolors=np.where(member, "black", "none"), linewidths=0.5, zorder=3)  # fmt: skip
    n_cross = int(cross.sum())
    trust_text = f", mean trust {trust[cross].mean():.2f}" if n_cross else ""
    ax.set_title(f"{title}\n{n_cross} cross-boundary ties{trust_text}", fontsize=9)
    ax.set_aspect("equal")
    ax.axis("off")


def small_config(scenario: str) -> CopConfig:
    """The scenario scaled down to at most :data:`MAX_PRACTITIONERS` practitioners."""
    config = load_config(scenario)
    world = config.world
    if world.n_practitioners > MAX_PRACTITIONERS:
        n_orgs = min(world.n_organizations, 16)
        config = load_config(
            scenario, [f"world.n_practitioners={MAX_PRACTITIONERS}", f"world.n_organizations={n_orgs}"]
        )
    return config


def plot_network(config: CopConfig, path: Path, weeks: int = 156) -> Path:
    """Draw one run's network at week 0 and after ``weeks`` weeks (PNG and SVG beside it)."""
    config = dataclasses.replace(config, horizon_weeks=max(config.horizon_weeks, weeks))
    model = CopModel(config)
    pos = _layout(model.people.org, model.world.n_organizations)
    fig, axes = plt.subplots(1, 2, figsize=(11, 5.6))
    _draw(axes[0], model, pos, "week 0: formal network")
    for _ in range(weeks):
        model.step()
    state = "with the community" if config.community.enabled else "dissemination only"
    _draw(axes[1], model, pos, f"after {weeks / 52:.0f} years {state}")
    fig.suptitle(
        f"{config.scenario}: practitioners coloured by organization (members ringed); "
        "dark lines cross organizational boundaries, darker = more trust",
        fontsize=9,
    )
    fig.tight_layout(rect=(0, 0, 1, 0.95))
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=80)  # thousands of translucent lines: a lower resolution keeps the PNG small
    fig.savefig(path.with_suffix(".svg"))
    plt.close(fig)
    model.remove_all_agents()
    return path


def plot_network_for_sweep(sweep: Sweep, outdir: Path) -> Path:
    """The network picture for the sweep's smallest scenario, with its default levers, seed of replicate 0."""
    scenarios = [s for s in sweep.scenarios if s != "bass"] or ["e_regulation"]
    configs = {}
    for s in scenarios:
        try:
            configs[s] = small_config(s)
        except Exception:  # a scenario name the model does not know (e.g. a renamed one)
            continue
    if not configs:
        configs = {"e_regulation": small_config("e_regulation")}
    scenario = min(configs, key=lambda s: configs[s].world.n_practitioners)
    config = configs[scenario]
    seed = sweep.runs.loc[sweep.runs["replicate"] == 0, "seed"]
    if len(seed):
        config = dataclasses.replace(config, seed=int(seed.iloc[0]))
    return plot_network(config, Path(outdir) / "network.png")
