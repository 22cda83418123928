"""Wrong values are refused, the same way for every path into the model, with one line naming the
key; runs too large for this machine are refused before they start (nothing is written)."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pytest

import copsim
from conftest import copsim_run
from copsim import cli
from copsim.experiments.limits import Estimate, check_memory, local_parallelism, machine_memory, parse_size
from copsim.experiments.plan import MAX_CONDITIONS, expand
from copsim.model.config import validate

TINY = ["horizon_weeks=5", "world.n_practitioners=20", "world.n_organizations=4"]


def refused(overrides: list[str], scenario: str = "rumble_strips") -> str:
    with pytest.raises(copsim.ConfigError) as err:
        copsim.load_config(scenario, overrides)
    message = str(err.value)
    assert "\n" not in message
    return message


# --------------------------------------------------------------------------------------------
# Strict types on the way in
# --------------------------------------------------------------------------------------------
@pytest.mark.parametrize("value", ["2", "1", "0", "yes", "on", "'true'", "1.0"])
def test_a_boolean_is_true_or_false_only(value):
    message = refused([f"sponsor.mandate={value}"])
    assert message.startswith("sponsor.mandate:") and "expected true or false" in message


def test_true_and_false_in_any_case_are_booleans():
    assert copsim.load_config("rumble_strips", ["sponsor.mandate=True"]).sponsor.mandate is True
    assert copsim.load_config("rumble_strips", ["sponsor.mandate=false"]).sponsor.mandate is False


def test_a_whole_number_must_be_integral():
    assert "expected a whole number" in refused(["world.n_organizations=12.5"])
    assert copsim.load_config("rumble_strips", ["world.n_organizations=12.0"]).world.n_organizations == 12
    assert "expected a whole number" in refused(["seed=true"])


def test_a_number_is_never_text_or_a_boolean():
    assert "expected a number" in refused(["coordinator.fte='0.5'"])
    assert "expected a number" in refused(["coordinator.fte=true"])
    assert "expected a number" in refused(["coordinator.fte="])
    assert "must be a finite number" in refused(["coordinator.fte=nan"])


def test_minus_zero_is_zero():
    config = copsim.load_config("rumble_strips", ["coordinator.fte=-0.0"])
    assert str(config.coordinator.fte) == "0.0"


def test_minus_zero_and_zero_sweep_as_one_condition():
    plan = expand(["coordinator.fte=-0.0,0.0", *TINY])
    assert [c.label for c in plan.conditions] == ["rumble_strips coordinator.fte=0", "rumble_strips baseline"]


def test_true_and_two_are_two_values_of_a_swept_boolean_not_one():
    with pytest.raises(copsim.ConfigError, match=r"sponsor\.mandate: 2 is not allowed; expected true"):
        expand(["sponsor.mandate=true,2", *TINY])


@pytest.mark.parametrize(("value", "shown"), [("2", "2"), ('"false"', "'false'")])
def test_a_scenario_file_with_a_wrong_type_is_refused_naming_the_file(tmp_path, value, shown):
    # (a bare yes in YAML is YAML 1.1's true: the file format decides that, not copsim)
    text = Path(copsim.model.config.conf_dir() / "scenario" / "safecities.yaml").read_text()
    mine = tmp_path / "mine.yaml"
    mine.write_text(text.replace("\nsponsor:\n", f"\nsponsor:\n  mandate: {value}\n"))
    message = refused([], str(mine))
    assert message.startswith(f"sponsor.mandate: {shown} is not allowed") and "mine.yaml" in message


def test_an_unknown_key_suggests_the_closest():
    assert refused(["coordinator.ftee=0.5"]) == "coordinator.ftee: unknown key; did you mean coordinator.fte?"


# --------------------------------------------------------------------------------------------
# validate() is the same gate for the API, including after dataclasses.replace
# --------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("group", "field", "value", "key"),
    [
        ("sponsor", "mandate", "false", "sponsor.mandate"),  # a non-empty string would turn it on
        ("sponsor", "mandate", 0.7, "sponsor.mandate"),
        ("coordinator", "fte", True, "coordinator.fte"),
        ("coordinator", "team_size", 1.5, "coordinator.team_size"),
        ("world", "topology", 3, "world.topology"),
    ],
)
def test_validate_refuses_wrong_types_set_with_replace(group, field, value, key):
    config = copsim.load_config("rumble_strips")
    changed = dataclasses.replace(
        config, **{group: dataclasses.replace(getattr(config, group), **{field: value})}
    )
    with pytest.raises(copsim.ConfigError, match=f"^{key}: "):
        validate(changed)
    with pytest.raises(copsim.ConfigError, match=f"^{key}: "):
        copsim.simulate(changed)


def test_validate_refuses_a_group_replaced_by_something_else():
    config = copsim.load_config("rumble_strips")
    with pytest.raises(copsim.ConfigError, match=r"^sponsor: is a group of keys"):
        validate(dataclasses.replace(config, sponsor={"level": 1.0}))


def test_numpy_numbers_are_numbers():
    config = copsim.load_config("rumble_strips")
    coordinator = dataclasses.replace(config.coordinator, fte=np.float64(0.5), team_size=np.int64(2))
    assert validate(dataclasses.replace(config, coordinator=coordinator))


@pytest.mark.parametrize("every", [0, -1, 2.5, True, "52"])
def test_simulate_refuses_a_bad_progress_every(every):
    config = copsim.load_config("rumble_strips", TINY)
    with pytest.raises(copsim.ConfigError, match=r"^progress_every: "):
        copsim.simulate(config, progress_every=every)


@pytest.mark.parametrize("count", [2.5, 0, True, "2"])
def test_simulate_ensemble_refuses_a_count_that_is_not_a_whole_number(count):
    config = copsim.load_config("rumble_strips", TINY)
    with pytest.raises(copsim.ConfigError, match=r"^replicates: "):
        copsim.simulate_ensemble(config, count)


def test_simulate_ensemble_takes_a_numpy_count():
    config = copsim.load_config("rumble_strips", TINY)
    assert len(copsim.simulate_ensemble(config, np.int64(2)).summary) == 2


# --------------------------------------------------------------------------------------------
# copsim-run: one line, nothing written
# --------------------------------------------------------------------------------------------
def run(args: list[str]) -> int:
    return copsim_run(*args)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["out="], "out: empty; give a directory"),
        (["replicates=٣"], "replicates: '٣' cannot be read"),
        (["replicates=2.5"], "replicates: 2.5 is not allowed; expected a whole number"),
        (["sponsor.mandate=yes"], "sponsor.mandate: 'yes' is not allowed; expected true or false"),
        (["coordinator.fte=0,1"], "coordinator.fte: '0,1' is a sweep; add -m to sweep"),
        (["out=/sys/copsim-cannot-write-here"], "out: '/sys/copsim-cannot-write-here' cannot be written"),
        (["~coordinator.fte"], "coordinator.fte: cannot be removed"),
        (["memory_limit=lots"], "memory_limit: 'lots' is not allowed"),
        (["-m", "sweep_dir="], "sweep_dir: empty; give a directory"),
        (["-m", "coordinator.fte=range(0,1000000000)"], "sweep: 1,000,000,000 conditions"),
        (["--frobnicate"], "command line: unrecognized arguments: --frobnicate"),
    ],
)
def test_bad_input_is_one_line_before_anything_runs(tmp_path, monkeypatch, capsys, args, message):
    monkeypatch.chdir(tmp_path)
    assert run([*args, *TINY]) == 2
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"copsim-run: error: {message}"), lines
    assert list(tmp_path.iterdir()) == []


def test_an_unwritable_out_is_found_before_the_simulation(tmp_path, monkeypatch, capsys):
    ran = []
    monkeypatch.setattr(cli, "execute", lambda job: ran.append(job))
    monkeypatch.chdir(tmp_path)
    (tmp_path / "taken").write_text("a file, not a folder")
    assert run([*TINY, "out=taken/run"]) == 2
    assert "cannot be created" in capsys.readouterr().err and ran == []


# --------------------------------------------------------------------------------------------
# Limits before exhaustion
# --------------------------------------------------------------------------------------------
def test_the_estimate_grows_with_people_ties_weeks_and_replicates():
    base = copsim.load_config("rumble_strips")
    e = Estimate.of(base, 1)
    bigger = [
        copsim.load_config("rumble_strips", ["world.n_practitioners=40000", "world.n_organizations=400"]),
        copsim.load_config("rumble_strips", ["world.within_degree=60"]),
        copsim.load_config("rumble_strips", ["horizon_weeks=5200"]),
    ]
    for config in bigger:
        assert Estimate.of(config, 1).memory > e.memory and Estimate.of(config, 1).seconds > e.seconds
    hundred = Estimate.of(base, 100)  # stepped together in batches: more time, but not 100 times
    assert hundred.memory > e.memory and e.seconds < hundred.seconds < 100 * e.seconds


def test_a_run_larger_than_the_machine_is_refused_with_its_estimate_and_the_limit(
    tmp_path, monkeypatch, capsys
):
    monkeypatch.chdir(tmp_path)
    huge = ["world.n_practitioners=2000000", "world.n_organizations=20000", "world.within_degree=200",
            "world.cross_degree=50"]  # fmt: skip
    if Estimate.of(copsim.load_config("rumble_strips", huge), 1).memory < machine_memory():
        pytest.skip("this machine has room for it")
    assert run(huge) == 2
    line = capsys.readouterr().err.strip()
    assert (
        line.startswith("copsim-run: error: memory: this run needs about ")
        and "this machine's memory (" in line
    )
    assert "memory_limit=" in line and list(tmp_path.iterdir()) == []


def test_memory_limit_sets_another_limit_or_none(monkeypatch):
    estimate = Estimate(2e9, 1.0)
    with pytest.raises(copsim.ConfigError, match=r"more than memory_limit \(1.0 GB\)"):
        check_memory(estimate, 1, "1GB", "this run")
    with pytest.raises(copsim.ConfigError, match=r"needs about 8.0 GB \(4 at once x 2.0 GB\)"):
        check_memory(estimate, 4, "4GB", "the sweep")
    assert check_memory(Estimate(1e18, 1.0), 1, "none", "this run") is None
    assert parse_size("memory_limit", "16GB") == 16e9 and parse_size("memory_limit", "none") is None


def test_a_sweep_counts_its_workers_on_this_machine():
    assert local_parallelism({"choice": "basic"}) == 1
    assert local_parallelism({"choice": "joblib", "n_jobs": 3}) == 3
    assert local_parallelism({"choice": "submitit_slurm"}) == 1  # jobs run on other machines


def test_a_range_is_counted_before_it_is_expanded():
    with pytest.raises(copsim.ConfigError, match=r"^sweep: 1,000,000,000,000 conditions"):
        expand(["sponsor.departure_week=range(0,1000000000000)"])  # never built: it would not fit
    assert MAX_CONDITIONS >= 10_000
