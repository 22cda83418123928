"""Progress of ``copsim-run``: a bar of weeks for one long run, of runs for an ensemble, on a
terminal only (logs and pipes stay quiet), in tqdm's one style."""

from __future__ import annotations

import pandas as pd

import copsim
from copsim.cli import run_ensemble
from copsim.progress import PROGRESS_ENV

TINY = ["horizon_weeks=110", "world.n_practitioners=60", "world.n_organizations=10"]


def test_a_single_run_shows_weeks_and_equals_the_one_replicate_ensemble(capsys, monkeypatch):
    monkeypatch.setenv(PROGRESS_ENV, "always")  # capsys is not a terminal
    config = copsim.load_config("safecities", TINY)
    got = run_ensemble(config, 1)
    err = capsys.readouterr().err
    assert "110/110" in err and "week" in err
    want = copsim.simulate_ensemble(config, 1)
    pd.testing.assert_frame_equal(got.timeseries, want.timeseries)
    pd.testing.assert_frame_equal(got.summary, want.summary)
    assert got.seeds == want.seeds


def test_an_ensemble_shows_replicates_done(capsys, monkeypatch):
    monkeypatch.setenv(PROGRESS_ENV, "always")
    config = copsim.load_config("safecities", ["horizon_weeks=10", *TINY[1:]])
    run_ensemble(config, 2)
    err = capsys.readouterr().err
    assert "2/2" in err and "run" in err


def test_progress_is_quiet_when_output_is_not_a_terminal(capsys, monkeypatch):
    monkeypatch.delenv(PROGRESS_ENV, raising=False)
    config = copsim.load_config("safecities", ["horizon_weeks=10", *TINY[1:]])
    run_ensemble(config, 2)
    assert capsys.readouterr().err == ""
