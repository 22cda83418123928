"""Demography: retirements (a base hazard plus an optional retirement wave) and hires.

A retiring practitioner's position is filled at once by a hire with low knowledge, so the
workforce size is constant and the arrays keep their shape. Departing community members may stay
on as alumni who answer questions (CompanyCommand in the source article).
"""

from __future__ import annotations

import functools

import numpy as np

from ..compiled import kernel
from ..pcg64 import uniforms, uniforms_at

WEEKS_PER_YEAR = 52.0


@functools.cache  # a handful of rates, asked for every week
def weekly_probability(rate_per_year: float) -> float:
    """Probability of an event within one week for a constant hazard given per year."""
    return float(-np.expm1(-rate_per_year / WEEKS_PER_YEAR))


def retirement_probability(
    week: int,
    retirement_per_year: float,
    wave: bool,
    wave_share: float,
    wave_start_week: int,
    wave_years: float,
) -> float:
    """Weekly retirement probability at ``week``.

    The base hazard acts always. During a wave (``wave_start_week`` for ``wave_years``), an extra
    weekly probability ``1 - (1 - wave_share) ** (1 / wave_weeks)`` makes ``wave_share`` of the
    workforce leave over the wave on top of the base rate (article: nearly half of federal
    employees could retire by 2010).
    """
    base = weekly_probability(retirement_per_year)
    wave_weeks = wave_years * WEEKS_PER_YEAR
    if wave and wave_start_week <= week < wave_start_week + wave_weeks:
        extra = 1.0 - (1.0 - wave_share) ** (1.0 / wave_weeks)
        return 1.0 - (1.0 - base) * (1.0 - extra)
    return base


@kernel
def retirements(stream, n, probability):  # pragma: no cover - compiled
    """Indices of the practitioners who retire this week: one uniform per position from the
    retirement ``stream`` (a :meth:`copsim.streams.Streams.handle`), below ``probability``."""
    return np.flatnonzero(uniforms(stream, n) < probability)


@kernel
def alumni_draws(stream, leaving, n, n_alumni, leave_probability):  # pragma: no cover - compiled
    """This week's draws from the alumni ``stream``: one uniform per position (whether a leaver
    stays on as an alumnus), of which only the ``leaving`` positions' are made (the stream
    jumps over the rest, :func:`copsim.pcg64.uniforms_at`), then whether each of the
    ``n_alumni`` alumni stays on. Returns the leavers' uniforms and the alumni who stay."""
    u_leaving = uniforms_at(stream, leaving, n)
    return u_leaving, uniforms(stream, n_alumni) >= leave_probability


@kernel
def new_alumni(leaving, membership, u_leaving, alumni_share, knowledge):  # pragma: no cover - compiled
    """Knowledge of the members among ``leaving`` who stay on as alumni (their alumni uniform,
    ``u_leaving`` in the order of ``leaving``, below ``alumni_share``), in that order."""
    stays = np.empty(leaving.size, np.bool_)
    for s in range(leaving.size):
        stays[s] = membership[leaving[s]] > 0 and u_leaving[s] < alumni_share
    return knowledge[leaving[stays]]


@kernel
def time_to_talent(slots, hired_week, competent_week, last_hire_week):  # pragma: no cover - compiled
    """Weeks each hire among ``slots`` (``0 < hired_week <= last_hire_week``) took to become
    competent, ``inf`` if it has not (yet), in the order of ``slots``."""
    weeks = np.empty(slots.size)
    m = 0
    for x in slots:
        if 0 < hired_week[x] <= last_hire_week:
            weeks[m] = competent_week[x] - hired_week[x] if competent_week[x] >= 0 else np.inf
            m += 1
    return weeks[:m]


@kernel
def mark_competent(competent_week, hired_week, knowledge, threshold, week):  # pragma: no cover
    """Hires (``hired_week > 0``) whose knowledge reaches ``threshold`` for the first time become
    competent this ``week`` (``competent_week``, in place; -1 until then): time to talent."""
    for x in range(knowledge.size):
        if competent_week[x] < 0 and hired_week[x] > 0 and knowledge[x] >= threshold:
            competent_week[x] = week


def hire_knowledge(rng: np.random.Generator, n: int, mean: float, sd: float = 0.05) -> np.ndarray:
    """Knowledge of ``n`` new hires: Beta with the given mean and standard deviation."""
    return beta_by_moments(rng, n, mean, sd)


def beta_by_moments(rng: np.random.Generator, n: int, mean: float, sd: float) -> np.ndarray:
    """``n`` draws in [0, 1] from a Beta with the given mean and sd (degenerate at the edges)."""
    if n == 0:
        return np.zeros(0)
    mean = min(max(float(mean), 1e-6), 1 - 1e-6)
    var = min(sd * sd, mean * (1 - mean) * 0.999)
    if var <= 0:
        return np.full(n, mean)
    nu = mean * (1 - mean) / var - 1
    return rng.beta(mean * nu, (1 - mean) * nu, n)
