"""Replicates stepped together give exactly what each gives alone (the batch does not matter)."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest

import copsim
from conftest import small_config
from copsim.model.streams import replicate_seeds

CASES = {
    "rumble_strips": ("support_team.enabled=true",),
    "company_command": ("demography.wave=true", "demography.alumni_share=0.5"),
    "safecities": ("sponsor.mandate=true", "sponsor.departure_week=20"),
    "bass": (),
}


@pytest.mark.parametrize("scenario", CASES)
@pytest.mark.parametrize("batch", [1, 3, 8])
def test_a_replicate_gives_the_same_series_and_summary_in_any_batch(scenario, batch):
    config = small_config(scenario, *CASES[scenario])
    together = copsim.simulate_ensemble(config, 8, batch=batch)
    for r, seed in enumerate(replicate_seeds(config.seed, 8)):
        alone = copsim.simulate(dataclasses.replace(config, seed=seed))
        series = together.timeseries[together.timeseries["replicate"] == r].drop(columns="replicate")
        pd.testing.assert_frame_equal(series.reset_index(drop=True), alone.timeseries)
        row = together.summary.iloc[r].drop(["replicate", "seed"]).to_dict()
        assert row == pytest.approx(alone.summary, nan_ok=True)


@pytest.mark.parametrize("scenario", ["company_command", "safecities"])
def test_each_replicates_network_in_a_batch_is_the_network_of_its_run_alone(scenario):
    """The dashboard draws the middle run's network from the ensemble itself (no extra run): each
    replicate's network, cut out of the batch, must be the one its run alone ends with."""
    config = small_config(scenario, *CASES[scenario])
    together = copsim.simulate_ensemble(config, 4, batch=4, only=range(1, 4), network=True)
    assert len(together.networks) == 3
    for seed, network in zip(together.seeds, together.networks, strict=True):
        alone = copsim.simulate(dataclasses.replace(config, seed=seed), network=True).networks[1]
        for field in dataclasses.fields(alone):
            got, expected = getattr(network, field.name), getattr(alone, field.name)
            assert np.array_equal(got, expected) if isinstance(got, np.ndarray) else got == expected, (
                field.name
            )
    assert copsim.simulate_ensemble(config, 2).networks is None  # only when asked for


def test_the_batch_size_keeps_to_the_memory_budget():
    small = small_config("rumble_strips")
    assert copsim.api.batch_size(small, 100) == copsim.api.BATCH_REPLICATES
    assert copsim.api.batch_size(small, 5) == 5
    large = copsim.load_config(
        "rumble_strips", ["world.n_practitioners=100000", "world.n_organizations=2000"]
    )
    assert copsim.api.batch_size(large, 30) == 1  # a large world runs one replicate at a time


@pytest.mark.parametrize("parts", [1, 2, 3, 5])
def test_an_ensemble_split_into_shares_and_combined_is_the_whole_ensemble(parts):
    config = small_config("safecities", *CASES["safecities"])
    whole = copsim.simulate_ensemble(config, 5)
    shares = copsim.api.shares(5, parts)
    assert [r for share in shares for r in share] == list(range(5)) and len(shares) == parts
    pieces = [copsim.simulate_ensemble(config, 5, only=share) for share in reversed(shares)]
    combined = copsim.api.combine_ensembles(pieces)
    pd.testing.assert_frame_equal(combined.summary, whole.summary)
    pd.testing.assert_frame_equal(combined.timeseries, whole.timeseries)
    assert combined.seeds == whole.seeds


@pytest.mark.parametrize("only", [range(0), range(3, 7), range(0, 4, 2), [0, 1]])
def test_a_share_outside_the_ensemble_is_refused_with_one_line(only):
    with pytest.raises(
        copsim.ConfigError, match=r"^only: .* is not allowed; a range of replicates within 0 to 5$"
    ):
        copsim.simulate_ensemble(small_config("rumble_strips"), 5, only=only)
