"""Voluntary participation: an ordered logit over membership levels, with mandate crowding-out.

Each week a share of practitioners (``revision_rate``) reconsiders. Their utility of taking part
is

    U = intercept + w_learning * gap + w_belonging * trust_to_members + w_interest * interest
        + w_legitimacy * legitimacy * boundary + w_vitality * vitality
        - time_cost * (1 - protected_time) - silo_cost * silo * (1 - legitimacy)

where ``gap`` is what a member could learn (the knowledge of the community's active core above
one's own), ``boundary`` how far one's organization is from the sponsor's (legitimacy matters
most across boundaries, as the source article argues). The level is then non-member,
peripheral, active or core by an ordered logit with cuts 0, ``active_cut``, ``core_cut``:
P(level >= 1) = logistic(U), P(level >= 2) = logistic(U - active_cut), P(level = 3) =
logistic(U - core_cut), decided by one uniform per practitioner.

A **mandate** forces membership (at least peripheral) but crowds out intrinsic motivation by
``crowding_out_sd`` standard deviations (Deci, Koestner & Ryan 1999, d = -0.3 to -0.4), so
mandated members share less (see :mod:`copsim.mechanisms.exchange`).
"""

from __future__ import annotations

import numpy as np

from ..compiled import kernel
from ..pcg64 import uniforms

NON_MEMBER, PERIPHERAL, ACTIVE, CORE = 0, 1, 2, 3


@kernel
def logistic(x):  # pragma: no cover - compiled
    """The logistic function ``1 / (1 + exp(-x))`` of a scalar or an array.

    Overflow-safe: compiled, ``exp(-x)`` overflows to ``inf`` without a warning and the result
    is 0. It costs about 6 ns a value here, against 14 for ``tanh`` (numpy's or libm's), which
    the equivalent ``0.5 * (1 + tanh(x / 2))`` needs.
    """
    return 1.0 / (1.0 + np.exp(-x))


#: the logistic tabulated every 1/64 over [-16, 16], for :func:`below_logistic`'s screen
_GRID_START, _GRID_STEPS_PER_UNIT, _GRID_POINTS = -16.0, 64.0, 2049
_LOGISTIC_GRID = 1.0 / (1.0 + np.exp(-(_GRID_START + np.arange(_GRID_POINTS) / _GRID_STEPS_PER_UNIT)))
#: an upper bound, with room to spare, on how far the interpolated grid is from the logistic:
#: (1/64)^2 / 8 x max |logistic''| (0.0962) = 2.9e-6 between the ends; 1.1e-7 beyond them
_GRID_ERROR = 1e-5


@kernel
def below_logistic(u, x):  # pragma: no cover - compiled
    """``u < logistic(x)``, exactly, mostly without the exponential.

    A decision compares a uniform with a probability. Linear interpolation on a 16 KB table
    (:data:`_LOGISTIC_GRID`, clamped beyond its ends) is within ``_GRID_ERROR`` of the logistic,
    so wherever the uniform is further than that from the interpolated value, the comparison
    with it is the comparison with the logistic; the others (about 2 in 100,000) and NaN are
    decided by :func:`logistic` itself. No branch depends on which way the comparison goes:
    a sharing decision costs about a third less (2026-11-29: 78 against 103 µs for 8,300).
    """
    at = (x - _GRID_START) * _GRID_STEPS_PER_UNIT
    at = at if at > 0.0 else 0.0  # (NaN too; decided exactly below)
    at = at if at < _GRID_POINTS - 1.0001 else _GRID_POINTS - 1.0001
    k = int(at)
    low = _LOGISTIC_GRID[k]
    nearby = low + (at - k) * (_LOGISTIC_GRID[k + 1] - low)
    if abs(u - nearby) < _GRID_ERROR or x != x:
        return u < logistic(x)
    return u < nearby


