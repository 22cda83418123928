"""The dashboard's plain logic: levers, links, wording, export, the queue and the server."""

from __future__ import annotations

import asyncio
import dataclasses
import html
import io
import logging
import math
import re
import shlex
import socket
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from omegaconf import OmegaConf

import copsim
from copsim.analysis.case_status import case_status
from copsim.analysis.times import summarize_times
from copsim.api import EnsembleResult
from copsim.app import export, levers, links, runner, wording
from copsim.app.cases import CASES
from copsim.app.cli import AddressError, check_address
from copsim.app.cli import main as app_main
from copsim.app.levers import Request
from copsim.app.network_picture import MAX_ORGS, draw_network, snapshot_network
from copsim.app.results import Comparison, estimate
from copsim.app.runner import Dispatcher, middle_replicate
from copsim.app.saved import Saved
from copsim.app.server import LocalGuard, is_loopback, streamlit_options
from copsim.cli import check_arguments

ARTICLE = Path("/work/shared/reference/cop-in-government-article.txt")
SMALL = ["world.n_organizations=12", "world.n_practitioners=90", "horizon_weeks=80"]
NAN = math.nan


def default_levers(scenario: str = "rumble_strips") -> levers.Levers:
    return levers.levers_from_config(copsim.load_config(scenario))


# ------------------------------------------------------------------------------------ cases
def test_the_four_cases_are_the_scenarios_and_bass_is_not_offered():
    assert set(CASES) == set(copsim.scenario_names()) - {"bass"}
    assert {c.unit for c in CASES.values()} == {"states", "agencies", "cities", "companies"}


@pytest.mark.skipif(not ARTICLE.exists(), reason="source article not on this machine")
def test_each_case_quotes_two_sentences_verbatim_from_the_article():
    text = " ".join(ARTICLE.read_text(encoding="utf-8").split())
    for case in CASES.values():
        for sentence in case.sentences:
            assert sentence in text, (case.scenario, sentence)


def test_each_case_headline_speaks_to_its_outcome_in_the_article():
    assert CASES["company_command"].outcome.key == "time_to_talent_weeks"
    assert "commanders become competent" in CASES["company_command"].outcome.subject
    for scenario in ("rumble_strips", "e_regulation", "safecities"):
        assert CASES[scenario].outcome.key == "t50_years"
        assert CASES[scenario].outcome.subject == f"half of the {CASES[scenario].unit} adopt the practice"


def test_every_case_has_one_status_line_and_unknown_cases_are_illustrative():
    for scenario in copsim.scenario_names():
        line = case_status(scenario)
        assert line.startswith(("Illustrative, not a forecast: ", "Calibrated: ")) and line.endswith(".")
    assert case_status("my_town").startswith("Illustrative, not a forecast")


# ------------------------------------------------------------------------------------ levers
def test_unchanged_levers_give_no_overrides_for_every_case():
    for scenario in CASES:
        assert levers.to_overrides(scenario, default_levers(scenario)) == []


def test_each_lever_sets_its_config_key():
    chosen = dataclasses.replace(
        default_levers(),
        coordinator_hours=20,
        coordinator_team=3,
        technical_competence=0.3,
        interpersonal_competence=0.95,
        sponsor_level=0.25,
        mandate=True,
        sponsor_board=True,
        sponsor_departure_year=3,
        support_team=False,
        retirement_wave=True,
    )
    config, overrides = levers.build_config("rumble_strips", chosen)
    assert config.coordinator.fte == 0.5 and config.coordinator.team_size == 3
    assert (config.coordinator.technical_competence, config.coordinator.interpersonal_competence) == (
        0.3,
        0.95,
    )
    assert config.sponsor.level == 0.25 and config.sponsor.mandate and config.sponsor.board
    assert config.sponsor.departure_week == 156
    assert not config.support_team.enabled and config.demography.wave
    assert overrides[:2] == ["coordinator.fte=0.5", "coordinator.team_size=3"]
    assert "sponsor.departure_week=156" in overrides
    assert [o.partition("=")[0] for o in overrides] == list(levers.LEVER_KEYS)
    assert set(levers.HELP) == set(levers.LEVER_KEYS)


def test_company_commands_coordinator_team_is_visible_as_a_lever():
    assert default_levers("company_command").coordinator_team == 4
    assert levers.lever_values(default_levers("company_command"))["coordinator.team_size"] == "4"


def test_out_of_range_or_non_finite_levers_stop_with_a_config_error():
    with pytest.raises(copsim.ConfigError, match=r"coordinator.fte: 2.0 is out of range"):
        levers.build_config("rumble_strips", dataclasses.replace(default_levers(), coordinator_hours=80))
    with pytest.raises(copsim.ConfigError, match="finite"):
        levers.build_config("rumble_strips", dataclasses.replace(default_levers(), sponsor_level=math.nan))
    with pytest.raises(copsim.ConfigError, match=r"sponsor\.level"):
        levers.build_config("rumble_strips", dataclasses.replace(default_levers(), sponsor_level=-0.1))
    with pytest.raises(copsim.ConfigError, match=r"coordinator\.team_size: 11 is out of range"):
        levers.build_config("rumble_strips", dataclasses.replace(default_levers(), coordinator_team=11))


