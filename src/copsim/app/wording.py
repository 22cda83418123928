"""Plain-language text for results: the headline, the paired statement, the result cards.

The rules (shared with ``copsim-report`` and ``copsim-run``, see :mod:`copsim.analysis.times`):

* a time is the time by which at least half of all runs got there; when fewer than half did,
  it is said as "not within 10 years", with the number of runs that did;
* two ranges, named apart: "95 % confidence" (how sure the number is) and "in 8 of 10 runs"
  (how much runs differ); with too few runs for the first, the text says so;
* a condition is called sooner than another only when the 95 % interval of the paired
  difference excludes zero; otherwise the text says they cannot be told apart with this many
  runs, and gives the count of runs each way.

Numbers are rounded for reading (years to one decimal, weeks to whole weeks); the CSV export
carries full precision.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from ..analysis.costs import CostRates
from ..analysis.times import PairedTimes, TimeSummary
from .cases import Case, case_of
from .results import Comparison, Estimate

#: coordinator FTE-years below which value for money is not shown: the gain is not all the
#: coordinator's doing (sponsor and members act too), so a ratio over a small cost swings wildly
MIN_FTE_YEARS_FOR_RATIO = 2.0


def years_text(horizon_years: float) -> str:
    """``10 years``, ``2.5 years``, ``1 year``."""
    value = f"{horizon_years:.1f}".rstrip("0").rstrip(".")
    return f"{value} year" if value == "1" else f"{value} years"


def not_reached(horizon_years: float) -> str:
    """How a censored result is said: ``not within 10 years``."""
    return f"not within {years_text(horizon_years)}"


def amount(value: float, unit: str) -> str:
    """A time as read aloud: ``7.3 years``, ``36 weeks`` (``unit``: years or weeks)."""
    if unit == "weeks":
        return f"{value:.0f} weeks"
    return f"{value:.1f} years"


def _number(value: float, unit: str) -> str:
    return f"{value:.0f}" if unit == "weeks" else f"{value:.1f}"


def time_range(lo: float, hi: float, unit: str, horizon: float) -> str:
    """``6.9–7.8 years``; an end past the horizon is said as such (``6.9 years to beyond 10 years``)."""
    if math.isinf(lo):
        return f"beyond {years_text(horizon)}"
    if math.isinf(hi):
        return f"{amount(lo, unit)} to beyond {years_text(horizon)}"
    return f"{_number(lo, unit)}–{amount(hi, unit)}"


def runs(k: int, n: int) -> str:
    return f"{k} of {n} runs"


def sureness(t: TimeSummary, unit: str, horizon: float) -> str:
    """How sure the time is: its 95 % interval, or that there are too few runs to say."""
    if not t.sure:
        return f"{t.n} runs are too few to say how sure (6 or more are needed)"
    return f"95 % confidence {time_range(t.lo, t.hi, unit, horizon)}"


def spread(t: TimeSummary, unit: str, horizon: float) -> str:
    """How much runs differ: ``in 8 of 10 runs 5.0–9.9 years``."""
    return f"in {runs(t.n_middle, t.n)} {time_range(t.runs_lo, t.runs_hi, unit, horizon)}"


def headline(case: Case, community: TimeSummary, baseline: TimeSummary, horizon: float) -> str:
    """The one sentence people copy: the case's time with the community, against dissemination alone.

    ``community`` and ``baseline`` are in the outcome's own unit (:attr:`Case.outcome`);
    ``horizon`` in years. The paired verdict follows in :func:`verdict`.
    """
    outcome = case.outcome
    unit = outcome.unit
    if community.reached:
        sure = (
            sureness(community, unit, horizon)
            if community.sure
            else f"{community.n} runs: too few to say how sure"
        )
        first = (
            f"{capital(outcome.subject)} within {amount(community.median, unit)} with the community ({sure})"
        )
    else:
        first = (
            f"In {runs(community.n_not_reached, community.n)}, {outcome.subject_not} within "
            f"{years_text(horizon)} with the community"
        )
    if baseline.reached:
        return f"{first}, against {amount(baseline.median, unit)} with dissemination alone."
    missed = runs(baseline.n_not_reached, baseline.n)
    return f"{first}; with dissemination alone, not within {years_text(horizon)} in {missed}."


def capital(text: str) -> str:
    return text[0].upper() + text[1:]


def verdict(case: Case, paired: PairedTimes, horizon: float) -> str:
    """Which is sooner, drawn from the paired runs (same chance events), only as far as they show it.

    The community is called sooner (or later) only when the 95 % interval of the paired difference
    excludes zero; otherwise the sentence says the two cannot be told apart with this many runs.
    Either way it gives the count of runs each way.
    """
    outcome = case.outcome
    n = paired.n
    counts = f"sooner in {paired.first_sooner} of {n} paired runs (same chance events)"
    counts += f", later in {paired.first_later or 'none'}"
    if paired.same:
        counts += f", at the same time in {paired.same}"
    if paired.neither:
        counts += f", neither within {years_text(horizon)} in {paired.neither}"
    if paired.first_surely_sooner:
        at_least = paired.sooner_by_at_least(outcome.per_year)
        return (
            f"Sooner beyond chance: with the community {outcome.subject} {counts}; "
            f"at least a year sooner in {at_least}."
        )
    if paired.first_surely_later:
        return f"Later beyond chance: with the community {outcome.subject} {counts}."
    too_few = (
        " (6 or more pairs in which either gets there are needed to tell)" if math.isnan(paired.lo) else ""
    )
    return (
        f"With {n} runs the community and dissemination alone cannot be told apart{too_few}: "
        f"{outcome.subject} {counts}."
    )


def difference_side(value: float, unit: str, first: str = "the community", second: str = "without") -> str:
    """One paired difference in words: ``2.4 years sooner``, ``0.5 years later``, ``only X gets there``."""
    if math.isinf(value):
        return f"only {first} gets there" if value > 0 else f"only {second} gets there"
    if value == 0:
        return "no difference"
    return f"{amount(abs(value), unit)} {'sooner' if value > 0 else 'later'}"


def paired_difference_text(
    paired: PairedTimes, unit: str, first: str = "the community", second: str = "without"
) -> str:
    """The middle paired difference and its 95 % interval: "2.4 years sooner in the middle pair
    (95 % confidence from 1.9 years sooner to 3.0 years sooner)"; says so when there are too few
    pairs for one. ``first``/``second`` name the two sides of a pair where only one got there."""
    if math.isnan(paired.median):
        return "no pair in which either got there"
    text = f"{difference_side(paired.median, unit, first, second)} in the middle pair"
    if math.isnan(paired.lo):
        return text + (
            f" ({paired.n_informative} pairs in which either got there are too few to say how sure; "
            "6 or more are needed)"
        )
    lo, hi = difference_side(paired.lo, unit, first, second), difference_side(paired.hi, unit, first, second)
    return text + (f" (95 % confidence: {lo})" if lo == hi else f" (95 % confidence from {lo} to {hi})")


@dataclass(frozen=True)
class Card:
    """One result card: a label, a short value and lines of detail."""

    label: str
    value: str
    detail: list[str]
    explain: str  # what the outcome is, for the help tooltip


def time_card(label: str, comparison: Comparison, key: str, unit: str, per_year: float, explain: str) -> Card:
    """A card for a time to a threshold: the time, how sure, how runs differ, not reached, baseline."""
    horizon = comparison.horizon_years
    t, base = comparison.time(key), comparison.time(key, "baseline")
    value = amount(t.median, unit) if t.reached else not_reached(horizon)
    detail = [sureness(t, unit, horizon) if t.reached else f"reached in {runs(t.n_reached, t.n)}"]
    detail.append(spread(t, unit, horizon))
    if t.reached and t.n_not_reached:
        detail.append(f"not within {years_text(horizon)} in {runs(t.n_not_reached, t.n)}")
    base_text = amount(base.median, unit) if base.reached else not_reached(horizon)
    detail.append(f"dissemination alone: {base_text}")
    paired = comparison.paired(key)
    detail.append(
        f"paired runs: sooner in {paired.first_sooner} of {paired.n}, later in {paired.first_later}"
    )
    return Card(label, value, detail, explain)


def _number_range(e: Estimate, fmt: str) -> list[str]:
    return [
        f"95 % confidence {e.lo:{fmt}}–{e.hi:{fmt}}" if e.n > 1 else "one run: no interval",
        f"in {runs(e.n_middle, e.n)} {e.runs_lo:{fmt}}–{e.runs_hi:{fmt}}",
    ]


def cards(comparison: Comparison) -> list[Card]:
    """The result cards: adoption speed, time-to-talent, membership, trust, cost and value."""
    case = case_of(comparison.scenario)
    within = years_text(comparison.horizon_years)
    out = [
        time_card(
            "Time to 50 % adoption",
            comparison,
            "t50_years",
            "years",
            1.0,
            f"Years until half of the {case.unit} use the practice: the time by which at least half of "
            "the runs got there (runs that did not are counted, not dropped).",
        ),
        time_card(
            "Time to 90 % adoption",
            comparison,
            "t90_years",
            "years",
            1.0,
            f"Years until nine in ten {case.unit} use the practice, counted the same way.",
        ),
        time_card(
            "Time-to-talent",
            comparison,
            "time_to_talent_weeks",
            "weeks",
            52.0,
            "Weeks until half of the new hires are competent in the practice, in the middle run.",
        ),
    ]
    members, core = comparison.outcome("final_members"), comparison.outcome("core_share")
    out.append(
        Card(
            f"Members after {within}",
            f"{members.mean:.0f}",
            [*_number_range(members, ".0f"), f"{100 * core.mean:.0f} % of them core members (average)"],
            "People taking part in the community at the end, averaged over runs; core members lead "
            "and contribute most (10–15 % in a mature community, Wenger et al. 2002).",
        )
    )
    trust = comparison.outcome("cross_boundary_trust")
    trust_base = comparison.outcome("cross_boundary_trust", "baseline")
    out.append(
        Card(
            "Trust across organizations",
            f"{trust.mean:.2f}",
            [*_number_range(trust, ".2f"), f"dissemination alone: {trust_base.mean:.2f}"],
            "Average trust (0 = none, 1 = complete) in someone in another organization, at the end.",
        )
    )
    out.append(cost_card(comparison))
    out.append(value_card(comparison, case))
    return out


def cost_card(comparison: Comparison) -> Card:
    """Coordinator time as set: team size x FTE each x years."""
    config = comparison.config
    team, fte = config.coordinator.team_size, config.coordinator.fte
    total = comparison.outcome("coordinator_fte_years").mean
    people = "1 coordinator" if team == 1 else f"{team} coordinators"
    return Card(
        "Coordinator time",
        f"{total:.1f} FTE-years",
        [
            f"{people} × {fte:.2f} FTE × {years_text(comparison.horizon_years)}",
            "one FTE-year is one person full-time for a year",
        ],
        "Coordinator time spent on the community: team size times each coordinator's FTE share "
        "times the years simulated.",
    )


def value_card(comparison: Comparison, case: Case) -> Card:
    """Extra unit-years of the practice in use per coordinator FTE-year, when the cost is large enough."""
    label = f"Extra {case.unit_singular}-years of use per FTE-year"
    explain = (
        f"For each full-time year of coordinator time: how many more years of the practice in use, "
        f"summed over {case.unit}, than with dissemination alone on the same chance events. "
        f"A {case.unit_singular}-year is one {case.unit_singular} using the practice for one year."
    )
    fte_years = comparison.outcome("coordinator_fte_years").mean
    gained = comparison.gained_per_fte_year()
    if gained is None or fte_years < MIN_FTE_YEARS_FOR_RATIO:
        return Card(
            label,
            "not shown",
            [
                f"coordinator time is {fte_years:.1f} FTE-years; below {MIN_FTE_YEARS_FOR_RATIO:g} the ratio "
                "is not stable (the gain is not all the coordinator's doing)"
            ],
            explain,
        )
    return Card(label, signed(gained.mean), gained_ranges(gained), explain)


def signed(value: float) -> str:
    """A gain that may be a loss, in words rather than a minus sign: ``6.3``, ``2.7 fewer``."""
    return f"{value:.1f}" if value >= 0 else f"{abs(value):.1f} fewer"


def gained_ranges(e: Estimate) -> list[str]:
    """How sure the average gain is, and how much runs differ, with losses said as "fewer"."""

    def span(lo: float, hi: float) -> str:
        if lo >= 0:
            return f"{lo:.1f}–{hi:.1f}"
        return (
            f"from {abs(lo):.1f} fewer to {hi:.1f} more" if hi >= 0 else f"{abs(hi):.1f}–{abs(lo):.1f} fewer"
        )

    sure = f"95 % confidence {span(e.lo, e.hi)}" if e.n > 1 else "one run: no interval"
    return [sure, f"in {runs(e.n_middle, e.n)} {span(e.runs_lo, e.runs_hi)}"]


def money(value: float) -> str:
    """Dollars as read aloud: ``$3.2 million``, ``$310,000``, ``$4,250``."""
    if abs(value) >= 1e6:
        return f"${value / 1e6:.1f} million"
    if abs(value) >= 1e4:
        return f"${round(value, -3):,.0f}"
    return f"${value:,.0f}"


def cost_cards(comparison: Comparison, rates: CostRates) -> list[Card]:
    """Cost in dollars over the horizon, and dollars per unit of the case's gain."""
    case = case_of(comparison.scenario)
    within = years_text(comparison.horizon_years)
    costs = comparison.costs(rates)
    total = costs["total"]
    names = {"coordinators": "coordinators", "support": "support team", "sponsor": "sponsor's time"}
    parts = ", ".join(f"{name} {money(costs[key].mean)}" for key, name in names.items())
    out = [
        Card(
            f"Cost over {within}",
            money(total.mean),
            [
                f"95 % confidence {money(total.lo)}–{money(total.hi)}"
                if total.lo != total.hi
                else "the same in every run",
                parts,
            ],
            "Coordinators' time, this community's share of the support team, and the sponsor's own time, "
            "each in FTE-years times its loaded annual cost (the rates below).",
        )
    ]
    key = case.outcome.key
    if key == "time_to_talent_weeks":
        label = "Cost per week of time-to-talent saved"
        unit, gain = "week saved in the middle new hire's time to competence", "week saved"
    else:
        label = f"Cost per extra {case.unit_singular}-year of use"
        unit = gain = f"extra {case.unit_singular}-year of the practice in use"
    ratio = comparison.cost_per_gain(rates, key)
    explain = f"Dollars per {unit}, against dissemination alone, run by run on the same chance events."
    if ratio is None:
        why = f"a run gains under one {gain} (or never gets there): a cost over a gain near zero misleads"
        out.append(Card(label, "not shown", [why], explain))
    else:
        out.append(
            Card(
                label,
                money(ratio.mean),
                [
                    f"95 % confidence {money(ratio.lo)}–{money(ratio.hi)}",
                    f"in {runs(ratio.n_middle, ratio.n)} {money(ratio.runs_lo)}–{money(ratio.runs_hi)}",
                ],
                explain,
            )
        )
    return out


def headline_for(comparison: Comparison) -> str:
    """The headline of a comparison, in its case's outcome."""
    case = case_of(comparison.scenario)
    key = case.outcome.key
    return headline(case, comparison.time(key), comparison.time(key, "baseline"), comparison.horizon_years)


def verdict_for(comparison: Comparison) -> str:
    """The paired verdict of a comparison, in its case's outcome."""
    case = case_of(comparison.scenario)
    return verdict(case, comparison.paired(case.outcome.key), comparison.horizon_years)


def describe_changes(overrides: list[str] | tuple[str, ...]) -> str:
    """The overrides in plain words (``coordinator 20 h/week, sponsor leaves in year 3``).

    Keys the page does not set are shown as they are; no overrides gives ``as in the case``.
    """
    words = []
    for item in overrides:
        key, _, value = item.partition("=")
        if key == "coordinator.fte":
            words.append(f"coordinator {float(value) * 40:g} h/week")
        elif key == "coordinator.team_size":
            words.append("1 coordinator" if value == "1" else f"{value} coordinators")
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