def utility(
    gap: np.ndarray,
    belonging: np.ndarray,
    interest: np.ndarray,
    boundary: np.ndarray,
    silo: np.ndarray,
    legitimacy: float,
    vitality: float,
    protected_time: float,
    time_cost_scale: float,
    p,
) -> np.ndarray:
    """Utility (logit scale) of taking part, per practitioner; ``p`` is ParticipationConfig."""
    terms = utility_terms(legitimacy, vitality, protected_time, time_cost_scale, p)
    return _utility(gap, belonging, interest, boundary, silo, *terms)


def utility_terms(
    legitimacy: float, vitality: float, protected_time: float, time_cost_scale: float, p
) -> tuple[float, ...]:
    """This week's scalar terms of :func:`utility`, in the formula's order (see ``_utility``).

    All floats (the config's fields are), so a compiled loop sees one tuple type."""
    return (
        p.intercept,
        p.w_learning,
        p.w_belonging,
        p.w_interest,
        p.w_legitimacy * legitimacy,
        p.w_vitality * vitality,
        p.time_cost * time_cost_scale * (1.0 - protected_time),
        p.silo_cost,
        1.0 - legitimacy,
    )


@kernel
def _utility(  # pragma: no cover - compiled
    gap,
    belonging,
    interest,
    boundary,
    silo,
    intercept,
    w_learning,
    w_belonging,
    w_interest,
    legitimacy_weight,
    vitality_term,
    time_term,
    silo_cost,
    illegitimacy,
):
    """:func:`utility` with this week's scalar terms worked out (in the formula's order)."""
    util = np.empty(gap.size)
    for s in range(gap.size):
        util[s] = (
            intercept
            + w_learning * gap[s]
            + w_belonging * belonging[s]
            + w_interest * interest[s]
            + legitimacy_weight * boundary[s]
            + vitality_term
            - time_term
            - silo_cost * silo[s] * illegitimacy
        )
    return util


@kernel
def ordered_level(u, util, active_cut, core_cut):  # pragma: no cover - compiled
    """Membership level 0-3 (int8) from utilities and one uniform each (ordered logit): how many
    of P(level >= 1), P(level >= 2), P(level = 3) exceed the uniform."""
    levels = np.zeros(u.size, np.int8)
    for s in range(u.size):
        for cut in (0.0, active_cut, core_cut):
            levels[s] += below_logistic(u[s], util[s] - cut)
    return levels


@kernel
def reconsidering(stream, revision_rate, aware):  # pragma: no cover - compiled
    """The aware practitioners who reconsider this week, and the uniform each chooses its level by.

    Draws two uniforms per practitioner from the participation ``stream`` (a handle) every
    week, whoever reconsiders, so the stream stays aligned: a practitioner reconsiders when its
    first is below ``revision_rate``; its second is its uniform for :func:`choose_levels`.
    """
    n = aware.size
    u = uniforms(stream, 2 * n)
    who = np.flatnonzero((u[:n] < revision_rate) & aware)
    return who, u[n + who]


@kernel
def choose_levels(  # pragma: no cover - compiled
    u, who, belonging, knowledge, ceiling, vitality, interest, org, org_boundary, org_silo, terms, cuts
):
    """The level (:func:`ordered_level` by uniform ``u``) each reconsidering ``who`` chooses.

    Its :func:`utility` takes what it could learn (``vitality * max(ceiling - knowledge, 0)``),
    its ``belonging``, its interest, and its organization's boundary and silo strength;
    ``terms`` are :func:`utility_terms`, ``cuts`` the active and core cuts.
    """
    gap = np.empty(who.size)
    own_interest = np.empty(who.size)
    boundary = np.empty(who.size)
    silo = np.empty(who.size)
    for s in range(who.size):
        x = who[s]
        gap[s] = vitality * max(ceiling - knowledge[x], 0.0)
        own_interest[s] = interest[x]
        boundary[s] = org_boundary[org[x]]
        silo[s] = org_silo[org[x]]
    util = _utility(gap, belonging, own_interest, boundary, silo, *terms)
    return ordered_level(u, util, *cuts)


