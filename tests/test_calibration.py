"""copsim-calibrate: recovers known Bass parameters from a series the model itself generated, writes
its outputs, and stops on bad input with one line before any run."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from omegaconf import OmegaConf

import copsim
from copsim.calibration import load_observations, parse_parameters
from copsim.calibration.cli import main

TRUE_P, TRUE_Q = 0.03, 0.5
#: stated tolerance of the recovery: p within 0.008 per year (about 25 %), q within 0.08 (16 %)
TOL_P, TOL_Q = 0.008, 0.08
UNITS = "world.n_organizations=1000"


@pytest.fixture(scope="module")
def synthetic_csv(tmp_path_factory):
    """Yearly adoption share of 3 replicates of the bass scenario at known p, q (seed 12345).

    The calibration's own runs use other seeds (root seed 0), so this is noisy data, not a copy.
    """
    cfg = copsim.load_config(
        "bass", [UNITS, f"adoption.p={TRUE_P}", f"adoption.q={TRUE_Q}", "horizon_weeks=520", "seed=12345"]
    )
    mean = copsim.simulate_ensemble(cfg, 3).timeseries.groupby("week")["adoption_share"].mean()
    years = np.arange(11)
    path = tmp_path_factory.mktemp("data") / "observed.csv"
    pd.DataFrame({"year": 2000 + years, "adoption_share": mean.loc[years * 52].to_numpy()}).to_csv(
        path, index=False
    )
    return path


def test_calibration_recovers_known_bass_parameters(synthetic_csv, tmp_path, capsys):
    out = tmp_path / "fit"
    params = "adoption.p:0.005:0.1,adoption.q:0.1:1.0"
    argv = ["--scenario", "bass", "--data", str(synthetic_csv), "--params", params]
    status = main([*argv, "--trials", "80", "--replicates", "1", "--set", UNITS, "--out", str(out)])
    assert status == 0
    report = json.loads((out / "calibration.json").read_text())
    best = report["best"]
    assert abs(best["adoption.p"] - TRUE_P) <= TOL_P, report
    assert abs(best["adoption.q"] - TRUE_Q) <= TOL_Q, report
    spread = report["good_fits"]["spread"]
    assert spread["adoption.p"]["min"] <= TRUE_P <= spread["adoption.p"]["max"], spread
    assert spread["adoption.q"]["min"] <= TRUE_Q <= spread["adoption.q"]["max"], spread
    assert report["year_offset"] == 2000  # calendar years were shifted to years since the start
    for name in ("best.yaml", "fit.png", "trials.csv", "good_fits.csv"):
        assert (out / name).stat().st_size > 0
    assert len(pd.read_csv(out / "trials.csv")) == 80
    # best.yaml is a scenario override: its values load back into the scenario
    nested = OmegaConf.to_container(OmegaConf.load(out / "best.yaml"))
    cfg = copsim.load_config("bass", [f"adoption.{k}={v}" for k, v in nested["adoption"].items()])
    assert cfg.adoption.p == pytest.approx(best["adoption.p"])
    assert "best" in capsys.readouterr().out


ADOPTERS = "year,adopters\n0,0\n1,2\n2,5\n"


@pytest.mark.parametrize(
    ("params", "data", "extra", "message"),
    [
        ("adoption.x", ADOPTERS, [], "params: adoption.x: unknown key"),
        ("world.topology", ADOPTERS, [], "params: 'world.topology' is not numeric"),
        ("adoption.p:0:20", ADOPTERS, [], "params: adoption.p range 0 to 20 is out of range"),
        ("adoption.p", "year,count\n0,0\n1,2\n2,5\n", [], "data: columns ['year', 'count'] are not allowed"),
        ("adoption.p", "year,adoption_share\n0,0\n1,0.5\n2,1.5\n", [], "data: adoption_share out of range"),
        ("adoption.p", "year,adopters\n0,0\n2,2\n1,5\n", [], "data: 'year' must increase"),
        # the eleven inputs that once ran into a traceback (issue #22)
        (
            "adoption.p",
            "year,adopters\n0,0\n1000,2\n3000,5\n",
            [],
            "data: the last year (3000) is 156,000 weeks",
        ),
        ("seed", ADOPTERS, [], "params: 'seed' cannot be calibrated"),
        ("horizon_weeks", ADOPTERS, [], "params: 'horizon_weeks' cannot be calibrated"),
        (
            "adoption",
            ADOPTERS,
            [],
            "params: 'adoption' is a group of keys; name one, e.g. adoption.initial_adopters",
        ),
        (
            "world.org_types.NAME.silo",
            ADOPTERS,
            [],
            "names no organization type of the scenario; its types: unit",
        ),
        ("world.org_types.unit.share", ADOPTERS, [], "type shares must sum to 1"),
        ("adoption.p", ADOPTERS, ["--seed", "-1"], "seed: -1 is out of range; allowed 0 to 4294967295"),
        ("adoption.p", ADOPTERS, ["--trials", "100000000"], "trials: 100000000 is out of range"),
        ("adoption.p", ADOPTERS, ["--set", "horizon_weeks=52"], "set: horizon_weeks is taken from the data"),
        (
            "adoption.p",
            "year,adopters\n0,0\n1,20\n2,900\n",
            [],
            "data: 900 adopters, but scenario bass has 40",
        ),
        ("adoption.p", ADOPTERS, ["--out", "/sys/copsim-x"], "out: '/sys/copsim-x' cannot be written"),
        ("adoption.p", ADOPTERS, ["--memory-limit", "1MB"], "memory: each trial needs about"),
    ],
)
def test_bad_input_stops_with_one_line_and_writes_nothing(tmp_path, capsys, params, data, extra, message):
    csv = tmp_path / "obs.csv"
    csv.write_text(data)
    out = tmp_path / "out"
    small = ["--set", "world.n_organizations=40"]
    status = main(
        ["--scenario", "bass", "--data", str(csv), "--params", params, "--out", str(out), *small, *extra]
    )
    err = capsys.readouterr().err.strip()
    assert status == 2
    assert message in err and len(err.splitlines()) == 1, err
    assert not out.exists()


def test_a_folder_as_data_is_one_line(tmp_path, capsys):
    assert main(["--scenario", "bass", "--data", str(tmp_path), "--params", "adoption.p"]) == 2
    assert (
        capsys.readouterr().err.strip()
        == f"copsim-calibrate: data: '{tmp_path}' is a folder; give a CSV file with year and adopters"
    )


def test_unknown_scenario_and_missing_file_are_rejected(tmp_path, capsys):
    assert main(["--scenario", "atlantis", "--data", "x.csv", "--params", "adoption.p"]) == 2
    assert "scenario: 'atlantis' is unknown" in capsys.readouterr().err
    assert main(["--scenario", "bass", "--data", str(tmp_path / "none.csv"), "--params", "adoption.p"]) == 2
    assert "does not exist" in capsys.readouterr().err


def test_parameters_default_to_literature_ranges_and_wide_ranges_search_on_a_log_scale():
    p, q, fte = parse_parameters("adoption.p,adoption.q:0.2:0.6,coordinator.team_size")
    assert (p.lo, p.hi, p.log) == (0.001, 0.2, True)
    assert (q.lo, q.hi, q.log) == (0.2, 0.6, False)
    assert fte.integer and not fte.log


def test_observations_in_years_since_start_keep_their_years(tmp_path):
    csv = tmp_path / "obs.csv"
    csv.write_text("year,adopters\n0,0\n0.5,3\n1,8\n")
    obs = load_observations(csv)
    assert obs.kind == "adopters" and obs.year_offset == 0
    assert obs.weeks.tolist() == [0, 26, 52]
