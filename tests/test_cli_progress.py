"""Progress of a single ``copsim-run``: weeks for one long run, replicates for an ensemble."""

from __future__ import annotations

import pandas as pd

import copsim
from copsim.cli import run_ensemble

TINY = ["horizon_weeks=110", "world.n_practitioners=60", "world.n_organizations=10"]


def test_a_single_run_shows_weeks_and_equals_the_one_replicate_ensemble(capsys):
    config = copsim.load_config("safecities", TINY)
    got = run_ensemble(config, 1)
    err = capsys.readouterr().err
    assert "week 52/110" in err and "week 104/110" in err and "week 110/110" in err
    want = copsim.simulate_ensemble(config, 1)
    pd.testing.assert_frame_equal(got.timeseries, want.timeseries)
    pd.testing.assert_frame_equal(got.summary, want.summary)
    assert got.seeds == want.seeds


def test_an_ensemble_shows_replicates_done(capsys):
    config = copsim.load_config("safecities", ["horizon_weeks=10", *TINY[1:]])
    run_ensemble(config, 2)
    assert "simulated 2/2" in capsys.readouterr().err
