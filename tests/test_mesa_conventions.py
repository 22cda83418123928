"""CopModel keeps Mesa's conventions: keyword construction, batch_run, running, datacollector."""

from __future__ import annotations

import mesa
import pandas as pd
import pytest

import copsim
from copsim.model import CopModel

SMALL = {"world.n_organizations": 10, "world.n_practitioners": 60, "horizon_weeks": 12}


def test_batch_run_runs_two_parameter_values_and_collects_the_weekly_outcomes():
    results = mesa.batch_run(
        CopModel,
        parameters={"scenario": "e_regulation", "coordinator.fte": [0.1, 0.9], **SMALL},
        rng=[3],
        max_steps=100,
        data_collection_period=1,
        display_progress=False,
    )
    frame = pd.DataFrame(results)
    assert sorted(frame["coordinator.fte"].unique()) == [0.1, 0.9]
    assert frame.groupby("coordinator.fte")["Step"].max().tolist() == [12, 12]  # stopped at the horizon
    hours = frame[frame["Step"] == 12].set_index("coordinator.fte")["coordinator_hours"]
    assert hours[0.9] == pytest.approx(36.0) and hours[0.1] == pytest.approx(4.0)


def test_keyword_parameters_are_dotted_config_keys_and_rng_is_the_seed():
    model = CopModel(scenario="safecities", rng=7, **{"sponsor.mandate": True, **SMALL})
    assert model.config.scenario == "safecities" and model.config.sponsor.mandate is True
    assert model.config.seed == 7
    with pytest.raises(copsim.ConfigError, match=r"coordinator\.ftee: unknown key"):
        CopModel(**{"coordinator.ftee": 0.5})
    with pytest.raises(copsim.ConfigError, match=r"coordinator\.fte"):
        CopModel(**{"coordinator.fte": 2.0})


def test_running_turns_false_at_the_horizon_and_stepping_past_it_is_refused():
    model = CopModel(rng=1, **SMALL)
    while model.running:
        model.step()
    assert model.steps == 12
    with pytest.raises(RuntimeError, match="ended at week 12"):
        model.step()


def test_the_datacollector_holds_one_row_per_week_from_week_zero():
    model = CopModel(rng=2, **SMALL)
    model.run_for(5)
    frame = model.datacollector.get_model_vars_dataframe()
    assert len(frame) == 6 and {"adoption_share", "members", "vitality"} <= set(frame.columns)
    pd.testing.assert_series_equal(
        frame["members"].reset_index(drop=True),
        model.timeseries()["members"],
        check_dtype=False,
        check_names=False,
    )
