"""The compiled loops (copsim.compiled) give exactly the numbers of the same code run as Python.

With ``NUMBA_DISABLE_JIT=1`` every ``@kernel`` runs as plain Python (IEEE doubles, operations in
the written order). Equal weekly series, to the last bit, show that compilation on this machine
(its CPU, LLVM's code generation) changes no result: no contracted multiply-adds, no reordered
sums. Together with ``scripts/bit_identity.py`` (exact agreement with the numpy code the loops
replaced) this is what lets copsim promise the same numbers for the same seed on any machine.
"""

from __future__ import annotations

import os
import subprocess
import sys

import numpy as np
import pytest

from copsim.compiled import pairwise_sum

RUN = """
import json, sys
import copsim
config = copsim.load_config(sys.argv[1], sys.argv[2:])
print(json.dumps(copsim.simulate(config).timeseries.to_numpy().tolist()))
"""

CASES = {
    # retirements from week 2 (a leaver's ties, hires), alumni answering questions, pruning
    "company_command_wave": (
        "company_command",
        [
            "horizon_weeks=30",
            "world.n_organizations=20",
            "demography.wave=true",
            "demography.wave_start_week=2",
        ],
    ),
    # a mandate (everyone aware, crowding-out), adoption through ties, a small world
    "safecities_mandate": (
        "safecities",
        ["horizon_weeks=30", "sponsor.mandate=true", "sponsor.level=0.8", "world.topology=watts_strogatz"],
    ),
}


def weekly_series(scenario: str, overrides: list[str], jit: bool) -> str:
    env = {key: value for key, value in os.environ.items() if key != "NUMBA_DISABLE_JIT"}
    if not jit:
        env["NUMBA_DISABLE_JIT"] = "1"
    out = subprocess.run(
        [sys.executable, "-c", RUN, scenario, *overrides], env=env, capture_output=True, text=True, check=True
    )
    return out.stdout


@pytest.mark.parametrize("case", sorted(CASES))
def test_compiled_loops_give_the_numbers_of_plain_python(case):
    scenario, overrides = CASES[case]
    compiled = weekly_series(scenario, overrides, jit=True)
    assert len(compiled) > 1000  # a real series, not an empty run
    assert compiled == weekly_series(scenario, overrides, jit=False)


@pytest.mark.parametrize("size", [0, 1, 7, 8, 9, 127, 128, 129, 135, 1000, 8193, 100_003])
def test_pairwise_sum_is_numpys_sum_bit_for_bit(size):
    rng = np.random.default_rng(size)
    values = rng.standard_normal(size) * 10.0 ** rng.uniform(-6, 6, size)  # rounding shows
    assert pairwise_sum(values) == np.sum(values)
