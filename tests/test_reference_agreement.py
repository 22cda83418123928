"""copsim agrees in distribution with a per-agent Mesa implementation of the same weekly rules.

``benchmarks/reference_mesa.py`` re-writes participation, exchange, trust, practice and adoption
agent by agent, the way a Mesa user would. On a small restricted scenario (no retirements, no
sponsor turnover, no support team: the rules the reference covers), 50 seeds of each give the
mean adoption share, mean knowledge and membership at weeks 13, 26 and 52. Each pair of means
must agree within sampling error: the Welch z statistic ``(mean_a - mean_b) / sqrt(se_a^2 +
se_b^2)`` stays within +-3.5 (with 9 comparisons, a false alarm has probability about 0.4 % if
the rules agree). A negative control shows the check has power: the reference with twice the
absorptive capacity is detected as different.
"""

from __future__ import annotations

import dataclasses
import sys
from pathlib import Path

import numpy as np
import pytest

import copsim

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
from reference_mesa import check_supported, run_reference

SEEDS = 50
CONTROL_SEEDS = 20
WEEKS = (13, 26, 52)
OUTCOMES = ("adoption_share", "mean_knowledge", "members")
Z_LIMIT = 3.5
RESTRICTED = [
    "world.n_practitioners=150",
    "world.n_organizations=30",
    "horizon_weeks=52",
    "demography.retirement_per_year=0",
    "sponsor.turnover_per_year=0",
    "sponsor.departure_week=-1",
    "support_team.enabled=false",
    # faster adoption so that the adoption share moves within a year
    "adoption.p=0.5",
    "adoption.q=0.8",
    "adoption.know_how_threshold=0.4",
]


def _config(overrides: list[str] = ()) -> copsim.CopConfig:
    return copsim.load_config("rumble_strips", RESTRICTED + list(overrides))


def _outcomes(frames: list) -> dict[tuple[str, int], np.ndarray]:
    return {(name, w): np.array([f[name].iloc[w] for f in frames], float) for name in OUTCOMES for w in WEEKS}


def _z(a: np.ndarray, b: np.ndarray) -> float:
    se = np.sqrt(a.var(ddof=1) / a.size + b.var(ddof=1) / b.size)
    diff = a.mean() - b.mean()
    if se == 0:
        return 0.0 if diff == 0 else np.inf
    return float(diff / se)


@pytest.fixture(scope="module")
def copsim_runs() -> dict[tuple[str, int], np.ndarray]:
    config = _config()
    seeds = copsim.model.streams.replicate_seeds(11, SEEDS)
    return _outcomes([copsim.simulate(dataclasses.replace(config, seed=s)).timeseries for s in seeds])


def test_reference_rejects_rules_it_does_not_model():
    with pytest.raises(ValueError, match="retirement"):
        check_supported(copsim.load_config("rumble_strips"))
    check_supported(_config())


def test_copsim_and_reference_agree_in_distribution(copsim_runs):
    config = _config()
    seeds = copsim.model.streams.replicate_seeds(12, SEEDS)
    reference = _outcomes([run_reference(config, seed=s) for s in seeds])
    z = {key: _z(copsim_runs[key], reference[key]) for key in copsim_runs}
    far = {f"{name}@{w}": round(v, 2) for (name, w), v in z.items() if abs(v) > Z_LIMIT}
    assert not far, f"copsim and the reference disagree beyond sampling error (|z| > {Z_LIMIT}): {far}"
    # the scenario is not degenerate: adoption, learning and membership all move
    assert copsim_runs[("adoption_share", 52)].mean() > 0.05
    assert copsim_runs[("mean_knowledge", 52)].mean() > copsim_runs[("mean_knowledge", 13)].mean()
    assert copsim_runs[("members", 52)].mean() > 5


def test_the_agreement_check_detects_a_different_rule(copsim_runs):
    """Negative control: doubling absorptive capacity in the reference only must be detected."""
    base = _config()
    changed = dataclasses.replace(
        base,
        exchange=dataclasses.replace(
            base.exchange, absorptive_capacity=2 * base.exchange.absorptive_capacity
        ),
    )
    seeds = copsim.model.streams.replicate_seeds(13, CONTROL_SEEDS)
    reference = _outcomes([run_reference(changed, seed=s) for s in seeds])
    worst = max(abs(_z(copsim_runs[("mean_knowledge", w)], reference[("mean_knowledge", w)])) for w in WEEKS)
    assert worst > Z_LIMIT
