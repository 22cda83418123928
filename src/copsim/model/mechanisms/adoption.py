"""Adoption by adopting units: a Bass-style hazard, gated by know-how.

Each unit not yet adopted adopts within a week with probability

    1 - exp(-(p_eff + q * E) * readiness * capacity / 52)

with ``p_eff`` the external influence per year (dissemination, lifted by the sponsor's
endorsement of the practice: ``p * (1 + endorsement * legitimacy * level)``, with or without a
community), ``q`` the imitation coefficient per year and ``E`` the exposure to units that have
adopted. ``readiness`` is the unit's best champion: the largest, over its practitioners, of
their know-how (a logistic in their knowledge around ``know_how_threshold``) times their
willingness to apply the practice (a logistic in their motivation, so a mandate's crowding-out
reaches practice; the source article: without voluntary participation a member is less likely
to apply the community's knowledge). ``know_how_threshold`` 0 switches the whole gate off
(every unit ready). ``capacity`` is the
share of the unit's implementation capacity left after the work time its practitioners spend in
the community (``productivity_cost``).

Exposure mixes the adopted share of the unit's world (``global_mixing``) with trust-weighted
exposure through ties to practitioners of other adopting units. With units of size one,
complete mixing, no community and no gate, this is the Bass (1969) model, whose closed form
:func:`bass_closed_form` the model must reproduce.
"""

from __future__ import annotations

import itertools

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


def adopted_at_launch(
    u: np.ndarray, adopting: np.ndarray, unit_start: np.ndarray, a: AdoptionConfig
) -> np.ndarray:
    """Each unit's adoption week at the start: 0 for the ``initial_adopters`` share (rounded)
    of each replicate's adopting units, those with the smallest uniforms ``u``; -1 for the rest."""
    week = np.full(u.size, -1, np.int64)
    for first, last in itertools.pairwise(unit_start):
        candidates = first + np.flatnonzero(adopting[first:last])
        count = round(a.initial_adopters * candidates.size)
        week[candidates[np.argsort(u[candidates], kind="stable")[:count]]] = 0
    return week


def innovation_rate(p: float, endorsement: float, endorsing: np.ndarray) -> np.ndarray:
    """External influence per year, per replicate: dissemination lifted by the sponsor's
    endorsement of the practice (``endorsing``: legitimacy times level, 0-1)."""
    return p * (1.0 + endorsement * endorsing)


def know_how(knowledge: np.ndarray, a: AdoptionConfig) -> np.ndarray:
    """How well each practitioner knows how to implement the practice (0-1): a logistic in
    knowledge around ``know_how_threshold``."""
    return logistic((knowledge - a.know_how_threshold) / a.know_how_width)


def willingness_to_apply(motivation: np.ndarray, a: AdoptionConfig) -> np.ndarray:
    """How willing each practitioner is to apply the practice (0-1), from its motivation as it
    acts this week (SD units)."""
    return logistic(a.apply_intercept + a.apply_motivation * motivation)


def readiness(
    knowledge: np.ndarray, motivation: np.ndarray, unit_start: np.ndarray, a: AdoptionConfig
) -> np.ndarray:
    """Each unit's readiness to adopt (0-1): the best of its practitioners' know-how times
    willingness to apply (units are the runs of practitioners from ``unit_start[k]`` to
    ``unit_start[k + 1]``, none empty); 1 when ``know_how_threshold`` is 0 (no gate)."""
    if a.know_how_threshold <= 0:
        return np.ones(unit_start.size - 1)
    champion = know_how(knowledge, a) * willingness_to_apply(motivation, a)
    return np.maximum.reduceat(champion, unit_start[:-1])


def capacity(work_share: np.ndarray, unit_start: np.ndarray, a: AdoptionConfig) -> np.ndarray:
    """Each unit's capacity to implement (0-1): 1 less ``productivity_cost`` times the mean
    share of the work week its practitioners spend in the community."""
    size = np.diff(unit_start)
    away = np.add.reduceat(1.0 - work_share, unit_start[:-1]) / size
    return np.clip(1.0 - a.productivity_cost * away, 0.0, 1.0)


def tie_exposure(
    unit_a: np.ndarray,
    unit_b: np.ndarray,
    trust: np.ndarray,
    across: np.ndarray,
    adopted: np.ndarray,
    adopting: np.ndarray,
    exposure_half: float,
) -> np.ndarray:
    """Per unit, its exposure through ties to other adopting units: the trust on its ties to
    adopted units over the trust on all of them plus ``exposure_half`` (0 for a unit with no
    such tie): with many trusted ties it approaches the trust-weighted adopted share among them,
    with few it stays lower. Ties inside a unit do not count.

    Args:
        unit_a, unit_b, trust, across: per tie, the units of its two ends, its trust, and
            whether the units differ.
        adopted, adopting: per unit.
    """
    eligible, value = adopting.astype(float), adopted.astype(float)
    exposed, total = neighbour_totals(unit_a, unit_b, trust, across, eligible, value, adopted.size)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(total > 0, exposed / (total + exposure_half), 0.0)


def weekly_probability(
    ready: np.ndarray, exposure: np.ndarray, innovation: np.ndarray, a: AdoptionConfig
) -> np.ndarray:
    """Probability that each unit adopts within the week (``ready``: readiness times capacity;
    ``innovation`` per unit, per year)."""
    return -np.expm1(-(innovation + a.q * exposure) * ready / WEEKS_PER_YEAR)


def adopting_now(
    u: np.ndarray, probability: np.ndarray, adopting: np.ndarray, adopted: np.ndarray
) -> np.ndarray:
    """Units that adopt this week: adopting, not adopted yet, and their uniform ``u`` below
    their probability."""
    return adopting & ~adopted & (u < probability)