@kernel
def members_of(membership):  # pragma: no cover - compiled
    """Whether each practitioner is a member (any level above non-member), and the members' ids
    in ascending order, from one pass (``membership > 0`` and ``np.flatnonzero`` of it)."""
    is_member = np.empty(membership.size, np.bool_)
    ids = np.empty(membership.size, np.int64)
    m = 0  # each id written at m, kept (m moves on) if a member
    for x in range(membership.size):
        is_member[x] = membership[x] > NON_MEMBER
        ids[m] = x
        m += is_member[x]
    return is_member, ids[:m]


@kernel
def revise(membership, who, levels, aware, mandated):  # pragma: no cover - compiled
    """New membership: the reconsidering practitioners ``who`` (all aware) take ``levels``.

    Unaware practitioners cannot be members. Under a mandate nobody falls below peripheral.
    """
    new = membership.copy()
    for s in range(who.size):
        new[who[s]] = levels[s]
    for x in range(new.size):
        if not aware[x]:
            new[x] = NON_MEMBER
        if mandated and new[x] < PERIPHERAL:
            new[x] = PERIPHERAL
    return new


def motivation_shift(
    mandated: bool, sponsor_level: float, crowding_out_sd: float, recognition_sd: float
) -> float:
    """Shift of members' motivation in SD units: crowding-out under a mandate, else recognition.

    Deci, Koestner & Ryan (1999): controlling, expected rewards lower intrinsic motivation by
    about 0.3-0.4 SD; supportive (verbal) recognition raises it by about 0.3 SD. Recognition
    scales with the sponsorship level.
    """
    return -crowding_out_sd if mandated else recognition_sd * sponsor_level


@kernel
def awareness_probability(member_colleague_share, word_of_mouth, recruit_probability):  # pragma: no cover
    """Weekly chance an unaware practitioner hears of the community.

    From colleagues who are members (word of mouth) and from the coordinator's recruitment.
    """
    return 1.0 - (1.0 - word_of_mouth * member_colleague_share) * (1.0 - recruit_probability)


def colleague_tally(n: int) -> tuple[np.ndarray, np.ndarray]:
    """A fresh tally for :func:`hear`: whom it counts as a member, and each practitioner's
    number of member colleagues (nobody is a member yet)."""
    return np.zeros(n, np.bool_), np.zeros(n, np.int32)


@kernel
def hear(  # pragma: no cover - compiled
    stream, aware, member, tally, indptr, colleague, word_of_mouth, recruits, mandated
):
    """Awareness this week, in place.

    Draws one uniform per practitioner from ``stream`` (the awareness stream's handle) every
    week, so the stream stays aligned. Each unaware practitioner hears with
    :func:`awareness_probability` of its share of member colleagues (formal ties, CSR
    ``indptr``/``colleague``) and of the coordinator's ``recruits`` (expected practitioners made
    aware, spread over the unaware); under a mandate everyone is told.

    The member colleagues are counted in ``tally`` (:func:`colleague_tally`, updated in place),
    which is brought up to date by walking the colleagues of those whose membership changed
    since the last call: a few per week, where counting afresh walks every unaware
    practitioner's colleagues.
    """
    counted, member_colleagues = tally
    for x in range(member.size):
        if member[x] != counted[x]:
            step = 1 if member[x] else -1
            for pos in range(indptr[x], indptr[x + 1]):
                member_colleagues[colleague[pos]] += step
            counted[x] = member[x]
    u = uniforms(stream, aware.size)
    unaware = aware.size - np.count_nonzero(aware)
    if unaware == 0:  # once everyone knows the community, there is nothing to hear
        return
    recruit = min(1.0, recruits / unaware)
    # everyone is worked out: skipping the aware (about half of them at times) by a branch
    # cost 1.6x as much
    for x in range(aware.size):
        degree = indptr[x + 1] - indptr[x]
        share = member_colleagues[x] / degree if degree > 0 else 0.0
        heard = u[x] < awareness_probability(share, word_of_mouth, recruit)
        aware[x] = aware[x] | heard | mandated
