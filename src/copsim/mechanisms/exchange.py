"""Knowledge exchange with absorptive capacity (after Cowan & Jonard 2004).

When two practitioners meet, each decides whether to share. A partner shares with probability

    P(share) = logistic(share_intercept + share_motivation * motivation + share_trust * (trust - 0.5))

rising in the partner's intrinsic motivation (SD units, shifted by a mandate's crowding-out or a
sponsor's recognition) and in the trust on their tie. A receiver who is told by a partner who
knows more gains ``alpha * (k_partner - k_receiver)``; one who knows more gains nothing.
All gains of a week are computed from last week's knowledge and added up. Knowledge never rises
above the receiver's ceiling through exchange (members' ceiling is lifted by the community's
repertoire, :mod:`copsim.mechanisms.practice`) and never falls through learning. On top of
exchange everyone learns on the job (a share of the gap to the base ceiling) and members read
the community's online library (a share of the gap to their ceiling, by membership level).
"""

from __future__ import annotations

import numpy as np

from ..compiled import kernel
from ..pcg64 import uniforms
from .participation import below_logistic, logistic


def share_probability(
    motivation: np.ndarray, trust: np.ndarray, intercept: float, w_motivation: float, w_trust: float
) -> np.ndarray:
    """Probability that a partner shares, given its motivation (SD) and the tie's trust."""
    return logistic(share_logit(motivation, trust, intercept, w_motivation, w_trust))


@kernel
def share_logit(motivation, trust, intercept, w_motivation, w_trust):  # pragma: no cover - compiled
    """The logit of :func:`share_probability` (scalars or arrays)."""
    return intercept + w_motivation * motivation + w_trust * (trust - 0.5)


def sharing(
    stream: np.ndarray,
    i: np.ndarray,
    j: np.ndarray,
    edge: np.ndarray,
    tie_trust: np.ndarray,
    stranger_trust: float,
    motivation: np.ndarray,
    is_member: np.ndarray,
    member_shift: float,
    ex,
) -> np.ndarray:
    """Who shares in each meeting: row 0 whether j tells i, row 1 whether i tells j.

    Args:
        stream: the sharing stream (a :meth:`copsim.streams.Streams.handle`): one uniform per
            giver, row 0 first.
        i, j, edge: the pairs who met and their tie (-1: strangers, who trust as strangers).
        tie_trust: trust per tie; ``stranger_trust`` for pairs without one.
        motivation: intrinsic motivation per practitioner (SD units); members' is shifted by
            ``member_shift`` (a mandate's crowding-out or a sponsor's recognition).
        ex: the ExchangeConfig (share_intercept, share_motivation, share_trust).
    """
    givers = (motivation, is_member, member_shift)
    weights = (ex.share_intercept, ex.share_motivation, ex.share_trust)
    return _decide(stream, i, j, edge, tie_trust, stranger_trust, *givers, *weights)


@kernel
def _decide(  # pragma: no cover - compiled
    stream, i, j, edge, tie_trust, stranger, motivation, is_member, shift, intercept, w_motivation, w_trust
):
    """:func:`sharing`: first all the uniforms (row 0, then row 1), then each giver's decision."""
    u = uniforms(stream, 2 * i.size)
    shares = np.empty((2, i.size), np.bool_)
    for p in range(i.size):
        trust = tie_trust[edge[p]] if edge[p] >= 0 else stranger
        for row, giver in ((0, j[p]), (1, i[p])):
            giver_motivation = motivation[giver] + shift * is_member[giver]
            logit = share_logit(giver_motivation, trust, intercept, w_motivation, w_trust)
            shares[row, p] = below_logistic(u[row * i.size + p], logit)
    return shares


@kernel
def count_contributions(contributions, i, j, shares, n_community):  # pragma: no cover - compiled
    """Credit each act of sharing in the first ``n_community`` meetings (the community's) to the
    giver's ``contributions`` (in place); returns how many acts there were."""
    acts = 0
    for p in range(n_community):
        if shares[0, p]:
            contributions[j[p]] += 1
            acts += 1
        if shares[1, p]:
            contributions[i[p]] += 1
            acts += 1
    return acts


@kernel
def learn(  # pragma: no cover - compiled
    knowledge,
    i,
    j,
    shares,
    askers,
    alumni_answers,
    is_member,
    member_ceiling,
    alpha,
    base_ceiling,
    on_the_job_rate,
    library_rate,
    membership,
):
    """Everyone's knowledge after this week's exchanges, on-the-job learning and library use.

    Args:
        knowledge: last week's knowledge per practitioner (0-1).
        i, j: the pairs who met; ``shares``: row 0 whether j told i, row 1 whether i told j.
        askers, alumni_answers: practitioners who asked an alumnus, and that alumnus' knowledge.
        is_member, member_ceiling: the most exchange can lift a member to is
            ``member_ceiling``; a non-member, ``base_ceiling``.
        alpha: absorptive capacity (share of the gap a receiver takes in).
        base_ceiling, on_the_job_rate: weekly on-the-job learning toward the base ceiling.
        library_rate: weekly library learning of a core member (levels 1-3 get 1/3 of it per
            level); 0 without a community.
        membership: membership level 0-3 per practitioner.

    Returns:
        New knowledge, at most 1.
    """
    # each receiver's gains summed in the order: told by j, told by i, answers from alumni
    total = np.zeros(knowledge.size)
    for p in range(i.size):
        if shares[0, p]:
            total[i[p]] += alpha * max(knowledge[j[p]] - knowledge[i[p]], 0.0)
    for p in range(i.size):
        if shares[1, p]:
            total[j[p]] += alpha * max(knowledge[i[p]] - knowledge[j[p]], 0.0)
    for q in range(askers.size):
        total[askers[q]] += alpha * max(alumni_answers[q] - knowledge[askers[q]], 0.0)
    new = np.empty(knowledge.size)
    for x in range(knowledge.size):
        k = knowledge[x]
        ceiling = member_ceiling if is_member[x] else base_ceiling
        value = min(k + total[x], max(ceiling, k))
        value = value + on_the_job_rate * max(base_ceiling - value, 0.0)
        value = value + library_rate * membership[x] / 3.0 * max(ceiling - value, 0.0)
        new[x] = min(value, 1.0)
    return new