def test_only_the_four_cases_and_bounded_replicates_are_accepted():
    with pytest.raises(copsim.ConfigError, match="scenario: 'bass' is not offered"):
        levers.to_overrides("bass", default_levers())
    for bad in (1, 31, 2.5, True, "10"):
        with pytest.raises(copsim.ConfigError, match="replicates"):
            levers.check_replicates(bad)
    assert levers.check_replicates(2) == 2 and levers.check_replicates(30) == 30


def test_baseline_switches_off_the_community_and_keeps_every_lever_a_baseline_reads():
    config = copsim.load_config(
        "safecities", ["coordinator.fte=0.5", "sponsor.level=0.3", "demography.wave=true"]
    )
    baseline = levers.baseline_of(config)
    assert not baseline.community.enabled and config.community.enabled
    assert baseline.coordinator == levers.scenario_defaults("safecities").coordinator  # not read without it
    assert dataclasses.replace(baseline, community=config.community, coordinator=config.coordinator) == config


def test_a_request_is_the_case_the_changed_levers_and_the_runs():
    chosen = dataclasses.replace(default_levers("safecities"), coordinator_hours=20)
    request = Request.of("safecities", chosen, 4)
    assert request == Request("safecities", ("coordinator.fte=0.5",), 4)
    assert request.config() == copsim.load_config("safecities", ["coordinator.fte=0.5"])
    assert Request.of("safecities", default_levers("safecities"), 4) != request


def summary_of(scenario: str, overrides: list[str]) -> dict:
    return copsim.simulate(copsim.load_config(scenario, [*SMALL, *overrides])).summary


def same(a: dict, b: dict) -> bool:
    return all((a[k] == b[k]) or (a[k] != a[k] and b[k] != b[k]) for k in a)


def test_what_each_levers_help_says_overrides_it_does_override_it():
    # "At 0 ... the coordinator's knowledge and people skills no longer matter"
    idle = ["coordinator.fte=0"]
    assert same(
        summary_of("rumble_strips", idle),
        summary_of("rumble_strips", [*idle, "coordinator.technical_competence=0.1",
                                      "coordinator.interpersonal_competence=0.1", "coordinator.team_size=5"]),
    )  # fmt: skip
    # "At 0 a mandate has no effect, and neither does the sponsor leaving"
    unsponsored = ["sponsor.level=0"]
    assert same(
        summary_of("safecities", unsponsored),
        summary_of("safecities", [*unsponsored, "sponsor.mandate=true", "sponsor.departure_week=20"]),
    )
    # a board "matters only when the sponsor leaves"
    assert same(summary_of("e_regulation", []), summary_of("e_regulation", ["sponsor.board=true"]))
    # the wave "acts with and without the community"
    assert "with and without the community" in levers.HELP["demography.wave"]
    assert not same(
        summary_of("e_regulation", ["community.enabled=false"]),
        summary_of("e_regulation", ["community.enabled=false", "demography.wave=true"]),
    )
    # and each of these levers does act when nothing overrides it
    assert not same(summary_of("safecities", []), summary_of("safecities", ["sponsor.mandate=true"]))
    assert not same(
        summary_of("e_regulation", ["sponsor.departure_week=20"]),
        summary_of("e_regulation", ["sponsor.departure_week=20", "sponsor.board=true"]),
    )


# ------------------------------------------------------------------------------------ links
def test_a_link_round_trips_the_settings_and_the_saved_scenarios():
    chosen = dataclasses.replace(default_levers("safecities"), coordinator_hours=20, sponsor_board=True)
    request = Request.of("safecities", chosen, 12)
    saved = [Saved.of(request, "Plan B"), Saved.of(Request("rumble_strips", (), 10))]
    query = links.to_query(request, saved)
    assert query["set"] == ["coordinator.fte=0.5", "sponsor.board=true"]
    back = links.from_query({k: v if isinstance(v, list) else [v] for k, v in query.items()})
    assert back.problems == []
    assert (back.scenario, back.replicates, back.levers) == ("safecities", 12, chosen)
    assert back.saved == saved


