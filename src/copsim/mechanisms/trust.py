"""Trust on ties: built by reciprocated exchange, decaying toward a floor when idle.

A tie used this week in which both sides shared (reciprocity) gains ``gain * (1 - trust)``; a
one-sided exchange gains half that. A tie not used this week decays by ``decay * (trust -
floor)`` toward its floor: the trust it started with for formal ties, the baseline for
community ties. Trust stays in [0, 1].
"""

from __future__ import annotations

import numpy as np


def reinforce(trust: np.ndarray, edges: np.ndarray, reciprocated: np.ndarray, gain: float) -> None:
    """Raise trust on ``edges`` in place: full gain if reciprocated, half if one-sided."""
    if edges.size == 0:
        return
    step = np.where(reciprocated, gain, 0.5 * gain)
    # a tie used twice in a week is reinforced once, by its largest step
    best = np.zeros(trust.size)
    np.maximum.at(best, edges, step)
    used = np.flatnonzero(best)
    trust[used] += best[used] * (1.0 - trust[used])


def decay_idle(trust: np.ndarray, floor: np.ndarray, used: np.ndarray, decay: float) -> None:
    """Idle ties (``used`` False) decay toward their floor in place."""
    idle = ~used
    trust[idle] -= decay * (trust[idle] - floor[idle])
