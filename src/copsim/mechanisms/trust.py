"""Trust on ties: built by reciprocated exchange, decaying toward a floor when idle.

A tie used this week in which both sides shared (reciprocity) gains ``gain * (1 - trust)``; a
one-sided exchange gains half that. A meeting in which nobody shared leaves trust as it was, but
the tie was not idle. A tie not used this week decays by ``decay * (trust - floor)`` toward its
floor: the trust it started with for formal ties, the baseline for community ties. A tie used
several times in a week moves once, by its largest step. Trust stays in [0, 1].
"""

from __future__ import annotations

import numpy as np

from ..compiled import kernel

IDLE, MET, SHARED, RECIPROCATED = 0, 1, 2, 3


def update(
    trust: np.ndarray,
    floor: np.ndarray,
    met: np.ndarray,
    shared: np.ndarray,
    reciprocated: np.ndarray,
    gain: float,
    decay: float,
) -> None:
    """One week of trust on every tie, in place.

    Args:
        trust, floor: per tie (the live ties only).
        met: tie ids used this week, one entry per meeting (repeats allowed).
        shared: per meeting, whether at least one side shared.
        reciprocated: per meeting, whether both sides shared.
        gain: trust step of a reciprocated exchange, as a share of the distance to 1.
        decay: weekly share of the distance to the floor an idle tie loses.
    """
    _update(trust, floor, met, shared, reciprocated, gain, decay)


@kernel
def _update(trust, floor, met, shared, reciprocated, gain, decay):  # pragma: no cover - compiled
    state = np.zeros(trust.size, np.int8)  # the best use of each tie this week
    for k in range(met.size):
        use = RECIPROCATED if reciprocated[k] else (SHARED if shared[k] else MET)
        state[met[k]] = max(state[met[k]], use)
    half = 0.5 * gain
    for e in range(trust.size):
        if state[e] == IDLE:
            trust[e] -= (trust[e] - floor[e]) * decay
        elif state[e] == SHARED:
            trust[e] += half * (1.0 - trust[e])
        elif state[e] == RECIPROCATED:
            trust[e] += gain * (1.0 - trust[e])
