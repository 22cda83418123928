"""Plain-language text for results: the headline sentence, result cards, censoring.

Numbers are rounded for reading (years to one decimal); the CSV export carries full precision.
A time that was not reached within the horizon is said as "not reached within 10 years", never
shown as 0 or as the horizon. A time's 95 % interval is shown from 0 at the lowest (a t-interval
over few runs can dip below 0; a time cannot). When fewer than half of the runs reach a time, the page says it
was not reached (and in how many runs it was), since an average over the few that got there
would flatter the option.
"""

from __future__ import annotations

from dataclasses import dataclass

from .cases import CASES
from .results import Comparison, Estimate

#: a difference below this many years is said as "about as fast"
SAME_YEARS = 0.05


def years_text(horizon_years: float) -> str:
    """``10 years``, ``2.5 years``, ``1 year``."""
    value = f"{horizon_years:.1f}".rstrip("0").rstrip(".")
    return f"{value} year" if value == "1" else f"{value} years"


def not_reached(horizon_years: float) -> str:
    """How a censored result is said: ``not reached within 10 years``."""
    return f"not reached within {years_text(horizon_years)}"


def _runs(k: int, n: int) -> str:
    return f"{k} of {n} runs"


def mostly_censored(est: Estimate) -> bool:
    """Fewer than half of the runs reached the value: an average over the few would mislead."""
    return 2 * est.n_reached < est.n


def headline(unit: str, community: Estimate, baseline: Estimate, difference: Estimate, horizon: float) -> str:
    """The one sentence that says how fast half of the adopting units adopt, against the baseline.

    ``community`` and ``baseline`` estimate ``t50_years`` (years); ``difference`` is the paired
    baseline-minus-community difference (positive: the community is faster); ``horizon`` is the
    simulated period in years.

    >>> headline("states", Estimate(3.2, 2.9, 3.5, 10, 10), Estimate(5.6, 5.2, 6.0, 10, 10),
    ...          Estimate(2.4, 2.1, 2.7, 10, 10), 10.0)
    'Half of the states adopt within 3.2 years (2.9–3.5), 2.4 years sooner than dissemination alone.'
    """
    within = years_text(horizon)
    if mostly_censored(community):
        runs = "any run" if community.none_reached else _runs(community.n - community.n_reached, community.n)
        first = f"Half of the {unit} do not adopt within {within} in {runs}"
        if mostly_censored(baseline):
            return first + ", nor with dissemination alone."
        return (
            first + f"; with dissemination alone they do in {_runs(baseline.n_reached, baseline.n)}, "
            f"within {baseline.mean:.1f} years on average."
        )
    lo = max(community.lo, 0.0)
    first = f"Half of the {unit} adopt within {community.mean:.1f} years ({lo:.1f}–{community.hi:.1f})"
    if not community.all_reached:
        first += (
            f" in the {_runs(community.n_reached, community.n)} that get there; "
            f"in the other {community.n - community.n_reached} not within {within}"
        )
    if mostly_censored(baseline):
        return first + f", while dissemination alone does not get half of them there within {within}."
    if not baseline.all_reached:
        return (
            first + "; dissemination alone gets half of them there in only "
            f"{_runs(baseline.n_reached, baseline.n)} within {within}."
        )
    if not community.all_reached:
        return first + "; dissemination alone gets there in every run."
    if abs(difference.mean) < SAME_YEARS:
        return first + ", about as fast as dissemination alone."
    direction = "sooner" if difference.mean > 0 else "later"
    return first + f", {abs(difference.mean):.1f} years {direction} than dissemination alone."


@dataclass(frozen=True)
class Card:
    """One result card: a label, a short value and a line of detail."""

    label: str
    value: str
    detail: str
    explain: str  # one-line explanation of the outcome, for the help tooltip


def time_value(est: Estimate, horizon: float, scale: float = 1.0) -> tuple[str, str]:
    """(value, detail) for a time outcome; ``scale`` converts the estimate's unit to years."""
    if mostly_censored(est):
        return not_reached(horizon), (
            "" if est.none_reached else f"reached in only {_runs(est.n_reached, est.n)}"
        )
    detail = f"95 % range {max(est.lo, 0.0) * scale:.1f}–{est.hi * scale:.1f}"
    if not est.all_reached:
        detail += f"; reached in {_runs(est.n_reached, est.n)}"
    return f"{est.mean * scale:.1f} years", detail


