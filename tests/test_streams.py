"""Common random numbers: each decision has its own stream, so a lever only changes what it acts on."""

from __future__ import annotations

import copy

import numba
import numpy as np
import pytest

from conftest import small_config
from copsim.compiled import generator, generator_handle
from copsim.model import CopModel
from copsim.pcg64 import next_uniform, save_stream_state, stream_state, uniforms, uniforms_at
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


@numba.njit
def _draws_through(handle, rates, high):
    rng = generator(handle)
    counts = np.empty(rates.size, np.int64)
    for k in range(rates.size):
        counts[k] = rng.poisson(rates[k])
    return counts, rng.random(7), rng.integers(0, high, 9), rng.standard_normal(3)


@pytest.mark.parametrize("high", [1, 2, 3, 17, 1000, 2**31 + 5])
def test_kernels_draw_numpys_numbers_from_the_streams_own_state(high):
    """Compiled draws through a handle are numpy's draws and advance the stream itself (this
    pins Numba's Generator algorithms to numpy's: the model's results depend on it)."""
    streams, twin = Streams(9), Streams(9)
    rates = np.array([0.0, 1e-3, 0.5, 3.0, 9.99, 10.0, 40.0, 1e4])
    for _ in range(20):
        compiled = _draws_through(streams.handle("contacts"), rates, high)
        ours = twin.contacts
        expected = (ours.poisson(rates), ours.random(7), ours.integers(0, high, 9), ours.standard_normal(3))
        for got, want in zip(compiled, expected, strict=True):
            assert np.array_equal(got, want)
        assert streams.contacts.random() == twin.contacts.random()  # one state, shared


def test_copies_of_streams_draw_from_their_own_generators():
    streams = Streams(3)
    streams.handle("contacts")  # a handle made before the copy must not leak into it
    twin = copy.deepcopy(streams)
    _, uniforms, _, _ = _draws_through(twin.handle("contacts"), np.ones(2), 5)
    fresh = Streams(3).contacts
    fresh.poisson(np.ones(2))
    assert np.array_equal(uniforms, fresh.random(7))  # the copy's own stream advanced ...
    assert streams.contacts.random() == Streams(3).contacts.random()  # ... not the original's


@numba.njit
def _uniforms_mixed(handle, sizes, singles):
    """Fills of each size, then ``singles`` one at a time, then a generator draw, in turn."""
    fills, one_by_one, after = [], np.empty(sizes.size * singles), np.empty(sizes.size)
    for k in range(sizes.size):
        fills.append(uniforms(handle, sizes[k]))
        state = stream_state(handle)
        for s in range(singles):
            state, one_by_one[k * singles + s] = next_uniform(state)
        save_stream_state(handle, state)
        after[k] = generator(handle).random()
    return fills, one_by_one, after


def test_compiled_uniforms_are_numpys_and_leave_the_stream_where_numpy_would():
    """copsim steps PCG64 itself for uniforms (four chains at a time in a fill): every size
    around the chains' width, and the generator's own draws in between, must see numpy's
    numbers and numpy's state."""
    streams, twin = Streams(5), Streams(5)
    sizes = np.array([0, 1, 2, 3, 4, 5, 7, 8, 9, 1001, 40_000])
    fills, one_by_one, after = _uniforms_mixed(streams.handle("sharing"), sizes, 3)
    rng = twin.sharing
    for k, size in enumerate(sizes):
        assert np.array_equal(fills[k], rng.random(size))
        assert one_by_one[3 * k : 3 * k + 3].tolist() == rng.random(3).tolist()
        assert after[k] == rng.random()
    assert streams.sharing.bit_generator.state == rng.bit_generator.state


@pytest.mark.parametrize(
    ("at", "size"),
    [
        ([], 0),
        ([], 9),
        ([0], 1),
        ([0, 1, 2], 3),
        ([5, 9, 10, 4_000], 10_000),
        ([9_999], 10_000),
        ("every 7th", 10_001),
    ],
)
def test_uniforms_at_some_positions_are_those_of_the_whole_fill_and_so_is_the_state_after(at, size):
    """The stream jumps over the uniforms nobody reads: the ones read, and every draw after,
    are numpy's."""
    at = np.arange(0, size, 7) if at == "every 7th" else np.array(at, np.int64)
    streams, twin = Streams(4), Streams(4)
    assert np.array_equal(uniforms_at(streams.handle("alumni"), at, size), twin.alumni.random(size)[at])
    assert streams.alumni.bit_generator.state == twin.alumni.bit_generator.state
    assert np.array_equal(uniforms(streams.handle("alumni"), 5), twin.alumni.random(5))


@pytest.mark.skipif(numba.config.DISABLE_JIT, reason="without compilation the handle is the generator")
def test_compiled_draws_refuse_a_bit_generator_they_do_not_step():
    with pytest.raises(TypeError, match=r"PCG64.*MT19937"):
        generator_handle(np.random.Generator(np.random.MT19937(1)))
