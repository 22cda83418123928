"""Pictures of the practitioners' network: organizations as clusters, ties across them visible.

One picture function serves the report (:func:`plot_network`: week 0 beside the end of a small
run) and the dashboard (:mod:`copsim.app.network_picture`: a readable part of a full run). Both
get the network from :func:`copsim.simulate` (``network=True``). Practitioners are dots coloured
by organization, each organization a small circle on a large one; ties inside an organization
are faint grey, ties across organizational boundaries red, darker with more trust.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes
from matplotlib.collections import LineCollection

from ..api import Network, simulate
from ..model.config import CopConfig, load_config
from .sweep import Sweep

#: the whole-network picture stays legible up to about this many practitioners
MAX_PRACTITIONERS = 200
CROSS_COLOUR = "#c0392b"
WITHIN_COLOUR = "#bbbbbb"


@dataclass
class NetworkView:
    """The drawn part of a network: positions, colours and ties of the drawn practitioners,
    and totals of the whole network for the caption."""

    x: np.ndarray
    y: np.ndarray
    colour_index: np.ndarray  # which drawn organization, 0..
    member: np.ndarray  # bool
    within: np.ndarray  # (k, 2) indexes into x / y
    cross: np.ndarray  # (m, 2)
    cross_trust: np.ndarray  # (m,)
    org_labels: list[str]
    members: int
    cross_ties_total: int
    week: int


def readable_part(
    network: Network, max_orgs: int | None = None, per_org: int | None = None, seed: int = 0
) -> NetworkView:
    """Lay out the network, or at most ``per_org`` practitioners (members first) of the
    ``max_orgs`` organizations with the most members; ``seed`` picks who is drawn."""
    org, member = network.org, network.membership > 0
    n_orgs = int(org.max()) + 1
    members_per_org = np.bincount(org[member], minlength=n_orgs)
    size = np.bincount(org, minlength=n_orgs)
    order = np.lexsort((np.arange(n_orgs), -size, -members_per_org))  # most members first
    chosen = order if max_orgs is None else order[:max_orgs]
    if max_orgs is None:
        chosen = np.sort(chosen)
    rng = np.random.default_rng(seed)
    people = []
    for o in chosen:
        pool = np.flatnonzero((org == o) & member) if per_org is not None else np.flatnonzero(org == o)
        if pool.size == 0:
            pool = np.flatnonzero(org == o)
        people.append(np.sort(rng.permutation(pool)[:per_org]) if per_org is not None else pool)
    drawn = np.concatenate(people)
    slot = np.full(org.size, -1, np.int64)
    slot[drawn] = np.arange(drawn.size)
    # organizations on a circle, their people on a small circle around each
    k = len(people)
    angle = 2 * np.pi * np.arange(k) / max(k, 1)
    radius = min(0.22, 0.9 * np.sin(np.pi / max(k, 3)))
    x, y = np.empty(drawn.size), np.empty(drawn.size)
    start = 0
    for c, group in enumerate(people):
        inner = 2 * np.pi * np.arange(group.size) / max(group.size, 1)
        ring = radius * np.sqrt((np.arange(group.size) % 3 + 1) / 3)
        x[start : start + group.size] = np.cos(angle[c]) + ring * np.cos(inner)
        y[start : start + group.size] = np.sin(angle[c]) + ring * np.sin(inner)
        start += group.size
    a, b, crossing = network.tie_a, network.tie_b, network.crossing
    keep = (slot[a] >= 0) & (slot[b] >= 0)
    pairs = np.column_stack([slot[a[keep]], slot[b[keep]]])
    is_cross = crossing[keep]
    labels = [network.type_names[int(network.org_type[o])].replace("_", " ") for o in chosen]
    return NetworkView(
        x=x,
        y=y,
        colour_index=np.concatenate([np.full(g.size, c) for c, g in enumerate(people)]),
        member=member[drawn],
        within=pairs[~is_cross],
        cross=pairs[is_cross],
        cross_trust=network.tie_trust[keep][is_cross],
        org_labels=labels,
        members=int(member.sum()),
        cross_ties_total=int(crossing.sum()),
        week=network.week,
    )


def draw_network(view: NetworkView, ax: Axes, title: str | None = None) -> None:
    """Draw ``view`` on ``ax``: grey ties inside organizations, red ties across them (opacity
    rising with trust), practitioners coloured by organization, members larger and ringed."""

    def segments(pairs: np.ndarray) -> np.ndarray:
        return np.stack([np.column_stack([view.x[pairs[:, i]], view.y[pairs[:, i]]]) for i in (0, 1)], 1)

    if len(view.within):
        ax.add_collection(
            LineCollection(segments(view.within), colors=WITHIN_COLOUR, linewidths=0.4, zorder=1)
        )
    if len(view.cross):
        colours = np.tile(matplotlib.colors.to_rgba(CROSS_COLOUR), (len(view.cross), 1))
        colours[:, 3] = np.clip(0.15 + 0.85 * view.cross_trust, 0.15, 1.0)
        ax.add_collection(LineCollection(segments(view.cross), colors=colours, linewidths=0.8, zorder=2))
    cmap = plt.get_cmap("tab20" if len(view.org_labels) > 10 else "tab10")
    ax.scatter(
        view.x,
        view.y,
        c=[cmap(i % cmap.N) for i in view.colour_index],
        s=np.where(view.member, 24, 10),
        edgecolors=np.where(view.member, "black", "none"),
        linewidths=0.5,
        zorder=3,
    )
    if title is not None:
        ax.set_title(title, fontsize=9)
    ax.set_xlim(-1.4, 1.4)
    ax.set_ylim(-1.35, 1.35)
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
    run = simulate(dataclasses.replace(config, horizon_weeks=weeks), network=True)
    start, end = (readable_part(n) for n in run.networks)
    end = dataclasses.replace(end, x=start.x, y=start.y)  # the same places in both panels
    fig, axes = plt.subplots(1, 2, figsize=(11, 5.6))
    state = "with the community" if config.community.enabled else "dissemination only"
    for ax, view, when in (
        (axes[0], start, "week 0: formal network"),
        (axes[1], end, f"after {weeks / 52:.0f} years {state}"),
    ):
        trust = f", mean trust {view.cross_trust.mean():.2f}" if len(view.cross) else ""
        draw_network(view, ax, f"{when}\n{view.cross_ties_total} cross-boundary ties{trust}")
    fig.suptitle(
        f"{config.scenario}: practitioners coloured by organization (members ringed); "
        "red lines cross organizational boundaries, darker = more trust",
        fontsize=9,
    )
    fig.tight_layout(rect=(0, 0, 1, 0.95))
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=80)  # thousands of translucent lines: a lower resolution keeps the PNG small
    fig.savefig(path.with_suffix(".svg"))
    plt.close(fig)
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