def test_a_bad_link_keeps_what_is_good_and_names_each_problem_in_one_line():
    back = links.from_query(
        {
            "case": ["safecities"],
            "runs": ["500"],
            "set": ["coordinator.fte=0.5", "world.n_practitioners=2000000", "sponsor.level=7"],
            "saved": ["bass/10/", "safecities/x/", "safecities/10/coordinator.fte=0.25"],
        }
    )
    assert back.scenario == "safecities" and back.replicates == levers.DEFAULT_REPLICATES
    assert back.levers.coordinator_hours == 20
    assert [item.request for item in back.saved] == [Request("safecities", ("coordinator.fte=0.25",), 10)]
    assert len(back.problems) == 5 and all("\n" not in p for p in back.problems)
    assert any(p.startswith("world.n_practitioners: not a lever") for p in back.problems)
    assert any("sponsor.level: 7" in p for p in back.problems)


# ------------------------------------------------------------------------------------ wording
def fake_comparison(
    community: dict, baseline: dict, scenario: str = "rumble_strips", overrides=(), n: int | None = None
) -> Comparison:
    """A comparison from hand-made per-run values (no simulation), for checking what is said."""
    config = copsim.load_config(scenario, list(overrides))
    n = n or len(next(iter(community.values())))
    defaults = {
        "t50_years": [5.0] * n,
        "t90_years": [NAN] * n,
        "final_members": [100 + r for r in range(n)],
        "core_share": [0.12] * n,
        "cross_boundary_trust": [0.4] * n,
        "time_to_talent_weeks": [52.0] * n,
        "coordinator_fte_years": [config.coordinator.fte * config.coordinator.team_size * 10] * n,
        "adopter_years": [100.0 + 9 * r for r in range(n)],
        "sharing_rate": [0.4] * n,
    }

    def result(values):
        summary = pd.DataFrame({"replicate": range(n), "seed": range(n), **defaults, **values})
        return EnsembleResult(pd.DataFrame(), summary, config, list(range(n)))

    base = {"coordinator_fte_years": [0.0] * n, "adopter_years": [10.0] * n, **baseline}
    return Comparison(scenario, list(overrides), n, result(community), result(base))


def numbers_in(text: str) -> list[float]:
    return [float(x) for x in re.findall(r"(?<![\w.])-?\d+(?:\.\d+)?", text)]


def test_times_count_every_run_and_never_average_only_those_that_got_there():
    # issue #19: 5 of 10 runs at 8 years was said "8.0 years"; 4 of 10 is not reached
    c = fake_comparison({"t90_years": [8.0] * 4 + [NAN] * 6}, {})
    card = {k.label: k for k in wording.cards(c)}["Time to 90 % adoption"]
    assert card.value == "not within 10 years"
    assert card.detail[0] == "reached in 4 of 10 runs"
    # a mean over the 6 that get there would say 3.0; over all runs half get there by year 6
    c = fake_comparison({"t50_years": [1.0, 1.0, 1.0, 1.0, 6.0, 7.0, NAN, NAN, NAN, NAN]}, {})
    card = {k.label: k for k in wording.cards(c)}["Time to 50 % adoption"]
    assert card.value == "6.0 years"
    assert "not within 10 years in 4 of 10 runs" in card.detail


def test_headline_names_both_ranges_and_the_verdict_says_sooner_only_beyond_chance():
    community = [4.0, 4.2, 4.4, 4.6, 4.8, 5.0, 5.2, 5.4, 5.6, 5.8]
    clearly = fake_comparison({"t50_years": community}, {"t50_years": [t + 2 for t in community]})
    assert wording.headline_for(clearly) == (
        "Half of the states adopt the practice within 4.8 years with the community (95 % confidence "
        "4.2–5.6 years), against 6.8 years with dissemination alone."
    )
    assert wording.verdict_for(clearly) == (
        "Sooner beyond chance: with the community half of the states adopt the practice sooner in 10 of 10 "
        "paired runs (same chance events), later in none; at least a year sooner in 10."
    )
    noisy = fake_comparison({"t50_years": community}, {"t50_years": community[::-1]})
    assert wording.verdict_for(noisy) == (
        "With 10 runs the community and dissemination alone cannot be told apart: half of the states adopt "
        "the practice sooner in 5 of 10 paired runs (same chance events), later in 5."
    )
    few = fake_comparison({"t50_years": [3.0, 4.0]}, {"t50_years": [5.0, 6.0]})
    assert wording.headline_for(few) == (
        "Half of the states adopt the practice within 3.0 years with the community (2 runs: too few to say "
        "how sure), against 5.0 years with dissemination alone."
    )
    assert wording.verdict_for(few).startswith(
        "With 2 runs the community and dissemination alone cannot be told apart (6 or more pairs in which "
        "either gets there are needed to tell): half of the states adopt the practice sooner in 2 of 2"
    )


def test_headline_when_half_never_get_there():
    c = fake_comparison({"t50_years": [3.0] + [NAN] * 9}, {"t50_years": [NAN] * 10})
    assert wording.headline_for(c) == (
        "In 9 of 10 runs, half of the states do not adopt the practice within 10 years with the community; "
        "with dissemination alone, not within 10 years in 10 of 10 runs."
    )
    assert "neither within 10 years in 9" in wording.verdict_for(c)


