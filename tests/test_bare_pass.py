"""The benchmark's bare numpy pass touches every array copsim's weekly step reads.

``benchmarks/run.py`` reports copsim's time as a ratio to a bare pass that touches "the same
arrays once per week" (issue 6). A state array added to the model but not to the bare pass
would quietly make the yardstick cheaper than copsim's real state; these tests fail then.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

import copsim
from copsim.model import CopModel

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
from run import bare_pass_arrays, bare_pass_seconds

#: world arrays that describe organizations but that no weekly rule reads
DESCRIPTIVE = ("org_type", "org_sector", "org_level")


@pytest.fixture(scope="module")
def model() -> CopModel:
    config = copsim.load_config("company_command", ["world.n_organizations=20", "horizon_weeks=30"])
    model = CopModel(config)
    for _ in range(27):  # past two prunes and partner snapshots, with alumni
        model.step()
    assert model.alumni_knowledge.size > 0
    return model


def _state_arrays(model: CopModel) -> dict[str, np.ndarray]:
    """Every array of the model's state, by where it lives."""
    holders = {"people": model.people, "ties": model.ties, "world": model.world, "model": model}
    found = {
        f"{holder}.{name}": value
        for holder, obj in holders.items()
        for name, value in vars(obj).items()
        if isinstance(value, np.ndarray) and name not in DESCRIPTIVE
    }
    found.update({f"model._colleague_tally[{k}]": array for k, array in enumerate(model._colleague_tally)})
    return found


def test_the_bare_pass_touches_every_state_array_of_the_weekly_step(model):
    touched = bare_pass_arrays(model)
    state = _state_arrays(model).items()
    missing = [name for name, array in state if not any(np.shares_memory(array, t) for t in touched)]
    # complete mixing's zero exposure is read only when the world has no ties to expose through
    assert missing == ["model._no_tie_exposure"]


def test_without_indexes_only_the_tie_indexes_are_left_out(model):
    ties = model.ties
    indexes = [ties.indptr, ties.neighbour, ties.edge, *ties.key_index]
    indexes += [ties.all_indptr, ties.all_edge, ties.all_neighbour, ties.all_b_start]
    narrow = bare_pass_arrays(model, indexes=False)
    assert not any(np.shares_memory(i, a) for i in indexes for a in narrow)
    assert len(bare_pass_arrays(model)) == len(narrow) + len(indexes)


def test_the_bare_pass_works_on_copies_and_leaves_the_model_as_it_was(model):
    before = {name: array.copy() for name, array in _state_arrays(model).items()}
    # (what the passes cost is for benchmarks/run.py to report, not for a test to judge)
    assert isinstance(bare_pass_seconds(model, 3), float)
    assert isinstance(bare_pass_seconds(model, 3, draws="copsim", indexes=False), float)
    after = _state_arrays(model)
    assert all(np.array_equal(before[name], after[name]) for name in before)