def _time_card(
    label: str, est: Estimate, base: Estimate, horizon: float, explain: str, scale: float = 1.0
) -> Card:
    value, detail = time_value(est, horizon, scale)
    base_value, _ = time_value(base, horizon, scale)
    if not base.all_reached and not base.none_reached:
        base_value += f" ({_runs(base.n_reached, base.n)} reached it)"
    detail = (detail + "; " if detail else "") + f"dissemination alone: {base_value}"
    return Card(label, value, detail, explain)


def cards(comparison: Comparison) -> list[Card]:
    """The result cards: adoption speed, membership, trust, time-to-talent and cost."""
    case = CASES[comparison.scenario]
    horizon = comparison.config.horizon_weeks / 52.0
    within = years_text(horizon)
    out = [
        _time_card(
            "Time to 50 % adoption",
            comparison.outcome("t50_years"),
            comparison.outcome("t50_years", "baseline"),
            horizon,
            f"Years until half of the {case.unit} use the practice.",
        ),
        _time_card(
            "Time to 90 % adoption",
            comparison.outcome("t90_years"),
            comparison.outcome("t90_years", "baseline"),
            horizon,
            f"Years until nine in ten {case.unit} use the practice.",
        ),
    ]
    members, core = comparison.outcome("final_members"), comparison.outcome("core_share")
    out.append(
        Card(
            f"Members after {within}",
            f"{members.mean:.0f}",
            f"95 % range {members.lo:.0f}–{members.hi:.0f}; {100 * core.mean:.0f} % of them core members",
            "People taking part in the community at the end; core members lead and contribute most "
            "(10–15 % in a mature community, Wenger et al. 2002).",
        )
    )
    trust = comparison.outcome("cross_boundary_trust")
    trust_base = comparison.outcome("cross_boundary_trust", "baseline")
    out.append(
        Card(
            "Trust across organizations",
            f"{trust.mean:.2f}",
            f"95 % range {trust.lo:.2f}–{trust.hi:.2f}; dissemination alone: {trust_base.mean:.2f}",
            "Average trust (0 = none, 1 = complete) on ties between people in different organizations.",
        )
    )
    out.append(
        _time_card(
            "Time-to-talent",
            comparison.outcome("time_to_talent_weeks"),
            comparison.outcome("time_to_talent_weeks", "baseline"),
            horizon,
            "How long a new hire takes to become competent in the practice (median over hires).",
            scale=1 / 52.0,
        )
    )
    cost = comparison.outcome("coordinator_fte_years")
    out.append(
        Card(
            "Cost in FTE-years",
            f"{cost.mean:.1f}",
            f"coordinator time over {within}; one FTE-year is one person full-time for a year",
            "Coordinator time spent on the community, in full-time-equivalent years.",
        )
    )
    gained = comparison.gained_per_fte_year()
    if gained is None:
        value, detail = "none", "no coordinator time spent"
    else:
        value = f"{gained.mean:.1f} years"
        detail = (
            f"95 % range {gained.lo:.1f}–{gained.hi:.1f}; extra {case.unit_singular}-years of use "
            "per FTE-year of coordinator time"
        )
    out.append(
        Card(
            "Gain per FTE-year",
            value,
            detail,
            f"Extra years of the practice in use, summed over {case.unit}, compared with dissemination "
            "alone, for each full-time year of coordinator time.",
        )
    )
    return out


def describe_changes(overrides: list[str]) -> str:
    """The overrides in plain words (``coordinator 20 h/week, sponsor leaves in year 3``).

    Keys the page does not set are shown as they are; no overrides gives ``as in the case``.
    """
    words = []
    for item in overrides:
        key, _, value = item.partition("=")
        if key == "coordinator.fte":
            words.append(f"coordinator {float(value) * 40:g} h/week")
        elif key == "coordinator.technical_competence":
            words.append(f"coordinator knowledge {value}")
        elif key == "coordinator.interpersonal_competence":
            words.append(f"coordinator people skills {value}")
        elif key == "sponsor.level":
            words.append(f"sponsorship {value}")
        elif key == "sponsor.mandate":
            words.append("mandated participation" if value == "true" else "voluntary participation")
        elif key == "sponsor.board":
            words.append("with sponsor board" if value == "true" else "no sponsor board")
        elif key == "sponsor.departure_week":
            week = int(value)
            words.append("sponsor stays" if week < 0 else f"sponsor leaves in year {week / 52:g}")
        elif key == "support_team.enabled":
            words.append("with support team" if value == "true" else "no support team")
        elif key == "demography.wave":
            words.append("retirement wave" if value == "true" else "no retirement wave")
        elif key == "horizon_weeks":
            words.append(f"horizon {years_text(int(value) / 52.0)}")
        else:
            words.append(item)
    return ", ".join(words) if words else "as in the case"