def test_company_commands_headline_is_time_to_talent():
    c = fake_comparison(
        {"time_to_talent_weeks": [30.0 + r for r in range(10)]},
        {"time_to_talent_weeks": [45.0 + r for r in range(10)]},
        scenario="company_command",
    )
    assert wording.headline_for(c) == (
        "Half of the new company commanders become competent within 34 weeks with the community "
        "(95 % confidence 31–38 weeks), against 49 weeks with dissemination alone."
    )
    assert "at least a year sooner in 0" in wording.verdict_for(c)  # 15 weeks sooner, not a year


def test_no_count_or_share_on_the_cards_leaves_its_bounds():
    # two runs that differ wildly: a t-interval of members would dip below zero (issue #19: "-21-29")
    c = fake_comparison(
        {"final_members": [4, 54], "cross_boundary_trust": [0.02, 0.98], "t50_years": [0.5, 9.5]}, {}
    )
    members = c.outcome("final_members")
    assert members.lo == 0.0 and members.hi > 54
    for card in wording.cards(c):
        for line in [card.value, *card.detail]:
            assert all(x >= 0 for x in numbers_in(line.replace("–", " "))), (card.label, line)
        if card.label == "Trust across organizations":
            assert card.detail[0] == "95 % confidence 0.00–1.00"  # a share's interval stays within 0-1


def test_cost_card_shows_the_team_as_set_and_value_for_money_in_units_said_aloud():
    c = fake_comparison({}, {}, scenario="company_command", n=4)
    cards = {k.label: k for k in wording.cards(c)}
    cost = cards["Coordinator time"]
    assert cost.value == "20.0 FTE-years"  # 4 coordinators at 0.50 FTE for 10 years
    assert cost.detail[0] == "4 coordinators × 0.50 FTE × 10 years"
    value = cards["Extra company-years of use per FTE-year"]
    assert value.value == f"{np.mean([(100 + 9 * r - 10) / 20 for r in range(4)]):.1f}"
    # too little coordinator time for a stable ratio: not shown, and said why
    tiny = fake_comparison({"coordinator_fte_years": [0.5] * 4}, {}, n=4)
    value = {k.label: k for k in wording.cards(tiny)}["Extra state-years of use per FTE-year"]
    assert value.value == "not shown" and "not stable" in value.detail[0]


def test_describe_changes_in_plain_words():
    text = wording.describe_changes(
        [
            "coordinator.fte=0.5",
            "coordinator.team_size=2",
            "sponsor.departure_week=156",
            "sponsor.mandate=true",
        ]
    )
    assert text == "coordinator 20 h/week, 2 coordinators, sponsor leaves in year 3, mandated participation"
    assert wording.describe_changes([]) == "as in the case"


def test_estimate_is_an_average_with_two_named_ranges():
    est = estimate(np.arange(1.0, 11.0))
    assert est.mean == 5.5 and (est.runs_lo, est.runs_hi, est.n_middle) == (2.0, 9.0, 8)
    with pytest.raises(ValueError, match="every run needs a value"):
        estimate(np.array([1.0, NAN]))


# ------------------------------------------------------------------------------------ export
def test_exported_command_line_validates_to_the_same_config_as_the_page():
    chosen = dataclasses.replace(default_levers("safecities"), coordinator_hours=20, sponsor_board=True)
    config, overrides = levers.build_config("safecities", chosen)
    command = export.command_line("safecities", overrides, 12)
    assert command == "copsim-run scenario=safecities coordinator.fte=0.5 sponsor.board=true replicates=12"
    args = shlex.split(command)
    assert args[0] == "copsim-run"
    assert check_arguments(args[1:]) == config


def test_downloads_are_named_after_the_case_and_settings():
    a = Request("safecities", ("coordinator.fte=0.5", "sponsor.board=true"), 10)
    assert export.file_stem(a) == "whatif-safecities-fte0.5-board-true-10runs"
    stems = {
        export.file_stem(r)
        for r in (
            a,
            Request("safecities", (), 10),
            Request("safecities", (), 12),
            Request("e_regulation", (), 10),
        )
    }
    assert len(stems) == 4


def test_csv_rows_carry_the_settings_and_say_not_reached():
    c = fake_comparison(
        {"t50_years": [3.0, NAN]}, {"t50_years": [NAN, NAN]}, overrides=["coordinator.fte=0.5"]
    )
    table = pd.read_csv(io.StringIO(export.results_csv(c)), keep_default_na=False)
    assert list(table.columns[:3]) == ["case", "runs", "coordinator.fte"]
    assert set(table["case"]) == {"rumble_strips"} and set(table["coordinator.fte"]) == {0.5}
    assert list(table["t50_years"]) == ["3.0", "not reached", "not reached", "not reached"]
    assert "" not in set(table["t50_years"])


