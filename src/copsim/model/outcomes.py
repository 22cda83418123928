"""Outcomes: the weekly time series a run records, and the summary computed from it.

Weekly columns (row *w* is the state after week *w*; row 0 is the initial state):

==========================  ==================================================================
``adoption_share``          share of adopting units that have adopted (0-1)
``adopters``                number of adopting units that have adopted
``members``                 practitioners with membership peripheral, active or core
``participation_rate``      members / practitioners
``core_share``              core members / members (Wenger et al. 2002: 10-15 % when mature)
``active_share``            active members / members (Wenger et al.: 15-20 %)
``peripheral_share``        peripheral members / members
``core``, ``active``,       counts of practitioners at each level (for stacked plots)
``peripheral``,
``non_members``
``mean_knowledge``          mean knowledge of working practitioners (0-1)
``sd_knowledge``            standard deviation of knowledge
``mean_knowledge_members``  mean knowledge of members (0 when there are none)
``cross_boundary_ties``     ties (formal and community) between different organizations
``cross_boundary_trust``    mean over practitioners of their highest trust in someone in
                            another organization (``trust.stranger`` for those with no such tie)
``repertoire``              tools, standards and stories the community has built (items)
``sharing_rate``            share of community exchange opportunities in which knowledge was shared
``vitality``                how alive the community is (0-1)
``stage``                   lifecycle stage code, see :data:`copsim.model.mechanisms.lifecycle.STAGES`
``sponsor_level``           sponsorship in force (0-1)
``coordinator_hours``       coordination hours this week
``alumni``                  alumni who still answer questions
``retirements``             practitioners who retired this week
==========================  ==================================================================

Summary outcomes (one per run) are defined in :func:`summarize`.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from .kernels import largest_at_ends
from .replicates import total_by
from .ties import Ties

WEEKS_PER_YEAR = 52.0
HOURS_PER_FTE_WEEK = 40.0

COLUMNS = (
    "adoption_share",
    "adopters",
    "members",
    "participation_rate",
    "core_share",
    "active_share",
    "peripheral_share",
    "core",
    "active",
    "peripheral",
    "non_members",
    "mean_knowledge",
    "sd_knowledge",
    "mean_knowledge_members",
    "cross_boundary_ties",
    "cross_boundary_trust",
    "repertoire",
    "sharing_rate",
    "vitality",
    "stage",
    "sponsor_level",
    "coordinator_hours",
    "alumni",
    "retirements",
)

#: outcomes that are counts (integers in :func:`series_frame`)
COUNT_COLUMNS = frozenset(
    {
        "adopters",
        "members",
        "core",
        "active",
        "peripheral",
        "non_members",
        "cross_boundary_ties",
        "stage",
        "alumni",
        "retirements",
    }
)


def series_frame(series: dict[str, np.ndarray]) -> pd.DataFrame:
    """One replicate's weekly series (every outcome, week 0 first) as a table: ``week``, then
    every outcome, counts as integers."""
    weeks = len(series[COLUMNS[0]])
    columns = {"week": np.arange(weeks)}
    for name in COLUMNS:
        columns[name] = np.asarray(series[name]).astype(np.int64 if name in COUNT_COLUMNS else np.float64)
    return pd.DataFrame(columns)


def census(
    membership: np.ndarray,
    knowledge: np.ndarray,
    person_rep: np.ndarray,
    ties: Ties,
    stranger: float,
    n_replicates: int,
) -> dict[str, np.ndarray]:
    """This week's counts and totals behind the outcomes, per replicate.

    Returns ``levels`` (practitioners per membership level, shape (R, 4)), ``n`` (practitioners),
    ``knowledge`` and ``member_knowledge`` (totals), ``squared_deviation`` (total squared
    deviation of knowledge from its replicate's mean), ``cross_ties`` (ties between
    organizations) and ``best_cross_trust`` (the total over practitioners of their highest trust
    in someone in another organization, ``stranger`` for whoever has no such tie).
    """
    r = n_replicates
    levels = total_by(person_rep * 4 + membership, None, 4 * r).reshape(r, 4)
    n = levels.sum(axis=1)
    total = total_by(person_rep, knowledge, r)
    deviation = knowledge - (total / n)[person_rep]
    cross = ties.cross
    best = largest_at_ends(ties.a, ties.b, ties.trust, cross, np.full(knowledge.size, stranger))
    return {
        "levels": levels,
        "n": n,
        "knowledge": total,
        "member_knowledge": total_by(person_rep, knowledge * (membership > 0), r),
        "squared_deviation": total_by(person_rep, deviation * deviation, r),
        "cross_ties": total_by(person_rep[ties.a[cross]], None, r),
        "best_cross_trust": total_by(person_rep, best, r),
    }


def weekly_values(
    counts: dict[str, np.ndarray],
    adopters: np.ndarray,
    n_adopting: np.ndarray,
    shared: np.ndarray,
    chances: np.ndarray,
    **community: np.ndarray,
) -> dict[str, np.ndarray]:
    """Every weekly outcome (see the module), one value per replicate.

    Args:
        counts: this week's :func:`census`.
        adopters, n_adopting: adopting units that have adopted, and all adopting units.
        shared, chances: acts of sharing in the community's meetings, and the chances to share
            (two per meeting).
        community: the outcomes read as they are (``repertoire``, ``vitality``, ``stage``,
            ``sponsor_level``, ``coordinator_hours``, ``alumni``, ``retirements``).
    """
    non_members, peripheral, active, core = counts["levels"].T
    members = peripheral + active + core
    n = counts["n"]
    with np.errstate(invalid="ignore", divide="ignore"):

        def of_members(x: np.ndarray) -> np.ndarray:
            return np.where(members > 0, x / members, 0.0)

        return {
            "adoption_share": adopters / n_adopting,
            "adopters": adopters,
            "members": members,
            "participation_rate": members / n,
            "core_share": of_members(core),
            "active_share": of_members(active),
            "peripheral_share": of_members(peripheral),
            "core": core,
            "active": active,
            "peripheral": peripheral,
            "non_members": non_members,
            "mean_knowledge": counts["knowledge"] / n,
            "sd_knowledge": np.sqrt(counts["squared_deviation"] / n),
            "mean_knowledge_members": of_members(counts["member_knowledge"]),
            "cross_boundary_ties": counts["cross_ties"],
            "cross_boundary_trust": counts["best_cross_trust"] / n,
            "sharing_rate": np.where(chances > 0, shared / chances, 0.0),
            **community,
        }


def first_week_reaching(series: np.ndarray, level: float) -> float:
    """First week the series reaches ``level``, or NaN when it never does (censored)."""
    hit = np.flatnonzero(series >= level - 1e-12)
    return float(hit[0]) if hit.size else math.nan


def censored_median(durations: np.ndarray) -> float:
    """Median duration where unfinished ones count as infinite; NaN if half never finish."""
    if durations.size == 0:
        return math.nan
    value = float(np.median(durations))
    return value if math.isfinite(value) else math.nan


def summarize(ts: pd.DataFrame, hire_durations: np.ndarray, top10_contribution_share: float) -> dict:
    """One run's summary outcomes.

    - ``t50_weeks``, ``t90_weeks``: first week the adoption share reaches 50 % / 90 %; NaN and
      ``t50_censored``/``t90_censored`` True when not reached within the horizon (never 0 or the
      horizon). ``t50_years``/``t90_years``: the same in years.
    - ``final_adoption_share``; ``adopter_years``: area under the adopters curve (unit-years).
    - ``final_members``, ``participation_rate``, ``core_share``, ``active_share``,
      ``peripheral_share``: at the last week.
    - ``mean_knowledge``, ``sd_knowledge`` at the end; ``knowledge_retained``: mean knowledge at
      the end over its peak during the run (1 when nothing was lost; below 1 when retirements,
      e.g. a retirement wave, drained more than learning replaced).
    - ``cross_boundary_ties``, ``cross_boundary_trust``, ``repertoire`` at the end.
    - ``sharing_rate``: mean over weeks with community exchanges.
    - ``time_to_talent_weeks``: median weeks for a hire (hired at least two years before the
      end) to reach the competence threshold; hires who left first count as not reaching it;
      NaN with ``time_to_talent_censored`` when fewer than half got there or no one was hired.
    - ``coordinator_fte_years``: coordination time worked, from the weekly hours recorded
      (40 hours a week make one FTE); ``sponsor_level_years``: sponsorship in force summed over
      years.
    - ``top10_contribution_share``: share of community contributions made by the most active
      10 % of contributors (concentration of contributions).
    """
    share = ts["adoption_share"].to_numpy()
    last = ts.iloc[-1]
    t50, t90 = first_week_reaching(share, 0.5), first_week_reaching(share, 0.9)
    ttt = censored_median(hire_durations)
    exchanges = ts["sharing_rate"].to_numpy()[1:]
    active_weeks = exchanges[exchanges > 0]
    return {
        "t50_weeks": t50,
        "t90_weeks": t90,
        "t50_years": t50 / WEEKS_PER_YEAR,
        "t90_years": t90 / WEEKS_PER_YEAR,
        "t50_censored": math.isnan(t50),
        "t90_censored": math.isnan(t90),
        "final_adoption_share": float(last["adoption_share"]),
        "adopter_years": float(ts["adopters"].to_numpy()[1:].sum() / WEEKS_PER_YEAR),
        "final_members": int(last["members"]),
        "participation_rate": float(last["participation_rate"]),
        "core_share": float(last["core_share"]),
        "active_share": float(last["active_share"]),
        "peripheral_share": float(last["peripheral_share"]),
        "mean_knowledge": float(last["mean_knowledge"]),
        "sd_knowledge": float(last["sd_knowledge"]),
        "knowledge_retained": _retained(ts["mean_knowledge"].to_numpy()),
        "cross_boundary_ties": int(last["cross_boundary_ties"]),
        "cross_boundary_trust": float(last["cross_boundary_trust"]),
        "repertoire": float(last["repertoire"]),
        "sharing_rate": float(active_weeks.mean()) if active_weeks.size else 0.0,
        "time_to_talent_weeks": ttt,
        "time_to_talent_censored": math.isnan(ttt),
        "coordinator_fte_years": float(
            ts["coordinator_hours"].to_numpy()[1:].sum() / HOURS_PER_FTE_WEEK / WEEKS_PER_YEAR
        ),
        "sponsor_level_years": float(ts["sponsor_level"].to_numpy()[1:].sum() / WEEKS_PER_YEAR),
        "top10_contribution_share": top10_contribution_share,
    }


def _retained(mean_knowledge: np.ndarray) -> float:
    """Mean knowledge at the end over its peak (NaN if knowledge was zero throughout)."""
    peak = float(mean_knowledge.max())
    return float(mean_knowledge[-1] / peak) if peak > 0 else math.nan


def top_share(counts: np.ndarray, top: float = 0.1) -> float:
    """Share of the total made by the top ``top`` fraction of those with any count."""
    counts = np.sort(counts[counts > 0])[::-1]
    if counts.size == 0:
        return 0.0
    k = max(1, math.ceil(top * counts.size))
    return float(counts[:k].sum() / counts.sum())
