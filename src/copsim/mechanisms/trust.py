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
    # a tie used twice in a week is reinforced once, by its largest step: mark 1 for any use,
    # 2 for a reciprocated use (the larger of the only two possible steps)
    mark = np.zeros(trust.size, np.int8)
    mark[edges] = 1
    mark[edges[reciprocated]] = 2
    # each used tie once, found without scanning every tie: the last occurrence of an edge
    # id in ``edges`` owns it
    where = np.arange(edges.size)
    owner = np.empty(trust.size, np.int64)
    owner[edges] = where
    used = edges[owner[edges] == where]
    best = np.where(mark[used] == 2, gain, 0.5 * gain)
    trust[used] += best * (1.0 - trust[used])


def decay_idle(trust: np.ndarray, floor: np.ndarray, used: np.ndarray, decay: float) -> None:
    """Idle ties (``used`` False) decay toward their floor in place."""
    change = trust - floor
    change *= decay
    change[used] = 0.0  # used ties keep their trust exactly (t - 0 == t)
    trust -= change
