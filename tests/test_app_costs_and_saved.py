"""Dollars (copsim.analysis.costs and the page's cost cards) and named saved scenarios (issue #20)."""

from __future__ import annotations

import io
import math

import numpy as np
import pandas as pd
import pytest

import copsim
from copsim.analysis.costs import BENEFITS_FACTOR, GS13_STEP1_DCB_2024, CostRates, loaded, run_costs
from copsim.api import EnsembleResult
from copsim.app import links, saved, wording
from copsim.app.levers import Request
from copsim.app.results import Comparison
from copsim.app.runner import JobOutput

NAN = math.nan


def comparison(scenario: str = "rumble_strips", n: int = 4, **community) -> Comparison:
    """A comparison from hand-made per-run values (no simulation)."""
    config = copsim.load_config(scenario)
    base = {
        "t50_years": [5.0] * n,
        "t90_years": [NAN] * n,
        "time_to_talent_weeks": [40.0 + r for r in range(n)],
        "final_members": [100] * n,
        "core_share": [0.1] * n,
        "cross_boundary_trust": [0.4] * n,
        "coordinator_fte_years": [config.coordinator.fte * config.coordinator.team_size * 10] * n,
        "sponsor_level_years": [config.sponsor.level * 10] * n,
        "adopter_years": [100.0 + 10 * r for r in range(n)],
        "sharing_rate": [0.4] * n,
    }

    def result(values, cfg):
        summary = pd.DataFrame({"replicate": range(n), "seed": range(n), **base, **values})
        return EnsembleResult(pd.DataFrame(), summary, cfg, list(range(n)))

    baseline_values = {
        "coordinator_fte_years": [0.0] * n,
        "sponsor_level_years": [0.0] * n,
        "adopter_years": [20.0] * n,
        "time_to_talent_weeks": [60.0 + r for r in range(n)],
    }
    off = copsim.load_config(scenario, ["community.enabled=false"])
    return Comparison(scenario, [], n, result(community, config), result(baseline_values, off))


def test_default_rates_are_cited_federal_pay_with_benefits():
    rates = CostRates()
    assert rates.coordinator == round(GS13_STEP1_DCB_2024 * (1 + BENEFITS_FACTOR)) == 160_723
    assert loaded(100_000) == 136_250
    with pytest.raises(ValueError, match="coordinator: -1"):
        CostRates(coordinator=-1).check()
    with pytest.raises(ValueError, match="sponsor_fte_at_full"):
        CostRates(sponsor_fte_at_full=2).check()


def test_a_runs_cost_is_coordinators_support_share_and_sponsor_time():
    c = comparison()  # rumble_strips: 0.9 FTE coordinator, support team of 3 for 5 communities, sponsor 0.6
    rates = CostRates(coordinator=100_000, support_staff=50_000, sponsor=200_000, sponsor_fte_at_full=0.1)
    costs = run_costs(c.community.summary, c.config, rates)
    assert costs["coordinators"] == pytest.approx([0.9 * 10 * 100_000] * 4)
    assert costs["support"] == pytest.approx([3 / 5 * 10 * 50_000] * 4)
    assert costs["sponsor"] == pytest.approx([0.6 * 10 * 0.1 * 200_000] * 4)
    assert costs["total"] == pytest.approx(costs["coordinators"] + costs["support"] + costs["sponsor"])
    baseline = run_costs(c.baseline.summary, c.baseline.config, rates)
    assert (baseline["total"] == 0).all()  # dissemination alone: no community, no support share


