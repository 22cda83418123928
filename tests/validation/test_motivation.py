"""Motivation: a mandate raises membership but lowers sharing by about 0.3-0.4 SD of motivation;
supportive recognition raises sharing (Deci, Koestner & Ryan 1999; docs/VALIDATION.md, section 4)."""

from __future__ import annotations

import pytest
from patterns import check

pytestmark = pytest.mark.validation


def test_a_mandate_raises_membership(pattern):
    check(pattern("motivation"), "mandate raises participation (CI > 0)")


def test_a_mandate_lowers_sharing(pattern):
    check(pattern("motivation"), "mandate lowers sharing (CI < 0)")


def test_the_mandate_effect_matches_the_crowding_out_meta_analysis(pattern):
    check(pattern("motivation"), "mandate's implied shift in -0.45..-0.25 SD")


def test_supportive_recognition_raises_sharing(pattern):
    check(pattern("motivation"), "recognition raises sharing (CI > 0)")


def test_the_recognition_effect_matches_the_verbal_rewards_meta_analysis(pattern):
    check(pattern("motivation"), "recognition's implied shift per unit sponsorship in 0.23..0.43 SD")
