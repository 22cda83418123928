"""Analytical anchors: Bass (1969) for several (p, q); a ring follows Fibich & Gibori (2010);
Watts-Strogatz small worlds fall between the ring and Bass (docs/VALIDATION.md, section 1)."""

from __future__ import annotations

import pytest
from patterns import BASS_PAIRS, BASS_TOLERANCE, SMALL_WORLDS, check

pytestmark = pytest.mark.validation


@pytest.mark.parametrize(("p", "q"), BASS_PAIRS)
def test_bass_scenario_follows_the_closed_form(pattern, p, q):
    check(pattern("bass"), f"p={p}, q={q}: within {BASS_TOLERANCE}")


def test_a_ring_of_units_follows_fibich_and_gibori(pattern):
    check(pattern("ring"), "ring within 0.03 of Fibich & Gibori")


def test_a_ring_is_clearly_slower_than_bass(pattern):
    check(pattern("ring"), "ring clearly slower than Bass (max gap > 0.1)")


@pytest.mark.parametrize(("k", "rewiring"), SMALL_WORLDS)
def test_small_worlds_fall_between_the_ring_and_bass(pattern, k, rewiring):
    check(pattern("ring"), f"Watts-Strogatz k={k}, rewiring={rewiring}: between ring and Bass")
