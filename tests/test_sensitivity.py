"""Sensitivity analysis: the Sobol and Morris pipeline is checked on functions with known answers
before it is trusted on the model, then run end to end on a tiny model configuration."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from matplotlib.image import imread
from SALib.test_functions import Ishigami

from copsim.analysis import sensitivity as sa

ISHIGAMI = {"num_vars": 3, "names": ["x1", "x2", "x3"], "bounds": [[-np.pi, np.pi]] * 3}
#: analytical indices of the Ishigami function with a = 7, b = 0.1 (Saltelli et al. 2008)
ISHIGAMI_S1 = {"x1": 0.3139, "x2": 0.4424, "x3": 0.0}
ISHIGAMI_ST = {"x1": 0.5576, "x2": 0.4424, "x3": 0.2437}
REPO = Path(__file__).resolve().parents[1]


def test_sobol_recovers_the_ishigami_indices():
    X = sa.sobol_design(ISHIGAMI, base_samples=2048, seed=1)
    table = sa.sobol_indices(ISHIGAMI, Ishigami.evaluate(X), seed=1).set_index("parameter")
    for name in ISHIGAMI["names"]:
        assert table.loc[name, "S1"] == pytest.approx(ISHIGAMI_S1[name], abs=0.04)
        assert table.loc[name, "ST"] == pytest.approx(ISHIGAMI_ST[name], abs=0.04)
        assert 0 < table.loc[name, "ST_conf"] < 0.1  # intervals are reported and finite
    assert list(table.index[:2]) == ["x1", "x2"]  # ranked by total index


def test_morris_ranks_a_linear_function_by_its_slopes():
    problem = {"num_vars": 3, "names": ["big", "none", "small"], "bounds": [[0, 1]] * 3}
    X = sa.morris_design(problem, trajectories=20, seed=2)
    Y = 3.0 * X[:, 0] + 0.0 * X[:, 1] + 1.0 * X[:, 2]
    table = sa.morris_indices(problem, X, Y, seed=2).set_index("parameter")
    assert list(table.index) == ["big", "small", "none"]
    assert table.loc["big", "mu_star"] == pytest.approx(3.0)
    assert table.loc["none", "mu_star"] == pytest.approx(0.0)
    assert table["sigma"].max() == pytest.approx(0.0, abs=1e-9)  # linear: no interaction


def test_censored_outcomes_count_at_the_horizon():
    import pandas as pd

    runs = pd.DataFrame({"sample": [0, 0, 1, 1], "t50_years": [2.0, np.nan, 3.0, 5.0],
                         "t50_censored": [False, True, False, False]})  # fmt: skip
    assert sa.outcome_values(runs, "t50_years", horizon_weeks=520).tolist() == [6.0, 4.0]


def test_the_repository_spec_is_valid_and_documents_every_range():
    spec = sa.read_spec(REPO / "experiments" / "sensitivity.yaml")
    assert len(spec["parameters"]) >= 6
    assert all(entry.get("why") for entry in spec["parameters"].values())


@pytest.mark.parametrize(
    ("parameters", "words"),
    [
        ({"adoption.nonsense": {"low": 0, "high": 1}}, "adoption.nonsense"),
        ({"adoption.q": {"low": 0.5, "high": 0.2}}, "not below"),
        ({"exchange.absorptive_capacity": {"low": 0.1, "high": 2.0}}, "out of range"),
    ],
)
def test_bad_specs_are_refused_with_the_key(tmp_path, parameters, words):
    import yaml

    path = tmp_path / "spec.yaml"
    path.write_text(yaml.safe_dump({"scenario": "rumble_strips", "parameters": parameters}))
    with pytest.raises(sa.SensitivityError, match=words):
        sa.read_spec(path)


def test_end_to_end_on_a_tiny_model(tmp_path):
    spec = {
        "scenario": "rumble_strips",
        "fixed": ["horizon_weeks=52", "world.n_practitioners=60", "world.n_organizations=10"],
        "root_seed": 3,
        "outcomes": ["t50_years"],
        "methods": {"morris": {"trajectories": 2, "levels": 4}},
        "parameters": {"adoption.p": {"low": 0.1, "high": 3.0}, "adoption.q": {"low": 0.2, "high": 0.5}},
    }
    result = sa.run(spec, tmp_path, methods=("morris",))
    assert (tmp_path / "morris" / "runs.parquet").is_file()
    written = json.loads((tmp_path / "sensitivity.json").read_text())
    assert written["sentences"] == result["sentences"]
    assert written["morris"]["t50_years"][0]["parameter"] == "adoption.p"  # p dominates within a year
    assert imread(tmp_path / "morris.png")[..., :3].std() > 0.02