def test_cost_inputs_change_the_dollars_but_not_the_results():
    c = comparison()
    cheap, dear = CostRates(coordinator=50_000), CostRates(coordinator=200_000)
    before = c.community.summary.copy()
    low, high = ({k.label: k for k in wording.cost_cards(c, r)} for r in (cheap, dear))
    assert low["Cost over 10 years"].value != high["Cost over 10 years"].value
    pd.testing.assert_frame_equal(c.community.summary, before)
    assert wording.headline_for(c) == wording.headline_for(c)
    gain = np.array([100.0 + 10 * r - 20 for r in range(4)])  # extra state-years of use per run
    total = run_costs(c.community.summary, c.config, dear)["total"]
    per = high["Cost per extra state-year of use"]
    assert per.value == wording.money(np.mean(total / gain))


def test_cost_per_gain_is_not_shown_over_a_gain_near_zero():
    c = comparison(adopter_years=[20.5, 40.0, 50.0, 60.0])  # one run gains half a state-year
    card = {k.label: k for k in wording.cost_cards(c, CostRates())}["Cost per extra state-year of use"]
    assert card.value == "not shown" and "near zero" in card.detail[0]


def test_company_commands_cost_is_per_week_of_time_to_talent_saved():
    c = comparison("company_command")
    cards = {k.label: k for k in wording.cost_cards(c, CostRates())}
    total = run_costs(c.community.summary, c.config, CostRates())["total"]
    assert cards["Cost per week of time-to-talent saved"].value == wording.money(np.mean(total / 20.0))


def test_money_is_said_aloud():
    assert wording.money(3_240_000) == "$3.2 million"
    assert wording.money(312_345) == "$312,000"
    assert wording.money(4_250) == "$4,250"


def test_rates_travel_in_the_link_and_bad_ones_are_named():
    request = Request("safecities", (), 10)
    rates = CostRates(coordinator=150_000, sponsor_fte_at_full=0.1)
    query = links.to_query(request, [], rates)
    back = links.from_query({k: v if isinstance(v, list) else [v] for k, v in query.items()})
    assert back.rates == rates and back.problems == []
    assert "rates" not in links.to_query(request, [], CostRates())
    bad = links.from_query({"rates": ["1,2,nope,0.1"]})
    assert bad.rates == CostRates() and bad.problems and bad.problems[0].startswith("rates:")


def test_saved_names_are_one_short_line_of_plain_text_and_travel_in_the_link():
    assert saved.clean_name("  Plan\tB | with\nboard  ") == "Plan B with board"
    assert len(saved.clean_name("x" * 500)) == saved.MAX_NAME
    request = Request("safecities", ("coordinator.fte=0.5",), 10)
    item = saved.Saved.of(request, "Half-time, with board")
    unnamed = saved.Saved.of(Request("safecities", (), 10))
    assert unnamed.name == "SafeCities, as in the case, 10 runs"
    query = links.to_query(Request("safecities", (), 10), [item, unnamed])
    back = links.from_query({k: v if isinstance(v, list) else [v] for k, v in query.items()})
    assert back.saved == [item, unnamed] and back.problems == []
    assert item.label(1) == "B: Half-time, with board"


def test_saved_comparison_names_the_scenarios_and_pairs_only_the_same_case():
    a = saved.Saved.of(Request("rumble_strips", (), 8), "As planned")
    b = saved.Saved.of(Request("rumble_strips", ("coordinator.fte=0.5",), 8), "Half-time")
    first = JobOutput(comparison(n=8, t50_years=[5.0 + 0.1 * r for r in range(8)]), None)
    second = JobOutput(comparison(n=8, t50_years=[6.0 + 0.1 * r for r in range(8)]), None)
    line = saved.difference(a, first, b, second, "B")
    assert line.startswith("Time to 50 % adoption: B is later than A beyond chance; B sooner in 0 of 8 runs")
    other_case = saved.Saved.of(Request("safecities", (), 8))
    assert "not paired" in saved.difference(a, first, other_case, second, "C")
    table = pd.read_csv(io.StringIO(saved.table_csv([(a, first), (b, second)])))
    assert list(table.columns[:2]) == ["scenario_name", "case"]
    assert set(table["scenario_name"]) == {"As planned", "Half-time"}
