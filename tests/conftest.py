"""Shared fixtures: small, fast configurations of every scenario."""

from __future__ import annotations

import pytest

import copsim

#: overrides that shrink any organizational scenario to a few seconds of simulated time
SMALL = ["world.n_organizations=12", "world.n_practitioners=90", "horizon_weeks=80"]


def small_config(scenario: str = "rumble_strips", *overrides: str) -> copsim.CopConfig:
    """A scaled-down configuration of ``scenario`` (bass keeps its own population rules)."""
    base = ["world.n_organizations=200", "horizon_weeks=80"] if scenario == "bass" else SMALL
    return copsim.load_config(scenario, [*base, *overrides])


@pytest.fixture
def small():
    return small_config
