"""Shared fixtures: small, fast configurations of every scenario, and copsim-run in this process."""

from __future__ import annotations

import sys

import pytest

import copsim
from copsim import cli

#: overrides that shrink any organizational scenario to a few seconds of simulated time
SMALL = ["world.n_organizations=12", "world.n_practitioners=90", "horizon_weeks=80"]


def small_config(scenario: str = "rumble_strips", *overrides: str) -> copsim.CopConfig:
    """A scaled-down configuration of ``scenario`` (bass keeps its own population rules)."""
    base = ["world.n_organizations=200", "horizon_weeks=80"] if scenario == "bass" else SMALL
    return copsim.load_config(scenario, [*base, *overrides])


@pytest.fixture
def small():
    return small_config


def copsim_run(*args: str) -> int:
    """``copsim-run ARGS`` in this process (a sweep's basic launcher runs its jobs here); the exit status."""
    saved = sys.argv
    sys.argv = ["copsim-run", *args]
    try:
        cli.run()
    except SystemExit as exc:
        return int(exc.code or 0)
    finally:
        sys.argv = saved
    return 0
