"""A small picture of one run's community network for the dashboard.

The ensemble's middle run (:func:`copsim.app.runner.middle_replicate`) gives its network at the
horizon: the ensemble keeps each run's (``simulate_ensemble(..., network=True)``), or, for an
ensemble computed without them, one more run of that seed does (:func:`copsim.simulate` with
``network=True``); the picture shows the members of the few organizations with the most
members (at most :data:`MAX_ORGS` x :data:`PER_ORG` people), drawn by the one network picture
function, :func:`copsim.analysis.network_figure.draw_network`. The full network is too large to
read; the caption gives its totals.
"""

from __future__ import annotations

import dataclasses

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
from matplotlib.figure import Figure

from ..analysis import network_figure
from ..analysis.network_figure import NetworkView
from ..api import Network, simulate
from ..model.config import CopConfig

MAX_ORGS = 8
PER_ORG = 12

#: what the dashboard keeps of a run's network
NetworkSnapshot = NetworkView


def picture_of(network: Network, seed: int) -> NetworkSnapshot:
    """A readable part of the network of the run with ``seed`` (which also picks who is drawn)."""
    return network_figure.readable_part(network, MAX_ORGS, PER_ORG, seed)


def snapshot_network(config: CopConfig, seed: int) -> NetworkSnapshot:
    """Run the model once from ``seed`` and lay out a readable part of its final network (for
    an ensemble whose runs' networks were not kept)."""
    return picture_of(simulate(dataclasses.replace(config, seed=seed), network=True).networks[1], seed)


def draw_network(snap: NetworkSnapshot) -> Figure:
    """The snapshot as a small matplotlib figure (about 5 x 4 inches)."""
    fig, ax = plt.subplots(figsize=(5, 4), dpi=110)
    network_figure.draw_network(snap, ax)
    ax.plot([], [], color=network_figure.CROSS_COLOUR, label="tie across organizations")
    ax.plot([], [], color=network_figure.WITHIN_COLOUR, label="tie inside one organization")
    ax.legend(loc="lower center", bbox_to_anchor=(0.5, -0.08), ncol=2, frameon=False, fontsize=8)
    fig.tight_layout()
    return fig
