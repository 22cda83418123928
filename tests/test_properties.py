"""Invariants over random valid configurations (hypothesis)."""

from __future__ import annotations

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import copsim
from copsim.model import CopModel
from copsim.model.agents import Practitioner

scenarios = st.sampled_from(["rumble_strips", "e_regulation", "safecities", "company_command"])
unit = st.floats(0.0, 1.0, allow_nan=False).map(lambda x: round(x, 3))


@st.composite
def configs(draw):
    n_orgs = draw(st.integers(2, 15))
    overrides = [
        f"world.n_organizations={n_orgs}",
        f"world.n_practitioners={draw(st.integers(n_orgs, 120))}",
        f"horizon_weeks={draw(st.integers(1, 40))}",
        f"seed={draw(st.integers(0, 2**32 - 1))}",
        f"coordinator.fte={draw(unit)}",
        f"sponsor.level={draw(unit)}",
        f"sponsor.mandate={draw(st.booleans())}",
        f"sponsor.board={draw(st.booleans())}",
        f"sponsor.departure_week={draw(st.integers(-1, 40))}",
        f"support_team.enabled={draw(st.booleans())}",
        f"community.enabled={draw(st.booleans())}",
        f"demography.wave={draw(st.booleans())}",
        f"demography.wave_start_week={draw(st.integers(0, 20))}",
        f"demography.retirement_per_year={draw(st.floats(0, 3).map(lambda x: round(x, 2)))}",
        f"demography.alumni_share={draw(unit)}",
        f"exchange.absorptive_capacity={draw(unit)}",
        f"trust.gain={draw(unit)}",
        f"trust.decay={draw(unit)}",
    ]
    return copsim.load_config(draw(scenarios), overrides)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(configs())
def test_state_stays_in_range_and_counts_are_conserved(config):
    model = CopModel(config)
    adopted_before = model.adopted.copy()
    for _ in range(config.horizon_weeks):
        model.step()
        p, ties = model.people, model.ties
        assert ((p.knowledge >= 0) & (p.knowledge <= 1)).all()
        trust = ties.trust
        assert ((trust >= 0) & (trust <= 1)).all()
        assert ((p.membership >= 0) & (p.membership <= 3)).all()
        assert (adopted_before <= model.adopted).all()  # adoption never reverses
        adopted_before = model.adopted.copy()
        assert ((model.vitality >= 0) & (model.vitality <= 1)).all()
    a, b = ties.a, ties.b
    assert (a < b).all() and np.unique(a * ties.n + b).size == ties.count  # no tie twice
    assert (ties.find(b, a) == np.arange(ties.count)).all()  # and each is found where it is
    assert not model.running
    ts = model.timeseries()
    for column in (
        "adoption_share",
        "participation_rate",
        "core_share",
        "active_share",
        "peripheral_share",
        "cross_boundary_trust",
        "sharing_rate",
        "vitality",
    ):
        values = ts[column].to_numpy()
        assert ((values >= 0) & (values <= 1)).all(), column
    counts = ts[["core", "active", "peripheral", "non_members"]].to_numpy()
    assert (counts >= 0).all()
    assert (counts.sum(axis=1) == config.world.n_practitioners).all()  # practitioners conserved
    assert (ts["members"] <= config.world.n_practitioners).all()
    assert (np.diff(ts["adopters"].to_numpy()) >= 0).all()
    assert len(model.agents_by_type[Practitioner]) == config.world.n_practitioners


@settings(max_examples=10, deadline=None)
@given(configs())
def test_runs_are_deterministic(config):
    a = copsim.simulate(config).timeseries
    b = copsim.simulate(config).timeseries
    assert a.equals(b)
