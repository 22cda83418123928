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
``stage``                   lifecycle stage code, see :data:`STAGES`
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

from .compiled import kernel, pairwise_sum

WEEKS_PER_YEAR = 52.0

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

#: outcomes that are counts (integers in :meth:`Recorder.frame`)
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

#: lifecycle stages of a community (Wenger, McDermott & Snyder 2002)
STAGES = ("none", "potential", "coalescing", "maturing", "stewardship", "transformation")


@kernel
def census(membership, knowledge, org_a, org_b, a, b, trust, stranger):  # pragma: no cover - compiled
    """The counts and totals behind this week's outcomes, in one pass over people and ties.

    Args:
        membership, knowledge: per practitioner.
        org_a, org_b, a, b, trust: per live tie, the organizations of its ends, its ends, trust.
        stranger: trust in someone in another organization for whoever has no such tie.

    Returns:
        ``(levels, knowledge_total, squared_deviations, member_knowledge_total, cross_ties,
        best_cross_trust_total)``: practitioners per membership level (0-3); the total of
        knowledge, of squared deviations from its mean and of members' knowledge; the ties
        between organizations; and the total over practitioners of their highest trust across
        a boundary. Totals are numpy's pairwise sums (:func:`copsim.compiled.pairwise_sum`), so
        means and SDs equal ``ndarray.mean()`` and ``.std()`` bit for bit.
    """
    n = knowledge.size
    peripheral = active = core = 0  # (three counts, not a table: the compiler vectorizes this)
    for x in range(n):
        peripheral += membership[x] == 1
        active += membership[x] == 2
        core += membership[x] == 3
    levels = np.array([n - peripheral - active - core, peripheral, active, core])
    total = pairwise_sum(knowledge)
    deviation = knowledge - total / n
    deviation *= deviation
    member_knowledge = np.empty(n)  # members' knowledge first: each written, kept if a member
    m = 0
    for x in range(n):
        member_knowledge[m] = knowledge[x]
        m += membership[x] > 0
    best = np.full(n, stranger)
    cross = 0
    for e in range(trust.size):
        if org_a[e] != org_b[e]:
            cross += 1
            best[a[e]] = max(best[a[e]], trust[e])
            best[b[e]] = max(best[b[e]], trust[e])
    member_total = pairwise_sum(member_knowledge[:m])
    return levels, total, pairwise_sum(deviation), member_total, cross, pairwise_sum(best)


class Recorder:
    """Preallocated weekly series: ``horizon_weeks + 1`` rows, one column per outcome."""

    def __init__(self, horizon_weeks: int) -> None:
        self.data = np.zeros((horizon_weeks + 1, len(COLUMNS)))
        self._index = {name: i for i, name in enumerate(COLUMNS)}

    def record(self, week: int, values: dict[str, float]) -> None:
        """Store ``values`` (every outcome's value, by name) as week ``week``'s row."""
        self.data[week] = [values[name] for name in COLUMNS]

    def column(self, name: str) -> np.ndarray:
        return self.data[:, self._index[name]]

    def frame(self, upto: int) -> pd.DataFrame:
        """Weeks 0..``upto`` as a table: ``week``, then every outcome (counts as integers).

        Built from one array per column (one block per column in pandas): several times faster
        than casting the columns of a 2-d frame one by one, and runs end with it.
        """
        rows = self.data[: upto + 1]
        columns = {"week": np.arange(upto + 1)}
        for k, name in enumerate(COLUMNS):
            columns[name] = rows[:, k].astype(np.int64 if name in COUNT_COLUMNS else np.float64)
        return pd.DataFrame(columns)


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


def summarize(
    ts: pd.DataFrame,
    hire_durations: np.ndarray,
    team_fte: float,
    community_enabled: bool,
    top10_contribution_share: float,
) -> dict:
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
    - ``coordinator_fte_years``: coordination FTE spent (team FTE x years, 0 without a
      community); ``sponsor_level_years``: sponsorship in force summed over years.
    - ``top10_contribution_share``: share of community contributions made by the most active
      10 % of contributors (concentration of contributions).
    """
    weeks = ts["week"].to_numpy()
    share = ts["adoption_share"].to_numpy()
    last = ts.iloc[-1]
    t50, t90 = first_week_reaching(share, 0.5), first_week_reaching(share, 0.9)
    ttt = censored_median(hire_durations)
    horizon = int(weeks[-1])
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
        "coordinator_fte_years": team_fte * horizon / WEEKS_PER_YEAR if community_enabled else 0.0,
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
