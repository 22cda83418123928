"""Trust on ties: built by reciprocated exchange, decaying toward a floor when idle.

A tie used this week in which both sides shared (reciprocity) gains ``gain * (1 - trust)``; a
one-sided exchange gains half that. A meeting in which nobody shared leaves trust as it was, but
the tie was not idle. A tie not used this week decays by ``decay * (trust - floor)`` toward its
floor: the trust it started with for formal ties, the baseline for community ties. A tie used
several times in a week moves once, by its largest step. Strangers who met and shared make a
new community tie, starting at stranger trust plus one step. Trust stays in [0, 1].

A community tie whose trust has decayed to within ``LAPSE_MARGIN`` of its floor lapses; lapsed
ties are dropped at the end of each quarter (``PRUNE_EVERY_WEEKS``).
"""

from __future__ import annotations

import numpy as np

#: community ties this close to their floor have lapsed (trust units; guess)
LAPSE_MARGIN = 0.02
#: lapsed ties are dropped every this many weeks (a quarter)
PRUNE_EVERY_WEEKS = 13

#: how a meeting used its tie, from least to most
MET, SHARED, RECIPROCATED = 1, 2, 3


def use_of_meetings(shares: np.ndarray) -> np.ndarray:
    """Per meeting: :data:`RECIPROCATED` if both shared, :data:`SHARED` if one did, else :data:`MET`."""
    return MET + shares[0].astype(np.int8) + shares[1]


def step_of_use(use: np.ndarray, gain: float) -> np.ndarray:
    """The trust step (share of the distance to 1) of a tie's best use this week."""
    return np.select([use == RECIPROCATED, use == SHARED], [gain, 0.5 * gain], 0.0)


def trust_after_week(
    trust: np.ndarray, floor: np.ndarray, tie: np.ndarray, use: np.ndarray, gain: float, decay: float
) -> np.ndarray:
    """Every tie's trust after the week.

    Args:
        trust, floor: per tie.
        tie, use: per meeting on a tie, the tie's position and how the meeting used it.
    """
    best = np.zeros(trust.size, np.int8)
    np.maximum.at(best, tie, use)
    used = best > 0
    new = trust - decay * (trust - floor)
    new[used] = trust[used] + step_of_use(best[used], gain) * (1.0 - trust[used])
    return new


def first_impression(use: np.ndarray, stranger: float, gain: float) -> np.ndarray:
    """Starting trust of a tie made by strangers who shared: one step up from stranger trust."""
    return stranger + step_of_use(use, gain) * (1.0 - stranger)
