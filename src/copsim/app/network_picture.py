"""A small picture of one run's community network: organizations coloured, cross-boundary ties visible.

One extra run of :class:`copsim.model.CopModel` (replicate 0's seed, so it is one of the
ensemble's runs) is stepped to the horizon; the picture then shows the members of the few
organizations with the most members (at most :data:`MAX_ORGS` x :data:`PER_ORG` people), each
organization as a cluster on a circle, ties inside an organization in grey and ties across
organizations in red. The full network is too large to read; the caption gives its totals.
"""

from __future__ import annotations

import dataclasses
import logging
from dataclasses import dataclass

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.collections import LineCollection
from matplotlib.figure import Figure

from ..config import CopConfig
from ..model import CopModel

MAX_ORGS = 8
PER_ORG = 12


@dataclass
class NetworkSnapshot:
    """Positions and ties of the drawn people, plus totals for the whole network."""

    x: np.ndarray
    y: np.ndarray
    colour_index: np.ndarray  # 0..MAX_ORGS-1, which drawn organization
    within: np.ndarray  # (k, 2) indices into x/y
    cross: np.ndarray  # (m, 2)
    cross_trust: np.ndarray  # (m,)
    org_labels: list[str]
    members: int
    cross_ties_total: int
    weeks: int


def snapshot_network(config: CopConfig, seed: int) -> NetworkSnapshot:
    """Run the model once from ``seed`` and lay out a readable part of its network."""
    logging.getLogger("MESA").setLevel(logging.WARNING)
    model = CopModel(dataclasses.replace(config, seed=seed))
    for _ in range(config.horizon_weeks):
        model.step()
    org = model.world.practitioner_org
    member = model.people.membership > 0
    n_orgs = model.world.n_organizations
    members_per_org = np.bincount(org[member], minlength=n_orgs)
    size = np.bincount(org, minlength=n_orgs)
    # most members first; ties broken by size, then id (deterministic)
    order = np.lexsort((np.arange(n_orgs), -size, -members_per_org))
    chosen_orgs = order[: min(MAX_ORGS, n_orgs)]
    rng = np.random.default_rng(seed)
    people: list[np.ndarray] = []
    for o in chosen_orgs:
        pool = np.flatnonzero((org == o) & member)
        if pool.size == 0:
            pool = np.flatnonzero(org == o)
        people.append(np.sort(rng.permutation(pool)[:PER_ORG]))
    drawn = np.concatenate(people)
    slot = np.full(org.size, -1, np.int64)
    slot[drawn] = np.arange(drawn.size)
    colour = np.concatenate([np.full(p.size, i) for i, p in enumerate(people)])

    # organizations on a circle, their people on a small circle around the centre
    k = len(people)
    angle = 2 * np.pi * np.arange(k) / max(k, 1)
    x = np.empty(drawn.size)
    y = np.empty(drawn.size)
    start = 0
    for i, p in enumerate(people):
        inner = 2 * np.pi * np.arange(p.size) / max(p.size, 1)
        x[start : start + p.size] = np.cos(angle[i]) + 0.22 * np.cos(inner)
        y[start : start + p.size] = np.sin(angle[i]) + 0.22 * np.sin(inner)
        start += p.size

    ties = model.ties
    a, b = ties.view("a"), ties.view("b")
    cross_flag, trust = ties.crossing(), ties.view("trust")
    keep = (slot[a] >= 0) & (slot[b] >= 0)
    pairs = np.column_stack([slot[a[keep]], slot[b[keep]]])
    is_cross = cross_flag[keep]
    type_names = model.world.type_names
    labels = [type_names[int(model.world.org_type[o])].replace("_", " ") for o in chosen_orgs]
    snapshot = NetworkSnapshot(
        x=x,
        y=y,
        colour_index=colour,
        within=pairs[~is_cross],
        cross=pairs[is_cross],
        cross_trust=trust[keep][is_cross],
        org_labels=labels,
        members=int(member.sum()),
        cross_ties_total=int(cross_flag.sum()),
        weeks=config.horizon_weeks,
    )
    model.remove_all_agents()
    return snapshot


def draw_network(snap: NetworkSnapshot) -> Figure:
    """The snapshot as a small matplotlib figure (about 5 x 4 inches)."""
    fig, ax = plt.subplots(figsize=(5, 4), dpi=110)
    cmap = plt.get_cmap("tab10")
    if len(snap.within):
        segs = np.stack(
            [np.column_stack([snap.x[snap.within[:, i]], snap.y[snap.within[:, i]]]) for i in (0, 1)], 1
        )
        ax.add_collection(LineCollection(segs, colors="#bbbbbb", linewidths=0.5, zorder=1))
    if len(snap.cross):
        segs = np.stack(
            [np.column_stack([snap.x[snap.cross[:, i]], snap.y[snap.cross[:, i]]]) for i in (0, 1)], 1
        )
        alpha = np.clip(0.3 + 0.7 * snap.cross_trust, 0.3, 1.0)
        colours = np.zeros((len(segs), 4))
        colours[:] = matplotlib.colors.to_rgba("#c0392b")
        colours[:, 3] = alpha
        ax.add_collection(LineCollection(segs, colors=colours, linewidths=1.0, zorder=2))
    ax.scatter(
        snap.x,
        snap.y,
        c=[cmap(i % 10) for i in snap.colour_index],
        s=22,
        edgecolors="white",
        linewidths=0.5,
        zorder=3,
    )
    ax.set_xlim(-1.4, 1.4)
    ax.set_ylim(-1.35, 1.35)
    ax.set_aspect("equal")
    ax.axis("off")
    ax.plot([], [], color="#c0392b", label="tie across organizations")
    ax.plot([], [], color="#bbbbbb", label="tie inside one organization")
    ax.legend(loc="lower center", bbox_to_anchor=(0.5, -0.08), ncol=2, frameon=False, fontsize=8)
    fig.tight_layout()
    return fig
