"""The dashboard's plain logic: levers -> validated overrides, wording, export, background job."""

from __future__ import annotations

import dataclasses
import io
import math
import shlex
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from omegaconf import OmegaConf

import copsim
from copsim.api import EnsembleResult
from copsim.app import export, levers, wording
from copsim.app.cases import CASES
from copsim.app.cli import main as app_main
from copsim.app.cli import streamlit_args
from copsim.app.network_picture import MAX_ORGS, draw_network, snapshot_network
from copsim.app.results import Comparison, Estimate, estimate
from copsim.app.runner import WORKERS_ENV, EnsembleJob, configured_workers
from copsim.cli import check_arguments

ARTICLE = Path("/work/shared/reference/cop-in-government-article.txt")
SMALL = ["world.n_organizations=12", "world.n_practitioners=90", "horizon_weeks=80"]


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


# ------------------------------------------------------------------------------------ levers
def test_unchanged_levers_give_no_overrides_for_every_case():
    for scenario in CASES:
        assert levers.to_overrides(scenario, default_levers(scenario)) == []


def test_each_lever_sets_its_config_key():
    chosen = dataclasses.replace(
        default_levers(),
        coordinator_hours=20,
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
    assert config.coordinator.fte == 0.5
    assert (config.coordinator.technical_competence, config.coordinator.interpersonal_competence) == (
        0.3,
        0.95,
    )
    assert config.sponsor.level == 0.25 and config.sponsor.mandate and config.sponsor.board
    assert config.sponsor.departure_week == 156
    assert not config.support_team.enabled and config.demography.wave
    assert overrides[0] == "coordinator.fte=0.5" and "sponsor.departure_week=156" in overrides


def test_out_of_range_or_non_finite_levers_stop_with_a_config_error():
    with pytest.raises(copsim.ConfigError, match=r"coordinator.fte: 2.0 is out of range"):
        levers.build_config("rumble_strips", dataclasses.replace(default_levers(), coordinator_hours=80))
    with pytest.raises(copsim.ConfigError, match="finite"):
        levers.build_config("rumble_strips", dataclasses.replace(default_levers(), sponsor_level=math.nan))
    with pytest.raises(copsim.ConfigError, match=r"sponsor\.level"):
        levers.build_config("rumble_strips", dataclasses.replace(default_levers(), sponsor_level=-0.1))


def test_only_the_four_cases_and_bounded_replicates_are_accepted():
    with pytest.raises(copsim.ConfigError, match="scenario: 'bass' is not offered"):
        levers.to_overrides("bass", default_levers())
    for bad in (1, 31, 2.5, True, "10"):
        with pytest.raises(copsim.ConfigError, match="replicates"):
            levers.check_replicates(bad)
    assert levers.check_replicates(2) == 2 and levers.check_replicates(30) == 30


def test_baseline_switches_off_only_the_community():
    config = copsim.load_config("safecities", ["coordinator.fte=0.5"])
    baseline = levers.baseline_of(config)
    assert not baseline.community.enabled and config.community.enabled
    assert dataclasses.replace(baseline, community=config.community) == config


# ------------------------------------------------------------------------------------ wording
E = Estimate


def test_headline_matches_the_briefs_example_and_its_variants():
    assert wording.headline(
        "states", E(3.2, 2.9, 3.5, 10, 10), E(5.6, 5.2, 6.0, 10, 10), E(2.4, 2, 2.8, 10, 10), 10
    ) == ("Half of the states adopt within 3.2 years (2.9–3.5), 2.4 years sooner than dissemination alone.")
    later = wording.headline("cities", E(6.0, 5, 7, 5, 5), E(5.5, 5, 6, 5, 5), E(-0.5, -1, 0, 5, 5), 10)
    assert later.endswith("0.5 years later than dissemination alone.")
    same = wording.headline("cities", E(6.0, 5, 7, 5, 5), E(6.0, 5, 7, 5, 5), E(0.01, -1, 1, 5, 5), 10)
    assert same.endswith("about as fast as dissemination alone.")


def test_headline_never_averages_censored_runs_as_numbers():
    none = E(math.nan, math.nan, math.nan, 0, 10)
    base_none = wording.headline("states", E(7.3, 6.1, 8.4, 10, 10), none, none, 10)
    assert base_none == (
        "Half of the states adopt within 7.3 years (6.1–8.4), while dissemination alone does not get "
        "half of them there within 10 years."
    )
    partial = wording.headline("states", E(7.3, 6.1, 8.4, 7, 10), none, none, 10)
    assert "in the 7 of 10 runs that get there; in the other 3 not within 10 years" in partial
    mostly = wording.headline("agencies", E(2.0, 2.0, 2.0, 1, 10), none, none, 10)
    assert (
        mostly
        == "Half of the agencies do not adopt within 10 years in 9 of 10 runs, nor with dissemination alone."
    )
    assert wording.headline("companies", none, none, none, 2.5).startswith(
        "Half of the companies do not adopt within 2.5 years in any run"
    )


def test_time_intervals_are_shown_from_zero_up():
    text = wording.headline("cities", E(7.3, -15.9, 30.5, 2, 2), E(8.0, 7, 9, 2, 2), E(0.7, 0, 1, 2, 2), 10)
    assert text.startswith("Half of the cities adopt within 7.3 years (0.0–30.5)")


def test_censoring_text_and_years():
    assert wording.not_reached(10.0) == "not reached within 10 years"
    assert wording.years_text(1.0) == "1 year" and wording.years_text(2.5) == "2.5 years"
    assert wording.time_value(E(math.nan, math.nan, math.nan, 0, 4), 10) == (
        "not reached within 10 years",
        "",
    )
    value, detail = wording.time_value(E(104.0, 90.0, 118.0, 4, 4), 10, scale=1 / 52)
    assert value == "2.0 years" and detail == "95 % range 1.7–2.3"


def test_describe_changes_in_plain_words():
    text = wording.describe_changes(
        ["coordinator.fte=0.5", "sponsor.departure_week=156", "sponsor.mandate=true"]
    )
    assert text == "coordinator 20 h/week, sponsor leaves in year 3, mandated participation"
    assert wording.describe_changes([]) == "as in the case"


def fake_comparison(t50_community, t50_baseline, scenario="rumble_strips", fte_years=9.0) -> Comparison:
    """A comparison built from hand-made summaries (no simulation), for checking the arithmetic."""
    config = copsim.load_config(scenario)
    n = len(t50_community)

    def result(t50, adopter_years, fte):
        summary = pd.DataFrame(
            {
                "replicate": range(n),
                "seed": range(n),
                "t50_years": t50,
                "t90_years": [math.nan] * n,
                "final_members": [100 + r for r in range(n)],
                "core_share": [0.12] * n,
                "cross_boundary_trust": [0.4] * n,
                "time_to_talent_weeks": [52.0] * n,
                "coordinator_fte_years": [fte] * n,
                "adopter_years": adopter_years,
            }
        )
        return EnsembleResult(pd.DataFrame(), summary, config, list(range(n)))

    community = result(t50_community, [100.0 + 9 * r for r in range(n)], fte_years)
    baseline = result(t50_baseline, [10.0] * n, 0.0)
    return Comparison(scenario, [], n, community, baseline)


def test_cards_compute_paired_gains_and_say_censored_results_in_words():
    comparison = fake_comparison([3.0, 4.0, 5.0], [5.0, 6.5, 7.5])
    assert comparison.paired_difference("t50_years").mean == pytest.approx(7 / 3)
    gained = comparison.gained_per_fte_year()
    # (100 - 10)/9, (109 - 10)/9, (118 - 10)/9
    assert gained.mean == pytest.approx(np.mean([90 / 9, 99 / 9, 108 / 9]))
    cards = {c.label: c for c in wording.cards(comparison)}
    assert cards["Time to 50 % adoption"].value == "4.0 years"
    assert cards["Time to 50 % adoption"].detail.endswith("dissemination alone: 6.3 years")
    assert cards["Time to 90 % adoption"].value == "not reached within 10 years"
    assert cards["Members after 10 years"].value == "101"
    assert cards["Gain per FTE-year"].value == "11.0 years"
    assert cards["Time-to-talent"].value == "1.0 years"


def test_no_coordinator_time_means_no_gain_per_fte_year():
    comparison = fake_comparison([3.0, 4.0], [5.0, 6.0], fte_years=0.0)
    assert comparison.gained_per_fte_year() is None
    assert {c.label: c.value for c in wording.cards(comparison)}["Gain per FTE-year"] == "none"


def test_estimate_counts_censored_runs_instead_of_averaging_them():
    est = estimate(np.array([2.0, math.nan, 4.0]))
    assert (est.mean, est.n_reached, est.n) == (3.0, 2, 3)
    assert not est.all_reached and not est.none_reached


# ------------------------------------------------------------------------------------ export
def test_exported_command_line_validates_to_the_same_config_as_the_page():
    chosen = dataclasses.replace(default_levers("safecities"), coordinator_hours=20, sponsor_board=True)
    config, overrides = levers.build_config("safecities", chosen)
    command = export.command_line("safecities", overrides, 12)
    assert command == "copsim-run scenario=safecities coordinator.fte=0.5 sponsor.board=true replicates=12"
    args = shlex.split(command)
    assert args[0] == "copsim-run"
    assert check_arguments(args[1:]) == config


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


# ------------------------------------------------------------------------------------ job
def test_background_job_gives_exactly_simulate_ensemble_results_for_both_conditions():
    config = copsim.load_config("e_regulation", [*SMALL, "coordinator.fte=0.5"])
    job = EnsembleJob("e_regulation", config, ["coordinator.fte=0.5"], 2).start()
    seen = []
    while not job.finished:
        seen.append(job.done)
        time.sleep(0.01)
    assert job.state == "done", job.error
    assert job.done == job.total == 5 and seen == sorted(seen)
    comparison = job.output.comparison
    community = copsim.simulate_ensemble(config, 2)
    baseline = copsim.simulate_ensemble(levers.baseline_of(config), 2)
    pd.testing.assert_frame_equal(comparison.community.summary, community.summary)
    pd.testing.assert_frame_equal(comparison.baseline.summary, baseline.summary)
    assert comparison.community.seeds == comparison.baseline.seeds
    table = pd.read_csv(io.StringIO(export.results_csv(comparison)))
    assert list(table["condition"]) == ["community"] * 2 + ["baseline"] * 2
    curve = comparison.curve()
    assert set(curve["condition"]) == {"community", "baseline"} and (curve["lo"] <= curve["hi"]).all()


def test_worker_processes_give_the_same_numbers_as_simulate_ensemble():
    config = copsim.load_config("rumble_strips", [*SMALL, "sponsor.board=true"])
    job = EnsembleJob("rumble_strips", config, ["sponsor.board=true"], 3, workers=2).start()
    job.join(300)
    assert job.state == "done", job.error
    assert job.done == job.total == 7
    comparison = job.output.comparison
    for result, cfg in ((comparison.community, config), (comparison.baseline, levers.baseline_of(config))):
        expected = copsim.simulate_ensemble(cfg, 3)
        pd.testing.assert_frame_equal(result.summary, expected.summary)
        pd.testing.assert_frame_equal(result.timeseries, expected.timeseries)
        assert result.seeds == expected.seeds
    serial = snapshot_network(config, comparison.community.seeds[0])
    assert np.array_equal(job.output.network.cross, serial.cross)


def test_a_failing_job_reports_its_error_instead_of_results():
    config = copsim.load_config("e_regulation", SMALL)
    job = EnsembleJob("e_regulation", config, [], 0)  # zero replicates: simulate_ensemble refuses
    job.total = 1
    job.start().join(30)
    assert job.state == "failed" and "replicates" in job.error and job.output is None


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


# ------------------------------------------------------------------------------------ cli
def test_app_is_offline_headless_and_local_by_default():
    args = streamlit_args("127.0.0.1", 8501)
    pairs = dict(zip(args[2::2], args[3::2], strict=True))
    assert pairs["--server.address"] == "127.0.0.1"
    assert pairs["--server.headless"] == "true"
    assert pairs["--browser.gatherUsageStats"] == "false"
    assert pairs["--global.developmentMode"] == "false"


def test_app_rejects_a_port_or_worker_count_out_of_range(capsys):
    for args, name in ((["--port", "70000"], "--port"), (["--workers", "0"], "--workers")):
        with pytest.raises(SystemExit) as exc:
            app_main(args)
        assert exc.value.code == 2 and name in capsys.readouterr().err


def test_worker_setting_is_bounded(monkeypatch):
    monkeypatch.setenv(WORKERS_ENV, "2")
    assert configured_workers() == 2
    monkeypatch.setenv(WORKERS_ENV, "lots")
    with pytest.raises(copsim.ConfigError, match=WORKERS_ENV):
        configured_workers()
