"""Adoption by adopting units: a Bass-style hazard, gated by know-how.

Each unit not yet adopted adopts within a week with probability

    1 - exp(-(p_eff + q * E) * gate / 52)

with ``p_eff`` the external influence per year (dissemination, lifted by the sponsor's
endorsement when a community lends it legitimacy: ``p * (1 + endorsement * legitimacy)``),
``q`` the imitation coefficient per year, ``E`` the exposure to units that have adopted, and
``gate`` the unit's know-how: a logistic in the knowledge of its most knowledgeable practitioner
(``threshold`` 0 switches the gate off).

Exposure mixes the adopted share of the unit's world (``global_mixing``) with trust-weighted
exposure through ties to practitioners of other adopting units. With units of size one,
complete mixing, no community and no gate, this is the Bass (1969) model, whose closed form
:func:`bass_closed_form` the model must reproduce.
"""

from __future__ import annotations

import numpy as np
from scipy.special import expit as logistic

from ..config import AdoptionConfig
from ..kernels import neighbour_totals

WEEKS_PER_YEAR = 52.0


def bass_closed_form(t_years: np.ndarray, p: float, q: float) -> np.ndarray:
    """Bass (1969) cumulative adoption F(t) = (1 - e^{-(p+q)t}) / (1 + (q/p) e^{-(p+q)t})."""
    e = np.exp(-(p + q) * np.asarray(t_years, float))
    return (1.0 - e) / (1.0 + (q / p) * e)


def ring_closed_form(t_years: np.ndarray, p: float, q: float) -> np.ndarray:
    """Fibich & Gibori (2010): a ring where each unit sees its two neighbours.

    F(t) = 1 - exp(-(p+q)t + (q/p)(1 - e^{-pt})).
    """
    t = np.asarray(t_years, float)
    return 1.0 - np.exp(-(p + q) * t + (q / p) * (1.0 - np.exp(-p * t)))


def innovation_rate(p: float, endorsement: float, legitimacy: np.ndarray) -> np.ndarray:
    """External influence per year, per replicate: dissemination lifted by the sponsor's
    endorsement in proportion to the legitimacy the sponsor lends."""
    return p * (1.0 + endorsement * legitimacy)


def know_how_gate(best_knowledge: np.ndarray, a: AdoptionConfig) -> np.ndarray:
    """How ready each unit is to adopt (0-1), from its best practitioner's knowledge; 1
    everywhere when ``know_how_threshold`` is 0 (no gate)."""
    if a.know_how_threshold <= 0:
        return np.ones_like(best_knowledge)
    return logistic((best_knowledge - a.know_how_threshold) / a.know_how_width)


def best_knowledge(knowledge: np.ndarray, unit_start: np.ndarray) -> np.ndarray:
    """Knowledge of each unit's most knowledgeable practitioner (units are the runs of
    practitioners from ``unit_start[k]`` to ``unit_start[k + 1]``; none is empty)."""
    return np.maximum.reduceat(knowledge, unit_start[:-1])


def tie_exposure(
    unit_a: np.ndarray,
    unit_b: np.ndarray,
    trust: np.ndarray,
    across: np.ndarray,
    adopted: np.ndarray,
    adopting: np.ndarray,
) -> np.ndarray:
    """Per unit, the trust-weighted share of adopted units among its ties to other adopting
    units (0 for a unit with none). Ties inside a unit do not count.

    Args:
        unit_a, unit_b, trust, across: per tie, the units of its two ends, its trust, and
            whether the units differ.
        adopted, adopting: per unit.
    """
    eligible, value = adopting.astype(float), adopted.astype(float)
    exposed, total = neighbour_totals(unit_a, unit_b, trust, across, eligible, value, adopted.size)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(total > 0, exposed / total, 0.0)


def weekly_probability(
    gate: np.ndarray, exposure: np.ndarray, innovation: np.ndarray, a: AdoptionConfig
) -> np.ndarray:
    """Probability that each unit adopts within the week (``innovation`` per unit, per year)."""
    return -np.expm1(-(innovation + a.q * exposure) * gate / WEEKS_PER_YEAR)


def adopting_now(
    u: np.ndarray, probability: np.ndarray, adopting: np.ndarray, adopted: np.ndarray
) -> np.ndarray:
    """Units that adopt this week: adopting, not adopted yet, and their uniform ``u`` below
    their probability."""
    return adopting & ~adopted & (u < probability)
