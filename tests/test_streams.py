"""Common random numbers: each decision has its own stream, so a lever only changes what it acts on."""

from __future__ import annotations

import numpy as np

from conftest import small_config
from copsim.model import CopModel
from copsim.streams import STREAM_NAMES, Streams, replicate_seeds, stream_key


def test_streams_are_reproducible_and_distinct():
    a, b = Streams(42), Streams(42)
    for name in STREAM_NAMES:
        assert np.array_equal(getattr(a, name).random(5), getattr(b, name).random(5))
    c = Streams(42)
    assert not np.array_equal(c.retirement.random(5), c.adoption.random(5))
    assert stream_key("adoption") == stream_key("adoption") != stream_key("retirement")


def test_replicate_seeds_do_not_depend_on_how_many_are_asked_for():
    assert replicate_seeds(7, 3) == replicate_seeds(7, 10)[:3]
    assert replicate_seeds(7, 3) != replicate_seeds(8, 3)


def _who_retired_when(*overrides: str) -> np.ndarray:
    model = CopModel(small_config("company_command", "horizon_weeks=60", *overrides))
    for _ in range(60):
        model.step()
    return model.people.hired_week.copy()


def test_coordinator_time_and_sponsorship_leave_retirements_unchanged():
    reference = _who_retired_when("coordinator.fte=0.1", "sponsor.level=0.2")
    assert (reference > 0).sum() > 10  # plenty of retirements to compare
    for levers in (
        ["coordinator.fte=1.0"],
        ["sponsor.level=1.0", "sponsor.mandate=true"],
        ["community.enabled=false"],
        ["support_team.enabled=true"],
    ):
        assert np.array_equal(_who_retired_when(*levers), reference), levers


def test_a_lever_changes_outcomes_where_it_acts():
    low = CopModel(small_config("rumble_strips", "coordinator.fte=0.1"))
    high = CopModel(small_config("rumble_strips", "coordinator.fte=1.0"))
    # the world and the initial workforce do not depend on the lever
    assert np.array_equal(low.people.knowledge, high.people.knowledge)
    assert np.array_equal(low.ties.view("a"), high.ties.view("a"))
    for _ in range(40):
        low.step()
        high.step()
    assert low.coordination.hours < high.coordination.hours
    assert not np.array_equal(low.people.membership, high.people.membership)
