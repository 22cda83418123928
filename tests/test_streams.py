"""Common random numbers: each decision has its own stream, so a lever only changes what it acts on."""

from __future__ import annotations

import numpy as np
import pytest

from conftest import small_config
from copsim.model import CopModel
from copsim.model.streams import STREAM_NAMES, Streams, replicate_seeds, stream_generator, stream_key


def test_streams_are_reproducible_and_distinct():
    one = np.array([5])
    a, b = Streams([42]), Streams([42])
    for name in STREAM_NAMES:
        assert np.array_equal(getattr(a, name).uniform(one), getattr(b, name).uniform(one))
    c = Streams([42])
    assert not np.array_equal(c.retirement.uniform(one), c.adoption.uniform(one))
    assert stream_key("adoption") == stream_key("adoption") != stream_key("retirement")


def test_a_replicates_draws_come_from_its_own_generator_whatever_its_batch():
    """Side by side, each replicate draws what it would draw alone, in the same order."""
    batch = Streams([3, 4, 5])
    counts = np.array([2, 0, 3])
    uniforms = batch.sharing.uniform(counts, rows=2)
    normals = batch.hiring.normal(counts)
    poisson = batch.contacts.poisson(np.array([1.0, 2.0, 0.5, 9.0, 0.0]), counts)
    start = 0
    for r, seed in enumerate([3, 4, 5]):
        alone = Streams([seed])
        c = np.array([counts[r]])
        block = slice(start, start + counts[r])
        assert np.array_equal(uniforms[:, block], alone.sharing.uniform(c, rows=2))
        assert np.array_equal(normals[block], alone.hiring.normal(c))
        rates = np.array([1.0, 2.0, 0.5, 9.0, 0.0])[block]
        assert np.array_equal(poisson[block], alone.contacts.poisson(rates, c))
        start += counts[r]


def test_poisson_counts_are_numpys_whether_a_replicate_draws_one_or_many():
    """A replicate drawing one count takes numpy's scalar path: the same numbers as its array path."""
    rates = np.array([0.0, 0.7, 3.0, 40.0, 2500.0])
    for seed in range(20):
        ones = Streams([seed] * 5).contacts.poisson(rates, np.ones(5, np.int64))
        arrays = [stream_generator(seed, "contacts").poisson(rates[[r]]) for r in range(5)]
        assert np.array_equal(ones, np.concatenate(arrays))
        many = Streams([seed]).contacts.poisson(rates, np.array([5]))
        assert np.array_equal(many, stream_generator(seed, "contacts").poisson(rates))


def test_a_stream_is_numpys_generator_seeded_from_the_run_and_the_decision():
    u = Streams([7]).adoption.uniform(np.array([4]), rows=2)
    assert np.array_equal(u, stream_generator(7, "adoption").random((2, 4)))
    with pytest.raises(AttributeError, match="no random stream named 'adoptoin'"):
        _ = Streams([7]).adoptoin


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
    assert np.array_equal(low.ties.a, high.ties.a)
    for _ in range(40):
        low.step()
        high.step()
    assert (low.coordination.hours < high.coordination.hours).all()
    assert not np.array_equal(low.people.membership, high.people.membership)