def test_experiment_yaml_carries_the_scenario_overrides_and_replicates():
    text = export.experiment_yaml("e_regulation", ["coordinator.fte=0.5", "sponsor.mandate=true"], 7, "E-Reg")
    assert text.startswith("# @package _global_\n")
    assert "  - override /scenario: e_regulation" in text
    data = OmegaConf.to_container(OmegaConf.create(text))
    assert data["coordinator"] == {"fte": 0.5} and data["sponsor"] == {"mandate": True}
    assert data["replicates"] == 7


def test_experiment_yaml_runs_through_copsim_run_to_the_same_numbers(tmp_path):
    pytest.importorskip("copsim.experiments.runner")
    overrides = [*SMALL, "coordinator.fte=0.5"]
    path = tmp_path / "whatif.yaml"
    path.write_text(export.experiment_yaml("e_regulation", overrides, 2))
    out = tmp_path / "out"
    executable = Path(sys.executable).with_name("copsim-run")
    done = subprocess.run(
        [str(executable), f"+experiment={path}", "-m", f"out={out}"],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stderr
    runs = pd.read_parquet(out / "runs.parquet")
    community = runs[runs["community.enabled"]].sort_values("replicate").reset_index(drop=True)
    expected = copsim.simulate_ensemble(copsim.load_config("e_regulation", overrides), 2).summary
    assert list(community["seed"]) == list(expected["seed"])
    np.testing.assert_allclose(community["adopter_years"], expected["adopter_years"])


# ------------------------------------------------------------------------------------ the queue
class SmallRequest(Request):
    """A request on a small world, so the queue's tests run in seconds."""

    def config(self):
        return copsim.load_config(self.scenario, [*SMALL, *self.overrides])


@pytest.fixture
def small_cases(monkeypatch):
    """The queue builds the reference ensemble from the case's defaults: make those small too."""
    monkeypatch.setattr(runner, "scenario_defaults", lambda s: copsim.load_config(s, SMALL))


@pytest.fixture
def queue(small_cases):
    d = Dispatcher(workers=1, grace=0.5)
    yield d
    d.stop()


def test_the_queue_answers_exactly_what_simulate_ensemble_gives_for_each_ensemble(queue):
    request = SmallRequest("e_regulation", ("coordinator.fte=0.5",), 3)
    job = queue.submit(request)
    assert job.wait(120) and job.state == "done", job.error
    assert job.done == job.total == 3 + 1  # three ensembles and the network picture
    comparison = job.output.comparison
    config = request.config()
    expected = {
        "community": copsim.simulate_ensemble(config, 3),
        "baseline": copsim.simulate_ensemble(levers.baseline_of(config), 3),
        "reference": copsim.simulate_ensemble(copsim.load_config("e_regulation", SMALL), 3),
    }
    for name, result in (
        ("community", comparison.community),
        ("baseline", comparison.baseline),
        ("reference", comparison.reference),
    ):
        pd.testing.assert_frame_equal(result.summary, expected[name].summary)
        pd.testing.assert_frame_equal(result.timeseries, expected[name].timeseries)
    # the network picture is the middle run's
    t50 = comparison.values("t50_years")
    assert comparison.network_replicate == middle_replicate(t50)
    middle = summarize_times(t50).median
    assert t50[comparison.network_replicate] == middle or (
        math.isinf(middle) and math.isnan(t50[comparison.network_replicate])
    )
    serial = snapshot_network(config, comparison.community.seeds[comparison.network_replicate])
    assert np.array_equal(job.output.network.cross, serial.cross)


def test_the_network_picture_comes_from_the_ensemble_and_needs_a_run_only_for_a_kept_one(queue, monkeypatch):
    extra_runs = []
    snapshot = runner._snapshot
    monkeypatch.setattr(runner, "_snapshot", lambda *task: extra_runs.append(task) or snapshot(*task))
    fresh = queue.submit(SmallRequest("e_regulation", ("sponsor.level=0.3",), 3))
    assert fresh.wait(120) and fresh.state == "done", fresh.error
    assert extra_runs == []  # the middle run's network came back with the ensemble
    assert fresh.output.comparison.community.networks is None  # and was not kept
    # the case as configured was this request's reference: asked for itself, its ensemble is
    # the kept one, without networks, so the picture needs one more run of the middle seed
    kept = queue.submit(SmallRequest("e_regulation", (), 3))
    assert kept.wait(120) and kept.state == "done", kept.error
    comparison = kept.output.comparison
    assert extra_runs == [
        (comparison.community.config, comparison.community.seeds[comparison.network_replicate])
    ]


def test_worker_processes_give_the_same_numbers_as_one_thread(small_cases):
    request = SmallRequest("rumble_strips", ("sponsor.board=true",), 3)
    pooled = Dispatcher(workers=2)
    try:
        job = pooled.submit(request)
        assert job.wait(300) and job.state == "done", job.error
        assert job.done == job.total == (3 + 1) * 2  # each ensemble (and the picture) counts for 2 shares
    finally:
        pooled.stop()
    config = request.config()
    for result, cfg in (
        (job.output.comparison.community, config),
        (job.output.comparison.baseline, levers.baseline_of(config)),
    ):
        expected = copsim.simulate_ensemble(cfg, 3)
        pd.testing.assert_frame_equal(result.summary, expected.summary)
        pd.testing.assert_frame_equal(result.timeseries, expected.timeseries)


def test_equal_requests_are_one_job_and_an_answer_comes_back_at_once(queue):
    request = SmallRequest("safecities", (), 2)
    first = queue.submit(request)
    assert queue.submit(request) is first
    assert first.wait(120) and first.state == "done"
    again = queue.submit(request)
    assert again is not first and again.finished and again.output is first.output
    assert queue.answer(request) is first.output


def test_waiting_requests_know_their_place_and_a_gone_session_frees_its_place(queue, monkeypatch):
    simulate = runner._ensemble

    def slow(*task):  # long enough that the first request still runs when its tab closes
        time.sleep(1.0)
        return simulate(*task)

    monkeypatch.setattr(runner, "_ensemble", slow)
    connected = {"a": True, "b": True, "c": True}
    a = queue.submit(SmallRequest("safecities", ("coordinator.fte=0.25",), 30), lambda: connected["a"])
    b = queue.submit(SmallRequest("safecities", ("coordinator.fte=0.5",), 2), lambda: connected["b"])
    c = queue.submit(SmallRequest("safecities", ("coordinator.fte=0.75",), 2), lambda: connected["c"])
    deadline = time.monotonic() + 60
    while a.state != "running" and time.monotonic() < deadline:
        time.sleep(0.05)
    assert (queue.ahead(a), queue.ahead(b), queue.ahead(c)) == (0, 1, 2)
    connected["a"] = connected["b"] = False  # both tabs closed
    assert c.wait(120) and c.state == "done"
    assert a.state == "cancelled" and b.state == "cancelled"
    assert a.done < a.total  # stopped part way
    assert queue.answer(a.request) is None


def test_a_session_that_stops_waiting_withdraws_its_request_unless_another_waits(queue):
    blocker = queue.submit(SmallRequest("safecities", ("sponsor.level=0.1",), 6))
    mine, theirs = (lambda: True), (lambda: True)
    shared = queue.submit(SmallRequest("safecities", ("sponsor.level=0.2",), 2), mine)
    assert queue.submit(SmallRequest("safecities", ("sponsor.level=0.2",), 2), theirs) is shared
    queue.withdraw(shared, mine)
    assert not shared.cancelled
    queue.withdraw(shared, theirs)
    assert shared.state == "cancelled"
    assert blocker.wait(120) and blocker.state == "done"


def test_the_cases_answered_ahead_come_back_at_once(queue):
    ahead = SmallRequest("e_regulation", (), 2)
    queue.prefetch([ahead])
    deadline = time.monotonic() + 120
    while queue.answer(ahead) is None and time.monotonic() < deadline:
        time.sleep(0.05)
    job = queue.submit(ahead)
    assert job.finished and job.state == "done" and job.output is queue.answer(ahead)
    # a request that moves only the coordinator reuses the case's ensembles: one new ensemble
    moved = queue.submit(SmallRequest("e_regulation", ("coordinator.fte=0.25",), 2))
    assert moved.wait(120) and moved.state == "done"
    assert moved.output.comparison.baseline is job.output.comparison.baseline
    assert moved.output.comparison.reference is job.output.comparison.community


def test_a_question_ahead_that_cannot_be_asked_does_not_stop_the_queue(queue, caplog):
    unaskable = SmallRequest("e_regulation", ("coordinator.fte=7",), 2)  # out of range
    queue.prefetch([unaskable, SmallRequest("e_regulation", (), 2)])
    deadline = time.monotonic() + 120
    while queue.answer(SmallRequest("e_regulation", (), 2)) is None and time.monotonic() < deadline:
        time.sleep(0.05)
    assert queue.answer(SmallRequest("e_regulation", (), 2)) is not None
    assert "cannot answer ahead" in caplog.text
    job = queue.submit(SmallRequest("e_regulation", ("sponsor.level=0.2",), 2))
    assert job.wait(120) and job.state == "done", job.error


def test_a_sessions_request_goes_before_the_cases_answered_ahead(queue, monkeypatch):
    simulate = runner._ensemble

    def slow(*task):
        time.sleep(0.5)
        return simulate(*task)

    monkeypatch.setattr(runner, "_ensemble", slow)
    background = [SmallRequest("safecities", (), 2), SmallRequest("rumble_strips", (), 2)]
    queue.prefetch(background)
    deadline = time.monotonic() + 60
    while queue._running is None and time.monotonic() < deadline:
        time.sleep(0.02)
    mine = queue.submit(SmallRequest("e_regulation", ("sponsor.level=0.4",), 2))
    assert queue.ahead(mine) == 0  # the server's own work is not "a request ahead of yours"
    assert mine.wait(120) and mine.state == "done"
    assert queue.answer(background[0]) is None  # it was stopped, not finished first
    for request in background:  # stopped for the session, then answered when the queue was empty
        deadline = time.monotonic() + 120
        while queue.answer(request) is None and time.monotonic() < deadline:
            time.sleep(0.05)
        assert queue.answer(request) is not None


def test_a_failing_request_reports_its_error_and_the_queue_goes_on(queue, monkeypatch):
    def broken(*task):
        raise RuntimeError("model broke")

    monkeypatch.setattr(runner, "_ensemble", broken)
    job = queue.submit(SmallRequest("e_regulation", (), 2))
    assert job.wait(60) and job.state == "failed" and "model broke" in job.error and job.output is None
    monkeypatch.undo()
    monkeypatch.setattr(runner, "scenario_defaults", lambda s: copsim.load_config(s, SMALL))
    ok = queue.submit(SmallRequest("e_regulation", ("sponsor.level=0.3",), 2))
    assert ok.wait(120) and ok.state == "done"


def test_network_picture_colours_organizations_and_marks_cross_boundary_ties():
    config = copsim.load_config("safecities", SMALL)
    snap = snapshot_network(config, seed=1)
    assert snap.colour_index.size > 0 and snap.colour_index.max() < MAX_ORGS
    colour = snap.colour_index
    assert (colour[snap.within[:, 0]] == colour[snap.within[:, 1]]).all()
    assert (colour[snap.cross[:, 0]] != colour[snap.cross[:, 1]]).all()
    assert len(snap.cross) > 0 and snap.cross_ties_total >= len(snap.cross)
    fig = draw_network(snap)
    assert fig.get_axes()


def test_the_charts_middle_run_crosses_half_at_the_time_the_card_gives(queue):
    job = queue.submit(SmallRequest("safecities", ("coordinator.fte=1",), 5))
    assert job.wait(120) and job.state == "done"
    comparison = job.output.comparison
    curve = comparison.curve().query("condition == 'community'")
    crossing = curve.loc[curve["middle"] >= 0.5, "years"]
    t50 = comparison.time("t50_years").median
    assert (crossing.iloc[0] if len(crossing) else math.inf) == pytest.approx(t50)
    assert (curve["low"] <= curve["middle"]).all() and (curve["middle"] <= curve["high"]).all()
    assert curve[["low", "middle", "high"]].to_numpy().min() >= 0


# ------------------------------------------------------------------------------------ server
def test_app_is_offline_headless_local_and_light_by_default():
    options = streamlit_options("127.0.0.1", 8501)
    assert options["server.address"] == "127.0.0.1" and options["server.headless"] is True
    assert options["browser.gatherUsageStats"] is False and options["global.developmentMode"] is False
    assert options["runner.postScriptGC"] is False  # issue #19: it held the interpreter lock
    assert options["logger.hideWelcomeMessage"] is True  # its banner looks up the outside address
    assert streamlit_options("0.0.0.0", 8501)["browser.serverAddress"] == "localhost"


def test_app_rejects_bad_arguments_in_one_line_before_printing_the_address(capsys):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        cases = [
            (["--port", "70000"], "--port: 70000 is out of range"),
            (["--workers", "0"], "--workers: 0 is out of range"),
            (["--host", "999.1.1.1"], "--host: '999.1.1.1' is not a valid IP address"),
            (["--host", "192.0.2.77"], "--host: '192.0.2.77' is not an address of this machine"),
            (["--port", str(port)], f"--port: {port} is already in use"),
        ]
        for args, message in cases:
            with pytest.raises(SystemExit) as exc:
                app_main(args)
            out, err = capsys.readouterr()
            assert exc.value.code == 2 and out == ""
            assert err.strip().splitlines() == [f"copsim-app: error: {err.strip().split('error: ', 1)[1]}"]
            assert message in err, err


def test_a_host_beyond_this_machine_warns_that_anyone_can_run_simulations(capsys, monkeypatch):
    served = []
    monkeypatch.setattr("copsim.app.server.serve", lambda host, port: served.append((host, port)))
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    app_main(["--host", "0.0.0.0", "--port", str(port)])
    out, err = capsys.readouterr()
    assert "no login" in err and "anyone who can reach" in err and served == [("0.0.0.0", port)]
    assert out.startswith(f"copsim-app: open http://{socket.gethostname()}:{port}")
    app_main(["--port", str(port)])
    out, err = capsys.readouterr()
    assert err == "" and out.startswith(f"copsim-app: open http://127.0.0.1:{port}")
    assert is_loopback("::1") and is_loopback("localhost") and not is_loopback("10.0.0.5")


def asgi(scope: dict) -> tuple[list[dict], bool]:
    """Run LocalGuard on one request; returns what it sent and whether it passed it on."""
    passed, sent = [], []

    async def app(scope, receive, send):
        passed.append(True)

    async def receive():
        return {}

    async def send(message):
        sent.append(message)

    asyncio.run(LocalGuard(app)(scope, receive, send))
    return sent, bool(passed)


def test_metrics_answer_only_this_machine_and_websockets_only_the_pages_own_origin():
    metrics = {"type": "http", "path": "/_stcore/metrics", "headers": []}
    sent, passed = asgi({**metrics, "client": ("10.0.0.5", 5000)})
    assert not passed and sent[0]["status"] == 404
    assert asgi({**metrics, "client": ("127.0.0.1", 5000)})[1]
    assert asgi({"type": "http", "path": "/", "headers": [], "client": ("10.0.0.5", 5000)})[1]
    socket_scope = {"type": "websocket", "path": "/_stcore/stream", "client": ("10.0.0.5", 1)}
    own = [(b"host", b"10.0.0.1:8501"), (b"origin", b"http://10.0.0.1:8501")]
    assert asgi({**socket_scope, "headers": own})[1]
    foreign = [(b"host", b"10.0.0.1:8501"), (b"origin", b"http://evil.example")]
    sent, passed = asgi({**socket_scope, "headers": foreign})
    assert not passed and sent == [{"type": "websocket.close", "code": 1008}]


def test_worker_setting_is_bounded(monkeypatch):
    monkeypatch.setenv(runner.WORKERS_ENV, "2")
    assert runner.configured_workers() == 2
    monkeypatch.setenv(runner.WORKERS_ENV, "lots")
    with pytest.raises(copsim.ConfigError, match=runner.WORKERS_ENV):
        runner.configured_workers()


def test_check_address_accepts_this_machine():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    check_address("127.0.0.1", port)
    check_address("localhost", port)
    with pytest.raises(AddressError, match="not a valid IP address"):
        check_address("1.2.3.4.5", port)


def test_the_memo_says_what_the_page_says_on_one_page(queue):
    from copsim.analysis.costs import CostRates
    from copsim.app import memo, saved

    request = SmallRequest("safecities", ("coordinator.fte=0.5",), 6)
    job = queue.submit(request)
    assert job.wait(120) and job.state == "done"
    other = queue.submit(SmallRequest("safecities", ("coordinator.fte=0.25",), 6))
    assert other.wait(120) and other.state == "done"
    items = [
        (saved.Saved.of(request, "Half-time <b>"), job.output),
        (saved.Saved.of(other.request), other.output),
    ]
    text = memo.memo_html(request, job.output, CostRates(), items)
    comparison = job.output.comparison
    for said in (
        wording.headline_for(comparison),
        wording.verdict_for(comparison),
        case_status("safecities"),
        export.command_line("safecities", ["coordinator.fte=0.5"], 6),
    ):
        assert html.escape(said) in text, said  # fmt: skip
    assert f"copsim {copsim.__version__}" in text and "data:image/png;base64," in text
    assert "A: Half-time &lt;b&gt;" in text and "B: SafeCities" in text  # names, escaped
    cards = {c.label: c for c in wording.cost_cards(comparison, CostRates())}
    cost = cards[f"Cost over {wording.years_text(comparison.horizon_years)}"]
    assert html.escape(cost.value) in text
    assert (
        "@page { size: letter" in text
        and memo.file_name(request) == "memo-whatif-safecities-fte0.5-6runs.html"
    )


def test_the_server_answers_ahead_each_case_then_every_stop_of_the_coordinator_slider():
    ahead = runner.prefetch_requests()
    assert ahead[:4] == [Request(case, (), levers.DEFAULT_REPLICATES) for case in CASES]
    for case in CASES:
        own = levers.levers_from_config(levers.scenario_defaults(case))
        stops = [r for r in ahead[4:] if r.scenario == case]
        hours = {levers.levers_from_overrides(case, list(r.overrides)).coordinator_hours for r in stops}
        assert hours == set(range(0, 41, 2)) - {own.coordinator_hours} and len(stops) == len(hours)
        assert all(r.replicates == levers.DEFAULT_REPLICATES for r in stops)
    assert len(ahead) <= runner.ANSWERS_KEPT / 2  # room for as many answers to sessions


def test_a_server_stopped_while_answering_ahead_logs_no_failure(small_cases, caplog):
    for delay in (0.0, 0.5):
        queue = Dispatcher(workers=1)
        queue.prefetch([SmallRequest("safecities", (), 2), SmallRequest("rumble_strips", (), 2)])
        time.sleep(delay)
        queue.stop()
    time.sleep(0.5)
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR], caplog.text
