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


@kernel
def update(trust, floor, edge, shares, gain, decay):  # pragma: no cover - compiled
    """One week of trust on every tie, in place.

    Args:
        trust, floor: per tie (the live ties only).
        edge: per meeting this week, the tie it used (-1: strangers, no tie yet).
        shares: per meeting, row 0 whether one side shared, row 1 whether the other did.
        gain: trust step of a reciprocated exchange, as a share of the distance to 1.
        decay: weekly share of the distance to the floor an idle tie loses.
    """
    state = np.zeros(trust.size, np.int8)  # the best use of each tie this week
    before = np.empty(edge.size)  # its trust before the week, per meeting
    for k in range(edge.size):
        if edge[k] < 0:
            continue
        if shares[0, k] and shares[1, k]:
            use = RECIPROCATED
        elif shares[0, k] or shares[1, k]:
            use = SHARED
        else:
            use = MET
        state[edge[k]] = max(state[edge[k]], use)
        before[k] = trust[edge[k]]
    # every tie decays (one branch-free pass the compiler vectorizes), then the ties used this
    # week take their step from the trust they had (the first meeting of each does it)
    for e in range(trust.size):
        trust[e] -= (trust[e] - floor[e]) * decay
    half = 0.5 * gain
    for k in range(edge.size):
        e = edge[k]
        if e < 0 or state[e] == IDLE:  # (IDLE: a stranger's meeting, or the tie is done)
            continue
        if state[e] == MET:
            trust[e] = before[k]
        elif state[e] == SHARED:
            trust[e] = before[k] + half * (1.0 - before[k])
        else:
            trust[e] = before[k] + gain * (1.0 - before[k])
        state[e] = IDLE


@kernel
def first_impressions(i, j, edge, shares, stranger, gain):  # pragma: no cover - compiled
    """New ties from meetings of strangers in which someone shared.

    A new tie starts at stranger trust plus one step of the trust gain (half a step if only one
    side shared), as if from a tie that had stranger trust.

    Returns:
        ``(i, j, start_trust)`` of the new ties.
    """
    step = gain * (1.0 - stranger)
    new_i, new_j = np.empty(i.size, np.int64), np.empty(i.size, np.int64)
    start = np.empty(i.size)
    m = 0  # each meeting written at m, kept (m moves on) if strangers met and someone shared
    for k in range(i.size):
        new_i[m], new_j[m] = i[k], j[k]
        start[m] = stranger + step * (1.0 if shares[0, k] and shares[1, k] else 0.5)
        m += (edge[k] < 0) & (shares[0, k] | shares[1, k])
    return new_i[:m], new_j[:m], start[:m]


@kernel
def week(trust, floor, i, j, edge, shares, gain, decay, stranger):  # pragma: no cover - compiled
    """The week's trust: :func:`update` on the ties (in place), then the
    :func:`first_impressions` of strangers who exchanged (returned, for ``Ties.add``)."""
    update(trust, floor, edge, shares, gain, decay)
    return first_impressions(i, j, edge, shares, stranger, gain)
