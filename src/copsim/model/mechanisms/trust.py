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


def step_of_meetings(shares: np.ndarray, gain: float) -> np.ndarray:
    """Per meeting, the trust step (share of the distance to 1) its exchange earns: ``gain`` if
    both shared, half of it if one did, none if nobody did."""
    return 0.5 * gain * (shares[0].astype(float) + shares[1])


def trust_after_week(
    trust: np.ndarray, floor: np.ndarray, tie: np.ndarray, step: np.ndarray, decay: float
) -> np.ndarray:
    """Every tie's trust after the week.

    Args:
        trust, floor: per tie.
        tie, step: per meeting on a tie, the tie's position and its :func:`step_of_meetings`.
    """
    best = np.full(trust.size, -1.0)  # the largest step of each tie this week; -1: idle
    np.maximum.at(best, tie, step)
    return np.where(best >= 0, trust + best * (1.0 - trust), trust - decay * (trust - floor))


def first_impression(step: np.ndarray, stranger: float) -> np.ndarray:
    """Starting trust of a tie made by strangers who shared: one step up from stranger trust."""
    return stranger + step * (1.0 - stranger)
